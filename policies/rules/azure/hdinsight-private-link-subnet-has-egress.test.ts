import { testRule } from '../../testing';
import { hdinsightPrivateLinkSubnetHasEgress } from './hdinsight-private-link-subnet-has-egress';

const HDI = 'azurerm_hdinsight_kafka_cluster.k';
const SUBNET = 'azurerm_subnet.hdi';
const roles = {
  head_node: { subnet_id: '${azurerm_subnet.hdi.id}' },
  worker_node: { subnet_id: '${azurerm_subnet.hdi.id}' },
  zookeeper_node: { subnet_id: '${azurerm_subnet.hdi.id}' },
};
const cluster = (privateLink: boolean) => ({
  network: { connection_direction: 'Outbound', private_link_enabled: privateLink },
  roles,
});

testRule(hdinsightPrivateLinkSubnetHasEgress, {
  compliant: [
    // 1. default outbound access off, NAT gateway associated (what the platform does)
    {
      [HDI]: cluster(true),
      [SUBNET]: { default_outbound_access_enabled: false },
      'azurerm_subnet_nat_gateway_association.n': {
        subnet_id: '${azurerm_subnet.hdi.id}',
        nat_gateway_id: '${azurerm_nat_gateway.ng.id}',
      },
    },
    // 2. a route table (to a firewall) instead
    {
      [HDI]: cluster(true),
      [SUBNET]: { default_outbound_access_enabled: false },
      'azurerm_subnet_route_table_association.r': { subnet_id: '${azurerm_subnet.hdi.id}' },
    },
    // 3. Azure's default outbound access left on (azurerm's default)
    { [HDI]: cluster(true), [SUBNET]: {} },
  ],
  nonCompliant: [
    // 1. the finding: private link on, default outbound access off, no path out
    { [HDI]: cluster(true), [SUBNET]: { default_outbound_access_enabled: false } },
    // 2. a NAT gateway on another subnet does not count
    {
      [HDI]: cluster(true),
      [SUBNET]: { default_outbound_access_enabled: false },
      'azurerm_subnet.other': {},
      'azurerm_subnet_nat_gateway_association.n': { subnet_id: '${azurerm_subnet.other.id}' },
    },
  ],
  unknown: [
    // 1. the subnet is not in this stack
    {
      [HDI]: {
        network: { private_link_enabled: true },
        roles: { worker_node: { subnet_id: '/subscriptions/x/subnets/hdi' } },
      },
    },
  ],
  notApplicable: [
    // 1. private link off: the cluster's public load balancer carries its outbound traffic
    { [HDI]: cluster(false), [SUBNET]: { default_outbound_access_enabled: false } },
  ],
});
