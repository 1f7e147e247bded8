import { fail, notApplicable, pass, unknown } from '../../engine/check';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';

/** Role attribute paths that hold a subnet id. */
const ROLE_SUBNETS = [
  'roles.head_node.subnet_id',
  'roles.worker_node.subnet_id',
  'roles.zookeeper_node.subnet_id',
  'roles.kafka_management_node.subnet_id',
];

/** How a subnet gets out to the internet when default outbound access is off. */
function egressOf(subnet: Resource, ctx: RuleContext): string | undefined {
  for (const [type, what] of [
    ['azurerm_subnet_nat_gateway_association', 'a NAT gateway'],
    ['azurerm_subnet_route_table_association', 'a route table (firewall or appliance)'],
  ] as const) {
    if (ctx.referrers(subnet, { types: [type], attribute: 'subnet_id' }).length > 0) return what;
  }
  return undefined;
}

/**
 * An HDInsight cluster with Private Link has an outbound path from its subnet: Private Link
 * removes the cluster's public load balancer IPs and the nodes reach the resource provider
 * outbound, so with default outbound access off the subnet needs a NAT gateway or a route
 * through a firewall, or cluster creation fails.
 */
export const hdinsightPrivateLinkSubnetHasEgress: Rule = {
  id: 'hdinsight-private-link-subnet-has-egress',
  appliesTo: ['azurerm_hdinsight_kafka_cluster'],
  evaluate: (cluster: Resource, ctx: RuleContext): Verdict | Verdict[] => {
    const privateLink = cluster.bool('network.private_link_enabled');
    if (privateLink.state === 'unknown')
      return unknown('network.private_link_enabled is an expression');
    if (privateLink.state !== 'known' || !privateLink.value) {
      return notApplicable('private link is off: the cluster keeps its public load balancer');
    }
    const subnets = new Map<string, Resource>();
    for (const path of ROLE_SUBNETS) {
      for (const ref of ctx.references(cluster, path)) {
        if (ref.to.type === 'azurerm_subnet') subnets.set(ref.to.address, ref.to);
      }
    }
    if (subnets.size === 0) {
      return unknown('the roles join a subnet this stack does not define; check its egress');
    }
    return [...subnets.values()].map((subnet) => {
      const via = egressOf(subnet, ctx);
      if (via) return pass(`${subnet.address} goes out through ${via}`);
      const implicit = subnet.bool('default_outbound_access_enabled');
      if (implicit.state === 'unknown') {
        return unknown(`${subnet.address}: default_outbound_access_enabled is an expression`);
      }
      // azurerm's default is true: Azure's implicit outbound access (being retired)
      if (implicit.state === 'absent' || implicit.value) {
        return pass(`${subnet.address} uses Azure's default outbound access`);
      }
      return fail(
        `${subnet.address} has default outbound access off and no NAT gateway or route table: the private link cluster cannot reach its resource provider`,
        'network.private_link_enabled',
      );
    });
  },
};
