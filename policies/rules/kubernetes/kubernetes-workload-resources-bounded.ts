import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Every container requests CPU and memory and has a memory limit (scheduling and noisy neighbours). */
export const kubernetesWorkloadResourcesBounded: Rule = {
  id: 'kubernetes-workload-resources-bounded',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(
      r,
      (c) => {
        const needed = [
          'resources.requests.cpu',
          'resources.requests.memory',
          'resources.limits.memory',
        ];
        const values = needed.map((p) => ({ p, v: c.str(p) }));
        const missing = values.filter((x) => x.v.state === 'absent').map((x) => x.p);
        if (missing.length > 0) return fail(`missing ${missing.join(', ')}`, c.pathOf('resources'));
        if (values.some((x) => x.v.state === 'unknown'))
          return unknown('resources are expressions', c.pathOf('resources'));
        return pass('requests cpu/memory and limits memory are set', c.pathOf('resources'));
      },
      { initContainers: false },
    ),
};
