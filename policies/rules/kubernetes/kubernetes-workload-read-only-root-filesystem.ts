import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Containers cannot write to their image filesystem; writable paths are explicit volumes. */
export const kubernetesWorkloadReadOnlyRootFilesystem: Rule = {
  id: 'kubernetes-workload-read-only-root-filesystem',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) =>
      expectBool(c, 'security_context.read_only_root_filesystem', true, false),
    ),
};
