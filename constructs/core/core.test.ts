import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { testScope } from '../../test/construct-helpers';
import {
  Tags,
  ValidationError,
  grantId,
  grantRole,
  identityBlock,
  NamingRules,
  validateCidr,
  validateName,
  validateRange,
} from '.';

describe('ValidationError', () => {
  it('names the construct path, prop, value and what is allowed', () => {
    const { stack } = testScope();
    const c = new Construct(stack, 'Thing');
    const err = new ValidationError(c, 'nodeCount', 0, 'allowed is 1 to 10');
    expect(err.message).toBe('test/Thing: invalid nodeCount 0: allowed is 1 to 10');
    expect(err).toMatchObject({ constructPath: 'test/Thing', prop: 'nodeCount', value: 0 });
  });
});

describe('validation helpers', () => {
  const { stack } = testScope();
  it('checks names against azure rules and lets tokens through', () => {
    expect(() =>
      validateName(stack, 'name', 'acr-with-hyphen', NamingRules.containerRegistry),
    ).toThrow(/letters and digits only; the name must also be globally unique/);
    expect(() => validateName(stack, 'name', 'UPPER', NamingRules.storageAccount)).toThrow(
      /lower-case letters and digits only/,
    );
    const rg = new ResourceGroup(stack, 'Rg', { name: 'rg', location: 'westeurope' });
    expect(() => validateName(stack, 'name', rg.name, NamingRules.storageAccount)).not.toThrow();
  });
  it('checks ranges and integers', () => {
    expect(() => validateRange(stack, 'n', 1.5, 1, 3)).toThrow(
      /invalid n 1.5: allowed is an integer from 1 to 3/,
    );
    expect(() => validateRange(stack, 'n', 3, 1, 3)).not.toThrow();
  });
  it('checks cidrs', () => {
    expect(() => validateCidr(stack, 'cidr', '10.0.0.0/33')).toThrow(/ipv4 cidr/);
    expect(() => validateCidr(stack, 'cidr', '10.0.0.1')).toThrow(/ipv4 cidr/);
    expect(() => validateCidr(stack, 'cidr', '10.0.0.1', { allowBareIp: true })).not.toThrow();
  });
});

describe('Tags', () => {
  it('applies to every taggable resource below the scope; inner scopes and explicit tags win', () => {
    const { stack } = testScope();
    const outer = new Construct(stack, 'Outer');
    const inner = new Construct(outer, 'Inner');
    Tags.add(outer, { env: 'prod', team: 'platform' });
    Tags.add(inner, { team: 'iot' });
    new ResourceGroup(outer, 'A', { name: 'a', location: 'x' });
    new ResourceGroup(inner, 'B', { name: 'b', location: 'x' });
    new ResourceGroup(inner, 'C', { name: 'c', location: 'x', tags: { env: 'special' } });
    const out = JSON.parse(Testing.synth(stack)).resource.azurerm_resource_group;
    const byName = Object.fromEntries(
      Object.values(out).map((r) => [(r as { name: string }).name, (r as { tags: unknown }).tags]),
    );
    expect(byName).toEqual({
      a: { env: 'prod', team: 'platform' },
      b: { env: 'prod', team: 'iot' },
      c: { env: 'special', team: 'iot' },
    });
  });
});

describe('grants and identity', () => {
  it('derives stable grant ids from the principal construct', () => {
    const { stack } = testScope();
    const id = new UserAssignedIdentity(stack, 'Id', {
      name: 'id',
      location: 'x',
      resourceGroupName: 'rg',
    });
    const a = grantId('AcrPull', stack, id);
    expect(a).toMatch(/^AcrPull-[0-9a-f]{10}$/);
    expect(grantId('AcrPull', stack, id)).toBe(a);
    const ra = grantRole(stack, a, {
      scope: 'scope-id',
      roleDefinitionName: 'AcrPull',
      principal: id,
    });
    expect(ra).toBeInstanceOf(RoleAssignment);
    expect(grantId('X', stack, { principalId: 'p' })).toMatch(/^X-[0-9a-f]{8}$/);
  });
  it('builds identity blocks', () => {
    expect(identityBlock(undefined)).toBeUndefined();
    expect(identityBlock({ systemAssigned: true })).toEqual({ type: 'SystemAssigned' });
    expect(
      identityBlock({
        systemAssigned: true,
        userAssigned: [{ id: 'u', principalId: 'p', clientId: 'c' }],
      }),
    ).toEqual({
      type: 'SystemAssigned, UserAssigned',
      identityIds: ['u'],
    });
  });
});
