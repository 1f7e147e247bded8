/** Reading the `rule` blocks of Role and ClusterRole resources. */
import type { Node, Resource } from '../../engine/resource';

/** Role-like resource types of the kubernetes provider. */
export const ROLE_TYPES: readonly string[] = [
  'kubernetes_role_v1',
  'kubernetes_role',
  'kubernetes_cluster_role_v1',
  'kubernetes_cluster_role',
];

/** The rule blocks of a role, or the reason they cannot be read. */
export function roleRules(r: Resource): { rules: Node[] } | { reason: string } {
  const rules = r.blocks('rule');
  return rules.state === 'known' ? { rules: rules.value } : { reason: rules.reason };
}
