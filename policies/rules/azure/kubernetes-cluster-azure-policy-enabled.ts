import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The Azure Policy add-on (Gatekeeper) enforces pod security at admission. */
export const kubernetesClusterAzurePolicyEnabled: Rule = {
  id: 'kubernetes-cluster-azure-policy-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectBool(r, 'azure_policy_enabled', true, false),
};
