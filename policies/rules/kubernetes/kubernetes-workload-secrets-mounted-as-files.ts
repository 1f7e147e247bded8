import { fail, pass } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Secrets reach containers as files, not environment variables (which leak into logs and dumps). */
export const kubernetesWorkloadSecretsMountedAsFiles: Rule = {
  id: 'kubernetes-workload-secrets-mounted-as-files',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) => {
      const env = c.blocks('env.value_from.secret_key_ref');
      const envFrom = c.blocks('env_from.secret_ref');
      const count =
        (env.state === 'known' ? env.value.length : 0) +
        (envFrom.state === 'known' ? envFrom.value.length : 0);
      return count > 0
        ? fail(`${count} secret(s) passed as environment variables`, c.pathOf('env'))
        : pass('no secret in environment variables');
    }),
};
