import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Node temp disks and caches are encrypted at the host. */
export const kubernetesClusterHostEncryptionEnabled: Rule = {
  id: 'kubernetes-cluster-host-encryption-enabled',
  appliesTo: ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool'],
  evaluate: (r) =>
    r.type === 'azurerm_kubernetes_cluster'
      ? expectBool(r, 'default_node_pool.host_encryption_enabled', true, false)
      : expectBool(r, 'host_encryption_enabled', true, false),
};
