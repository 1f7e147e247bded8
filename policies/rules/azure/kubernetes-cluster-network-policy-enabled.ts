import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A network policy engine is installed, so NetworkPolicy objects are enforced. */
export const kubernetesClusterNetworkPolicyEnabled: Rule = {
  id: 'kubernetes-cluster-network-policy-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) =>
    expectString(r, 'network_profile.network_policy', {
      test: (v) => ['azure', 'calico', 'cilium'].includes(v.toLowerCase()),
      expected: 'azure, calico or cilium',
    }),
};
