import { Testing } from 'cdktf';
import type { TerraformStack } from 'cdktf';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { testScope } from '../../test/construct-helpers';
import { grantId, grantRole, principalTypeOf } from './grants';
import type { IPrincipal } from './interfaces';

type Synth = {
  resource: { azurerm_role_assignment: Record<string, Record<string, unknown>> };
  moved?: { from: string; to: string }[];
};

function identity(stack: TerraformStack, id: string): UserAssignedIdentity {
  return new UserAssignedIdentity(stack, id, { name: id, location: 'w', resourceGroupName: 'rg' });
}

function grant(stack: TerraformStack, principal: IPrincipal, role = 'AcrPull', scope = 'acr-id') {
  return grantRole(stack, grantId(role.replace(/\W/g, ''), stack, principal), {
    scope,
    roleDefinitionName: role,
    principal,
  });
}

describe('grantRole', () => {
  it('returns the first assignment when the same grant is made twice (construct principal)', () => {
    const { stack } = testScope();
    const uai = identity(stack, 'Web');
    const first = grant(stack, uai);
    expect(grant(stack, uai)).toBe(first);
    const synth = JSON.parse(Testing.synth(stack)) as Synth;
    expect(Object.keys(synth.resource.azurerm_role_assignment)).toHaveLength(1);
  });

  it('returns the first assignment for a repeated grant to a principal given by id', () => {
    const { stack } = testScope();
    const uai = identity(stack, 'Web');
    const p = { principalId: uai.principalId, principalType: 'ServicePrincipal' as const };
    const first = grant(stack, p);
    expect(grant(stack, { ...p })).toBe(first);
    expect(grant(stack, p, 'AcrPush')).not.toBe(first);
    expect(grant(stack, p, 'AcrPull', 'other-acr-id')).not.toBe(first);
  });

  it('gives principals that are not constructs ids that do not depend on call order', () => {
    const ids = (order: string[]) => {
      const { stack } = testScope();
      const uais = Object.fromEntries(['A', 'B'].map((n) => [n, identity(stack, n)]));
      const out: Record<string, string> = {};
      for (const n of order) out[n] = grant(stack, { principalId: uais[n].principalId }).node.id;
      return out;
    };
    const ab = ids(['A', 'B']);
    expect(ids(['B', 'A'])).toEqual(ab);
    expect(ab.A).not.toBe(ab.B);
    expect(ab.A).toMatch(/^AcrPull-[0-9a-f]{8}$/);
  });

  it('moves state from the call-order ids grants had before, so nothing is replaced', () => {
    const { stack } = testScope();
    const [a, b] = [identity(stack, 'A'), identity(stack, 'B')];
    const ra = grant(stack, { principalId: a.principalId });
    const rb = grant(stack, { principalId: b.principalId });
    grant(stack, a); // a construct principal: its id was stable already, nothing moves
    const synth = JSON.parse(Testing.synth(stack)) as Synth;
    expect(synth.moved).toEqual([
      { from: 'azurerm_role_assignment.AcrPull', to: `azurerm_role_assignment.${ra.node.id}` },
      { from: 'azurerm_role_assignment.AcrPull2', to: `azurerm_role_assignment.${rb.node.id}` },
    ]);
  });
});

describe('principal_type', () => {
  it('is ServicePrincipal for a user-assigned identity passed as it is', () => {
    const { stack } = testScope();
    grant(stack, identity(stack, 'Web'));
    const synth = JSON.parse(Testing.synth(stack)) as Synth;
    expect(Object.values(synth.resource.azurerm_role_assignment)[0]).toMatchObject({
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
    });
  });

  it('keeps a stated type and leaves unknown principals to Azure', () => {
    expect(principalTypeOf({ principalId: 'p', principalType: 'Group' })).toBe('Group');
    expect(principalTypeOf({ principalId: 'p' })).toBeUndefined();
    expect(principalTypeOf({ principalId: 'p', clientId: 'c' } as IPrincipal)).toBe(
      'ServicePrincipal',
    );
  });
});
