import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Container Insights ships node and pod logs to Log Analytics. */
export const kubernetesClusterMonitoringEnabled: Rule = {
  id: 'kubernetes-cluster-monitoring-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectSet(r, 'oms_agent.log_analytics_workspace_id', 'a workspace id'),
};
