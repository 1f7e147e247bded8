import { expectString, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Kubernetes and node images follow an automatic upgrade channel. */
export const kubernetesClusterAutoUpgradeEnabled: Rule = {
  id: 'kubernetes-cluster-auto-upgrade-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) =>
    worst([
      expectString(r, 'automatic_upgrade_channel', {
        test: (v) => ['patch', 'stable', 'rapid', 'node-image'].includes(v),
        expected: 'patch, stable, rapid or node-image',
      }),
      expectString(r, 'node_os_upgrade_channel', {
        default: 'NodeImage',
        test: (v) => ['NodeImage', 'SecurityPatch'].includes(v),
        expected: 'NodeImage or SecurityPatch',
      }),
    ]),
};
