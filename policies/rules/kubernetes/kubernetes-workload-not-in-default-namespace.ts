import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES } from './workload';

/** Workloads live in their own namespace, where policies and quotas apply, not in `default`. */
export const kubernetesWorkloadNotInDefaultNamespace: Rule = {
  id: 'kubernetes-workload-not-in-default-namespace',
  appliesTo: [
    ...WORKLOAD_TYPES,
    'kubernetes_service_v1',
    'kubernetes_config_map_v1',
    'kubernetes_secret_v1',
  ],
  evaluate: (r) =>
    expectString(r, 'metadata.namespace', {
      default: 'default',
      test: (v) => v !== 'default',
      expected: 'a namespace other than default',
    }),
};
