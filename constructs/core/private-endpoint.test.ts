import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { testScope } from '../../test/construct-helpers';
import { ValidationError } from './errors';
import { addPrivateEndpoints } from './private-endpoint';

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
        [{ subnet: { id, name: 'pe' }, privateDnsZones: [zone] }],
        'vault',
      ),
    );
    expect(err).toMatchObject({
      constructPath: 'test/Vault',
      prop: 'privateEndpoints[0].subnet.id',
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
        [
          { subnet, privateDnsZones: [zone] },
          { subnet, privateDnsZones: [zone, { id, name: 'z' }] },
        ],
        'vault',
      ),
    );
    expect(err).toMatchObject({ prop: 'privateEndpoints[1].privateDnsZones[1].id', value: id });
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
      [
        { subnet, privateDnsZones: [zone] },
        { subnet: tokenSubnet, privateDnsZones: [], name: 'pe-kv-2' },
      ],
      'vault',
    );
    const synth = JSON.parse(Testing.synth(stack));
    const pes = Object.values(synth.resource.azurerm_private_endpoint) as { subnet_id: string }[];
    expect(pes.map((p) => p.subnet_id)).toEqual([subnet.id, '${azurerm_subnet.Subnet.id}']);
  });
});
