import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Nodes have no public IP address. */
export const kubernetesClusterNodePublicIpDisabled: Rule = {
  id: 'kubernetes-cluster-node-public-ip-disabled',
  appliesTo: ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool'],
  evaluate: (r) =>
    r.type === 'azurerm_kubernetes_cluster'
      ? expectBool(r, 'default_node_pool.node_public_ip_enabled', false, false)
      : expectBool(r, 'node_public_ip_enabled', false, false),
};
