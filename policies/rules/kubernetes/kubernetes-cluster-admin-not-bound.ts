import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Nothing is bound to the built-in cluster-admin role by configuration. */
export const kubernetesClusterAdminNotBound: Rule = {
  id: 'kubernetes-cluster-admin-not-bound',
  appliesTo: [
    'kubernetes_cluster_role_binding_v1',
    'kubernetes_cluster_role_binding',
    'kubernetes_role_binding_v1',
    'kubernetes_role_binding',
  ],
  evaluate: (r) =>
    expectString(r, 'role_ref.name', {
      test: (v) => v !== 'cluster-admin',
      expected: 'a role other than cluster-admin',
    }),
};
