import { expectBool, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Kubernetes authorization uses Azure RBAC over Entra identities. */
export const kubernetesClusterEntraRbacEnabled: Rule = {
  id: 'kubernetes-cluster-entra-rbac-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) =>
    worst([
      expectBool(r, 'role_based_access_control_enabled', true, true),
      expectBool(r, 'azure_active_directory_role_based_access_control.azure_rbac_enabled', true),
    ]),
};
