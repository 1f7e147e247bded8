import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** No container runs privileged (full host access). */
export const kubernetesWorkloadNotPrivileged: Rule = {
  id: 'kubernetes-workload-not-privileged',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) => expectBool(c, 'security_context.privileged', false, false)),
};
