import { fail, pass } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Every long-running container has liveness and readiness probes. */
export const kubernetesWorkloadProbesDefined: Rule = {
  id: 'kubernetes-workload-probes-defined',
  appliesTo: WORKLOAD_TYPES.filter((t) => !t.includes('job')),
  evaluate: (r) =>
    eachContainer(
      r,
      (c) => {
        const missing = ['liveness_probe', 'readiness_probe'].filter((p) => !c.has(p));
        return missing.length > 0
          ? fail(`missing ${missing.join(', ')}`)
          : pass('liveness and readiness probes set');
      },
      { initContainers: false },
    ),
};
