import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Every container runs under the RuntimeDefault (or a Localhost) seccomp profile. */
export const kubernetesWorkloadSeccompRuntimeDefault: Rule = {
  id: 'kubernetes-workload-seccomp-runtime-default',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c, pod) => {
      const own = c.str('security_context.seccomp_profile.type');
      const v = own.state !== 'absent' ? own : pod.str('security_context.seccomp_profile.type');
      const at = c.pathOf('security_context.seccomp_profile.type');
      if (v.state === 'unknown') return unknown(v.reason, at);
      if (v.state === 'known' && ['RuntimeDefault', 'Localhost'].includes(v.value))
        return pass(`seccomp ${v.value}`, at);
      return fail(
        v.state === 'known' ? `seccomp ${v.value}` : 'no seccomp profile (Unconfined)',
        at,
      );
    }),
};
