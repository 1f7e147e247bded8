import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer, effectiveSecurityBool } from './workload';

/** Every container must run as a non-root user (`run_as_non_root`, container or pod level). */
export const kubernetesWorkloadRunsAsNonRoot: Rule = {
  id: 'kubernetes-workload-runs-as-non-root',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c, pod) => {
      const { value, path } = effectiveSecurityBool(c, pod, 'run_as_non_root');
      const uid = c.num('security_context.run_as_user');
      if (uid.state === 'known' && uid.value === 0)
        return fail('run_as_user = 0', c.pathOf('security_context.run_as_user'));
      if (value.state === 'unknown') return unknown(value.reason, path);
      if (value.state === 'known' && value.value) return pass('run_as_non_root = true', path);
      return fail('run_as_non_root is not true at container or pod level', path);
    }),
};
