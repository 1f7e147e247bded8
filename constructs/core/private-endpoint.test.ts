import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { testScope } from '../../test/construct-helpers';
import { ValidationError } from './errors';
import { addPrivateEndpoints } from './private-endpoint';
import type { PrivateEndpoints } from './private-endpoint';

const zone = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  name: 'privatelink.vaultcore.azure.net',
};
const subnet = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe',
  name: 'pe',
};

function setup() {
  const { stack, rg } = testScope();
  const owner = new Construct(stack, 'Vault');
  const target = {
    id: '/subscriptions/s/vaults/kv',
    name: 'kv',
    resourceGroup: rg,
    location: 'westeurope',
  };
  return { stack, owner, target };
}

function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('addPrivateEndpoints', () => {
  it.each(['', '   '])('rejects a subnet id of %j with the construct path and prop', (id) => {
    const { owner, target } = setup();
    const err = thrown(() =>
      addPrivateEndpoints(
        owner,
        target,
        { vault: { subnet: { id, name: 'pe' }, privateDnsZones: [zone] } },
        'vault',
      ),
    );
    expect(err).toMatchObject({
      constructPath: 'test/Vault',
      prop: 'privateEndpoints.vault.subnet.id',
      value: id,
    });
    expect(err.allowed).toMatch(/subnet resource id/);
  });

  it.each(['', ' \t'])('rejects a private DNS zone id of %j', (id) => {
    const { owner, target } = setup();
    const err = thrown(() =>
      addPrivateEndpoints(
        owner,
        target,
        {
          a: { subnet, privateDnsZones: [zone] },
          b: { subnet, privateDnsZones: [zone, { id, name: 'z' }], name: 'pe-kv-b' },
        },
        'vault',
      ),
    );
    expect(err).toMatchObject({ prop: 'privateEndpoints.b.privateDnsZones[1].id', value: id });
    expect(err.allowed).toMatch(/private DNS zone resource id/);
  });

  it('accepts literal ids and tokens, and places the endpoint in the subnet', () => {
    const { stack, owner, target } = setup();
    const tokenSubnet = new Subnet(stack, 'Subnet', {
      name: 'pe',
      resourceGroupName: 'rg',
      virtualNetworkName: 'vnet',
      addressPrefixes: ['10.0.0.0/24'],
    });
    addPrivateEndpoints(
      owner,
      target,
      {
        vault: { subnet, privateDnsZones: [zone] },
        second: { subnet: tokenSubnet, privateDnsZones: [], name: 'pe-kv-2' },
      },
      'vault',
    );
    const synth = JSON.parse(Testing.synth(stack));
    const pes = Object.values(synth.resource.azurerm_private_endpoint) as { subnet_id: string }[];
    expect(pes.map((p) => p.subnet_id).sort()).toEqual(
      [subnet.id, '${azurerm_subnet.Subnet.id}'].sort(),
    );
  });
});

describe('addPrivateEndpoints addresses', () => {
  type Synth = {
    resource: { azurerm_private_endpoint: Record<string, { name: string }> };
    moved?: { from: string; to: string }[];
  };
  function synth(endpoints: PrivateEndpoints): Synth {
    const { stack, owner, target } = setup();
    addPrivateEndpoints(owner, target, endpoints, 'vault');
    return JSON.parse(Testing.synth(stack)) as Synth;
  }
  const addressOf = (out: Synth, name: string) =>
    Object.entries(out.resource.azurerm_private_endpoint).find(([, r]) => r.name === name)?.[0];

  it('keys each endpoint by name: removing the first of two leaves the second where it was', () => {
    const both = synth({
      vault: { subnet, privateDnsZones: [zone] },
      spare: { subnet, privateDnsZones: [zone], name: 'pe-kv-spare' },
    });
    const second = synth({ spare: { subnet, privateDnsZones: [zone], name: 'pe-kv-spare' } });
    expect(addressOf(both, 'pe-kv-spare')).toMatch(/^Vault_PrivateEndpoint-spare_/);
    expect(addressOf(second, 'pe-kv-spare')).toBe(addressOf(both, 'pe-kv-spare'));
  });

  it('moves state from the positional ids of the list the props were before', () => {
    const out = synth({
      vault: { subnet, privateDnsZones: [zone] },
      spare: { subnet, privateDnsZones: [zone], name: 'pe-kv-spare' },
    });
    const { stack, owner } = setup();
    // what the list form named the first and second endpoint
    const legacy = (i: number) =>
      stack.getLogicalId(new Construct(owner, `PrivateEndpoint${i}`).node);
    expect(out.moved).toEqual([
      {
        from: `azurerm_private_endpoint.${legacy(0)}`,
        to: `azurerm_private_endpoint.${addressOf(out, 'pe-kv-vault')}`,
      },
      {
        from: `azurerm_private_endpoint.${legacy(1)}`,
        to: `azurerm_private_endpoint.${addressOf(out, 'pe-kv-spare')}`,
      },
    ]);
  });

  it.each([
    ['a list', [{ subnet, privateDnsZones: [zone] }], 'privateEndpoints', /a record keyed by name/],
    [
      'an empty key',
      { '': { subnet, privateDnsZones: [zone] } },
      'privateEndpoints key',
      /1 to 63/,
    ],
    [
      'a key with a slash',
      { 'a/b': { subnet, privateDnsZones: [zone] } },
      'privateEndpoints key',
      /letters, digits/,
    ],
    [
      'keys that differ only in case',
      {
        vault: { subnet, privateDnsZones: [zone] },
        Vault: { subnet, privateDnsZones: [zone], name: 'x' },
      },
      'privateEndpoints key',
      /unique ignoring case/,
    ],
    [
      'two endpoints with one azure name',
      { a: { subnet, privateDnsZones: [zone] }, b: { subnet, privateDnsZones: [zone] } },
      'privateEndpoints.b.name',
      /a name no other endpoint of the resource has \("a" has it/,
    ],
  ])('rejects %s with ValidationError', (_, endpoints, prop, allowed) => {
    const { owner, target } = setup();
    const err = thrown(() =>
      addPrivateEndpoints(owner, target, endpoints as unknown as PrivateEndpoints, 'vault'),
    );
    expect(err).toMatchObject({ constructPath: 'test/Vault', prop });
    expect(err.allowed).toMatch(allowed);
  });
});
