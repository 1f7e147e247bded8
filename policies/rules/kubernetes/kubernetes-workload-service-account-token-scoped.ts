import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, isVerdict, podSpec } from './workload';

/**
 * Pods mount an API token only with a dedicated service account; pods on the `default`
 * account must set `automount_service_account_token = false`.
 */
export const kubernetesWorkloadServiceAccountTokenScoped: Rule = {
  id: 'kubernetes-workload-service-account-token-scoped',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) => {
    const pod = podSpec(r);
    if (isVerdict(pod)) return pod;
    const mount = pod.bool('automount_service_account_token');
    const sa = pod.str('service_account_name');
    const at = pod.pathOf('automount_service_account_token');
    if (mount.state === 'unknown' || sa.state === 'unknown')
      return unknown('service account settings are expressions', at);
    if (mount.state === 'known' && !mount.value) return pass('no API token mounted', at);
    if (sa.state === 'known' && sa.value !== 'default') {
      return pass(
        `token of dedicated service account ${sa.value}`,
        pod.pathOf('service_account_name'),
      );
    }
    return fail('default service account with its API token mounted', at);
  },
};
