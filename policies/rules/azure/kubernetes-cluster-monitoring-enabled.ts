import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Container Insights ships node and pod logs to Log Analytics. */
export const kubernetesClusterMonitoringEnabled: Rule = {
  id: 'kubernetes-cluster-monitoring-enabled',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) =>
    expectString(r, 'oms_agent.log_analytics_workspace_id', {
      test: (v) => v !== '',
      expected: 'a workspace id',
    }),
};
