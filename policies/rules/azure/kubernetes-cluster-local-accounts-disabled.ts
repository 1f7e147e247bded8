import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** No static cluster-admin kubeconfig: every user signs in with Entra ID. */
export const kubernetesClusterLocalAccountsDisabled: Rule = {
  id: 'kubernetes-cluster-local-accounts-disabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectBool(r, 'local_account_disabled', true, false),
};
