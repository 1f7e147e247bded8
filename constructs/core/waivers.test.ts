import { Construct } from 'constructs';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { testScope } from '../../test/construct-helpers';
import { Waivers } from './waivers';

const waiver = {
  rule: 'resource-group-locked',
  reason: 'sandbox resource group is torn down daily',
  owner: 'platform-team',
  expires: '2027-01-31',
};

describe('Waivers', () => {
  it("writes waivers into the main resource's // metadata, sorted by rule (Testing.synth strips //, so read toTerraform)", () => {
    const { stack } = testScope();
    const holder = new Construct(stack, 'Holder');
    new ResourceGroup(holder, 'Resource', { name: 'rg', location: 'westeurope' });
    Waivers.of(holder)
      .add(waiver)
      .add({ ...waiver, rule: 'another-rule' });
    const rg = Object.values(stack.toTerraform().resource.azurerm_resource_group)[0] as Record<
      string,
      { waivers?: unknown; metadata?: unknown }
    >;
    expect(rg['//'].waivers).toEqual([{ ...waiver, rule: 'another-rule' }, waiver]);
    expect(rg['//'].metadata).toBeDefined();
  });

  it('rejects a short reason, a bad date, a missing owner and a duplicate, naming the rule', () => {
    const { stack } = testScope();
    const rg = new ResourceGroup(stack, 'Rg', { name: 'rg', location: 'westeurope' });
    expect(() => Waivers.of(rg).add({ ...waiver, reason: 'because' })).toThrow(
      /test\/Rg: invalid waiver\(resource-group-locked\).*reason must be at least 10 characters/,
    );
    expect(() => Waivers.of(rg).add({ ...waiver, expires: '2027-02-30' })).toThrow(
      /expires must be a date YYYY-MM-DD/,
    );
    expect(() => Waivers.of(rg).add({ ...waiver, owner: '' })).toThrow(/owner is missing/);
    Waivers.of(rg).add(waiver);
    expect(() => Waivers.of(rg).add(waiver)).toThrow(/one waiver per rule and resource/);
  });

  it('refuses a construct without one main resource', () => {
    const { stack } = testScope();
    const c = new Construct(stack, 'Many');
    new ResourceGroup(c, 'A', { name: 'a', location: 'x' });
    new ResourceGroup(c, 'B', { name: 'b', location: 'x' });
    expect(() => Waivers.of(c)).toThrow(
      /a waiver targets a terraform resource or a construct with one main resource/,
    );
  });
});
