import { expectBool, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Pods get Entra tokens through workload identity (OIDC issuer on), not node identities or secrets. */
export const kubernetesClusterWorkloadIdentityEnabled: Rule = {
  id: 'kubernetes-cluster-workload-identity-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) =>
    worst([
      expectBool(r, 'oidc_issuer_enabled', true, false),
      expectBool(r, 'workload_identity_enabled', true, false),
    ]),
};
