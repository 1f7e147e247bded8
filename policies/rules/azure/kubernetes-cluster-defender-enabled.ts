import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Microsoft Defender for Containers reports to a workspace (runtime threat detection). */
export const kubernetesClusterDefenderEnabled: Rule = {
  id: 'kubernetes-cluster-defender-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectSet(r, 'microsoft_defender.log_analytics_workspace_id', 'a workspace id'),
};
