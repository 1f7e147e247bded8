import { worst, expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, isVerdict, podSpec } from './workload';

/** Pods do not join the host's network, PID or IPC namespaces. */
export const kubernetesWorkloadHostNamespacesNotShared: Rule = {
  id: 'kubernetes-workload-host-namespaces-not-shared',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) => {
    const pod = podSpec(r);
    if (isVerdict(pod)) return pod;
    return worst(
      ['host_network', 'host_pid', 'host_ipc'].map((f) => expectBool(pod, f, false, false)),
    );
  },
};
