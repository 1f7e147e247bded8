import { testRule } from '../../testing';
import { networkSecurityGroupAllPortsNotOpenToInternet } from './network-security-group-all-ports-not-open-to-internet';
import { networkSecurityGroupHttpNotOpenToInternet } from './network-security-group-http-not-open-to-internet';
import { networkSecurityGroupHttpsNotOpenToInternet } from './network-security-group-https-not-open-to-internet';
import { networkSecurityGroupRdpNotOpenToInternet } from './network-security-group-rdp-not-open-to-internet';
import { networkSecurityGroupSshNotOpenToInternet } from './network-security-group-ssh-not-open-to-internet';
import { networkSecurityGroupUdpNotOpenToInternet } from './network-security-group-udp-not-open-to-internet';
import { subnetNsgAssociated } from './subnet-nsg-associated';
import { virtualNetworkFlowLogged } from './virtual-network-flow-logged';

const NSG = 'azurerm_network_security_group.nsg';
const RULE = 'azurerm_network_security_rule.r';

const inbound = (over: Record<string, unknown>) => ({
  name: 'r1',
  priority: 100,
  direction: 'Inbound',
  access: 'Allow',
  protocol: 'Tcp',
  source_port_range: '*',
  source_address_prefix: 'Internet',
  destination_address_prefix: '*',
  ...over,
});

testRule(networkSecurityGroupSshNotOpenToInternet, {
  compliant: [
    {
      [NSG]: {
        security_rule: [
          inbound({ destination_port_range: '22', source_address_prefix: '10.0.0.0/8' }),
        ],
      },
    },
    { [NSG]: { security_rule: [inbound({ destination_port_range: '22', access: 'Deny' })] } },
    { [NSG]: {} },
  ],
  nonCompliant: [
    { [NSG]: { security_rule: [inbound({ destination_port_range: '22' })] } },
    {
      [NSG]: {
        security_rule: [inbound({ destination_port_range: '20-25', source_address_prefix: '*' })],
      },
    },
    {
      [RULE]: inbound({
        destination_port_ranges: ['443', '22'],
        source_address_prefix: '0.0.0.0/0',
      }),
    },
  ],
  unknown: [
    { [RULE]: inbound({ destination_port_range: '22', source_address_prefix: '${var.source}' }) },
  ],
});

testRule(networkSecurityGroupRdpNotOpenToInternet, {
  compliant: [{ [RULE]: inbound({ destination_port_range: '443' }) }],
  nonCompliant: [{ [RULE]: inbound({ destination_port_range: '3389', protocol: '*' }) }],
});

testRule(networkSecurityGroupHttpNotOpenToInternet, {
  compliant: [
    {
      [RULE]: inbound({
        destination_port_range: '80',
        source_address_prefix: 'AzureFrontDoor.Backend',
      }),
    },
  ],
  nonCompliant: [{ [RULE]: inbound({ destination_port_range: '80' }) }],
});

testRule(networkSecurityGroupHttpsNotOpenToInternet, {
  compliant: [
    { [RULE]: inbound({ destination_port_range: '443', source_address_prefix: 'VirtualNetwork' }) },
  ],
  nonCompliant: [{ [RULE]: inbound({ destination_port_range: '443' }) }],
});

testRule(networkSecurityGroupUdpNotOpenToInternet, {
  compliant: [{ [RULE]: inbound({ protocol: 'Udp', destination_port_range: '53' }) }],
  nonCompliant: [{ [RULE]: inbound({ protocol: 'Udp', destination_port_range: '*' }) }],
});

testRule(networkSecurityGroupAllPortsNotOpenToInternet, {
  compliant: [
    { [RULE]: inbound({ protocol: '*', destination_port_range: '*', direction: 'Outbound' }) },
  ],
  nonCompliant: [
    {
      [NSG]: {
        security_rule: [
          inbound({ protocol: '*', destination_port_range: '*', source_address_prefix: 'Any' }),
        ],
      },
    },
  ],
});

testRule(subnetNsgAssociated, {
  compliant: [
    {
      'azurerm_subnet.app': { name: 'app' },
      'azurerm_network_security_group.nsg': {},
      'azurerm_subnet_network_security_group_association.a': {
        subnet_id: '${azurerm_subnet.app.id}',
        network_security_group_id: '${azurerm_network_security_group.nsg.id}',
      },
    },
  ],
  nonCompliant: [{ 'azurerm_subnet.app': { name: 'app' } }],
  notApplicable: [{ 'azurerm_subnet.gw': { name: 'GatewaySubnet' } }],
});

testRule(virtualNetworkFlowLogged, {
  compliant: [
    {
      'azurerm_virtual_network.vnet': {},
      'azurerm_network_watcher_flow_log.fl': {
        target_resource_id: '${azurerm_virtual_network.vnet.id}',
      },
    },
  ],
  nonCompliant: [{ 'azurerm_virtual_network.vnet': {} }],
});
