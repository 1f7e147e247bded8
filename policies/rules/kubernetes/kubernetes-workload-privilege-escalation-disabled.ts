import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** `allow_privilege_escalation = false` on every container (Kubernetes defaults it to true). */
export const kubernetesWorkloadPrivilegeEscalationDisabled: Rule = {
  id: 'kubernetes-workload-privilege-escalation-disabled',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) =>
      expectBool(c, 'security_context.allow_privilege_escalation', false, true),
    ),
};
