import { Testing } from 'cdktf';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ValidationError } from '../core';
import { testScope } from '../../test/construct-helpers';
import { Network } from './network';
import type { NetworkProps } from './network';
import { apiManagementNsgRules } from './nsg-rules';

function make(props: Partial<NetworkProps> = {}) {
  const { stack, rg } = testScope();
  const network = new Network(stack, 'Network', {
    name: 'vnet-iot-test',
    resourceGroup: rg,
    addressSpace: ['10.20.0.0/16'],
    subnets: [
      { name: 'aks-nodes', addressPrefix: '10.20.0.0/22' },
      { name: 'endpoints', addressPrefix: '10.20.8.0/24' },
    ],
    ...props,
  });
  return { stack, network, out: () => Testing.synth(stack) };
}

type Json = Record<string, Record<string, Record<string, unknown>>>;
const resources = (out: string, type: string) =>
  Object.values((JSON.parse(out) as { resource: Json }).resource[type] ?? {});

describe('Network', () => {
  it('creates the vnet and one subnet with its own nsg and association per subnet', () => {
    const out = make().out();
    expect(out).toHaveResourceWithProperties(VirtualNetwork, {
      name: 'vnet-iot-test',
      address_space: ['10.20.0.0/16'],
      location: 'westeurope',
    });
    expect(out).toHaveResourceWithProperties(Subnet, {
      name: 'aks-nodes',
      address_prefixes: ['10.20.0.0/22'],
      private_endpoint_network_policies: 'Enabled',
      default_outbound_access_enabled: false,
    });
    expect(resources(out, 'azurerm_network_security_group').map((n) => n.name)).toEqual([
      'nsg-vnet-iot-test-aks-nodes',
      'nsg-vnet-iot-test-endpoints',
    ]);
    expect(resources(out, 'azurerm_subnet_network_security_group_association')).toHaveLength(2);
  });

  it('denies internet inbound explicitly at priority 4096 in every nsg', () => {
    const rules = resources(make().out(), 'azurerm_network_security_rule');
    expect(rules).toHaveLength(2);
    for (const r of rules) {
      expect(r).toMatchObject({
        name: 'DenyInternetInbound',
        priority: 4096,
        direction: 'Inbound',
        access: 'Deny',
        source_address_prefix: 'Internet',
        destination_port_range: '*',
      });
    }
  });

  it('adds custom rules as data, with service tags in the singular field and lists in the plural', () => {
    const out = make({
      subnets: [
        {
          name: 'apim',
          addressPrefix: '10.20.10.0/27',
          securityRules: [
            ...apiManagementNsgRules('Internal'),
            {
              name: 'AllowOffice',
              priority: 300,
              direction: 'Inbound',
              access: 'Allow',
              protocol: 'Tcp',
              sourceAddressPrefixes: ['203.0.113.0/24', '198.51.100.7'],
              destinationPortRanges: ['443', '8443'],
            },
          ],
        },
      ],
    }).out();
    expect(out).toHaveResourceWithProperties(NetworkSecurityRule, {
      name: 'AllowApimManagementInbound',
      priority: 100,
      source_address_prefix: 'ApiManagement',
      destination_port_range: '3443',
      access: 'Allow',
    });
    expect(out).toHaveResourceWithProperties(NetworkSecurityRule, {
      name: 'AllowOffice',
      source_address_prefixes: ['203.0.113.0/24', '198.51.100.7'],
      destination_port_ranges: ['443', '8443'],
      source_port_range: '*',
      destination_address_prefix: '*',
    });
  });

  it('fills in delegation actions for well-known services and takes explicit ones', () => {
    const out = make({
      subnets: [
        {
          name: 'postgres',
          addressPrefix: '10.20.9.0/28',
          delegation: 'Microsoft.DBforPostgreSQL/flexibleServers',
        },
        {
          name: 'web',
          addressPrefix: '10.20.9.32/27',
          delegation: 'Microsoft.Web/serverFarms',
          serviceEndpoints: ['Microsoft.KeyVault'],
        },
        {
          name: 'custom',
          addressPrefix: '10.20.9.64/27',
          delegation: { service: 'Microsoft.Fabric/x', actions: ['a/b'] },
        },
      ],
    }).out();
    expect(out).toHaveResourceWithProperties(Subnet, {
      name: 'postgres',
      delegation: [
        {
          name: 'delegation',
          service_delegation: {
            name: 'Microsoft.DBforPostgreSQL/flexibleServers',
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });
    expect(out).toHaveResourceWithProperties(Subnet, {
      name: 'web',
      service_endpoints: ['Microsoft.KeyVault'],
      delegation: [
        expect.objectContaining({
          service_delegation: {
            name: 'Microsoft.Web/serverFarms',
            actions: ['Microsoft.Network/virtualNetworks/subnets/action'],
          },
        }),
      ],
    });
    expect(out).toHaveResourceWithProperties(Subnet, {
      name: 'custom',
      delegation: [
        expect.objectContaining({
          service_delegation: { name: 'Microsoft.Fabric/x', actions: ['a/b'] },
        }),
      ],
    });
  });

  it('creates no nsg where azure forbids one, or where opted out', () => {
    const out = make({
      subnets: [
        { name: 'GatewaySubnet', addressPrefix: '10.20.255.0/27' },
        { name: 'open', addressPrefix: '10.20.254.0/24', networkSecurityGroup: false },
        { name: 'apps', addressPrefix: '10.20.1.0/24' },
      ],
    }).out();
    expect(resources(out, 'azurerm_network_security_group').map((n) => n.name)).toEqual([
      'nsg-vnet-iot-test-apps',
    ]);
  });

  it('creates the asked private dns zones, each linked to the vnet without auto-registration', () => {
    const { out, network } = make({
      privateDnsZones: ['vault', 'registry', 'managedRedis', 'redis', 'aks', 'apiManagement'],
    });
    const s = out();
    const names = resources(s, 'azurerm_private_dns_zone').map((z) => z.name);
    expect(names.sort()).toEqual([
      'privatelink.azure-api.net',
      'privatelink.azurecr.io',
      'privatelink.redis.azure.net',
      'privatelink.redis.cache.windows.net',
      'privatelink.vaultcore.azure.net',
      'privatelink.westeurope.azmk8s.io',
    ]);
    expect(resources(s, 'azurerm_private_dns_zone_virtual_network_link')).toHaveLength(6);
    expect(s).toHaveResourceWithProperties(PrivateDnsZoneVirtualNetworkLink, {
      registration_enabled: false,
      virtual_network_id: expect.stringMatching(/azurerm_virtual_network\.Network_[0-9A-F]+\.id/),
    });
    expect(network.dnsZone('vault')).toBe(network.privateDnsZones.vault);
  });

  it('normalises the region for the aks zone and rejects a token location for it', () => {
    const s = make({ location: 'North Europe', privateDnsZones: ['aks'] }).out();
    expect(s).toHaveResourceWithProperties(PrivateDnsZone, {
      name: 'privatelink.northeurope.azmk8s.io',
    });
    const { stack, rg } = testScope();
    const created = new ResourceGroup(stack, 'Rg', { name: 'rg-x', location: 'westeurope' });
    expect(
      () =>
        new Network(stack, 'N', {
          name: 'vnet-x',
          resourceGroup: { ...rg, location: created.location },
          addressSpace: ['10.0.0.0/16'],
          subnets: [],
          privateDnsZones: ['aks'],
        }),
    ).toThrow(/invalid location "<token>": the aks private dns zone is regional/);
  });

  it('returns subnets by name and names the unknown subnet or zone in the error', () => {
    const { network } = make();
    expect(network.subnet('endpoints')).toBe(network.subnets['endpoints']);
    expect(() => network.subnet('nope')).toThrow(ValidationError);
    expect(() => network.subnet('nope')).toThrow(
      /test\/Network: invalid subnet "nope": known subnets are "aks-nodes", "endpoints"/,
    );
    expect(() => network.dnsZone('cosmosSql')).toThrow(
      /invalid dnsZone "cosmosSql": add it to privateDnsZones; created zones are none/,
    );
  });

  it('sends diagnostics for the vnet and logs only for nsgs, and locks the vnet', () => {
    const s = make({
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
    }).out();
    const diags = resources(s, 'azurerm_monitor_diagnostic_setting');
    expect(diags).toHaveLength(3);
    expect(s).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringMatching(/azurerm_virtual_network/),
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    const nsgDiags = diags.filter((d) =>
      String(d.target_resource_id).includes('azurerm_network_security_group'),
    );
    expect(nsgDiags).toHaveLength(2);
    for (const d of nsgDiags) {
      expect(d.enabled_log).toEqual([{ category_group: 'allLogs' }]);
      expect(d.enabled_metric ?? []).toEqual([]);
    }
    expect(s).toHaveResourceWithProperties(ManagementLock, {
      lock_level: 'CanNotDelete',
      scope: expect.stringMatching(/azurerm_virtual_network/),
    });
  });

  it('propagates tags to the vnet, nsgs and dns zones', () => {
    const s = make({ tags: { env: 'test' }, privateDnsZones: ['vault'] }).out();
    expect(s).toHaveResourceWithProperties(VirtualNetwork, { tags: { env: 'test' } });
    expect(s).toHaveResourceWithProperties(NetworkSecurityGroup, { tags: { env: 'test' } });
    expect(s).toHaveResourceWithProperties(PrivateDnsZone, { tags: { env: 'test' } });
    expect(s).toHaveResource(SubnetNetworkSecurityGroupAssociation);
  });

  const rule = {
    name: 'R',
    priority: 200,
    direction: 'Inbound' as const,
    access: 'Allow' as const,
    protocol: 'Tcp' as const,
    destinationPortRanges: ['443'],
  };
  it.each<[string, Partial<NetworkProps>, RegExp]>([
    ['name', { name: 'v' }, /invalid name "v": a virtual network name is 2 to 64/],
    [
      'addressSpace',
      { addressSpace: ['10.0.0.0/8', '10.1.0.0/33'] },
      /invalid addressSpace\[1\] "10.1.0.0\/33"/,
    ],
    ['addressSpace', { addressSpace: [] }, /invalid addressSpace \[\]: at least one ipv4 cidr/],
    [
      'subnet outside the space',
      { subnets: [{ name: 'a', addressPrefix: '10.21.0.0/24' }] },
      /invalid subnets\[0\].addressPrefix "10.21.0.0\/24": a range inside the address space 10.20.0.0\/16/,
    ],
    [
      'overlapping subnets',
      {
        subnets: [
          { name: 'a', addressPrefix: '10.20.0.0/22' },
          { name: 'b', addressPrefix: '10.20.3.0/24' },
        ],
      },
      /invalid subnets\[1\].addressPrefix "10.20.3.0\/24": a range that does not overlap subnet "a" \(10.20.0.0\/22\)/,
    ],
    [
      'duplicate subnet name',
      {
        subnets: [
          { name: 'a', addressPrefix: '10.20.0.0/24' },
          { name: 'a', addressPrefix: '10.20.1.0/24' },
        ],
      },
      /invalid subnets\[1\].name "a": subnet names must be unique/,
    ],
    [
      'subnet name',
      { subnets: [{ name: 'bad name', addressPrefix: '10.20.0.0/24' }] },
      /invalid subnets\[0\].name "bad name"/,
    ],
    [
      'unknown delegation',
      {
        subnets: [
          { name: 'a', addressPrefix: '10.20.0.0/24', delegation: 'Microsoft.Foo/bar' as never },
        ],
      },
      /invalid subnets\[0\].delegation "Microsoft.Foo\/bar": a well-known service/,
    ],
    [
      'service endpoint',
      { subnets: [{ name: 'a', addressPrefix: '10.20.0.0/24', serviceEndpoints: ['Storage'] }] },
      /invalid subnets\[0\].serviceEndpoints\[0\] "Storage"/,
    ],
    [
      'nsg on GatewaySubnet',
      {
        subnets: [
          { name: 'GatewaySubnet', addressPrefix: '10.20.0.0/27', networkSecurityGroup: true },
        ],
      },
      /invalid subnets\[0\].networkSecurityGroup true: azure forbids an nsg on GatewaySubnet/,
    ],
    [
      'rule priority range',
      {
        subnets: [
          {
            name: 'a',
            addressPrefix: '10.20.0.0/24',
            securityRules: [{ ...rule, priority: 4096 }],
          },
        ],
      },
      /invalid subnets\[0\].securityRules\[0\].priority 4096: allowed is an integer from 100 to 4095/,
    ],
    [
      'duplicate rule priority',
      {
        subnets: [
          {
            name: 'a',
            addressPrefix: '10.20.0.0/24',
            securityRules: [rule, { ...rule, name: 'S' }],
          },
        ],
      },
      /invalid subnets\[0\].securityRules\[1\].priority 200: a priority no other inbound rule uses/,
    ],
    [
      'reserved rule name',
      {
        subnets: [
          {
            name: 'a',
            addressPrefix: '10.20.0.0/24',
            securityRules: [{ ...rule, name: 'DenyInternetInbound' }],
          },
        ],
      },
      /securityRules\[0\].name "DenyInternetInbound": rule names must be unique/,
    ],
    [
      'service tag in a list',
      {
        subnets: [
          {
            name: 'a',
            addressPrefix: '10.20.0.0/24',
            securityRules: [{ ...rule, sourceAddressPrefixes: ['Internet', '10.0.0.0/8'] }],
          },
        ],
      },
      /securityRules\[0\].sourceAddressPrefixes \["Internet","10.0.0.0\/8"\]: a service tag or "\*" must be the only prefix/,
    ],
    [
      'port',
      {
        subnets: [
          {
            name: 'a',
            addressPrefix: '10.20.0.0/24',
            securityRules: [{ ...rule, destinationPortRanges: ['https'] }],
          },
        ],
      },
      /securityRules\[0\].destinationPortRanges\[0\] "https"/,
    ],
    [
      'unknown dns zone',
      { privateDnsZones: ['mysql' as never] },
      /invalid privateDnsZones\[0\] "mysql": allowed values are "vault"/,
    ],
    [
      'private endpoints',
      { privateEndpoints: { main: { subnet: { id: 's', name: 's' }, privateDnsZones: [] } } },
      /invalid privateEndpoints "1 endpoint\(s\)": a virtual network takes no private endpoint/,
    ],
  ])('rejects a bad %s with a message naming the prop', (_what, props, message) => {
    expect(() => make(props)).toThrow(message);
  });
});

describe('Network NAT gateway', () => {
  it('gives the subnets that ask for it one NAT gateway with a static standard public IP', () => {
    const out = make({
      subnets: [
        { name: 'aks-nodes', addressPrefix: '10.20.0.0/22' },
        { name: 'hdinsight', addressPrefix: '10.20.8.0/24', natGateway: true },
      ],
    }).out();
    const [nat] = resources(out, 'azurerm_nat_gateway');
    expect(nat).toMatchObject({ name: 'ng-vnet-iot-test', sku_name: 'Standard' });
    expect(resources(out, 'azurerm_public_ip')).toEqual([
      expect.objectContaining({
        name: 'pip-vnet-iot-test-nat',
        allocation_method: 'Static',
        sku: 'Standard',
      }),
    ]);
    expect(resources(out, 'azurerm_nat_gateway_public_ip_association')).toHaveLength(1);
    const associations = resources(out, 'azurerm_subnet_nat_gateway_association');
    expect(associations).toHaveLength(1);
    expect(associations[0].subnet_id).toMatch(/azurerm_subnet\.Network_Subnet-hdinsight_\w+\.id/);
  });

  it('creates no NAT gateway and no public IP when no subnet asks for one', () => {
    const out = make().out();
    expect(resources(out, 'azurerm_nat_gateway')).toHaveLength(0);
    expect(resources(out, 'azurerm_public_ip')).toHaveLength(0);
  });
});
