import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Service accounts do not mount API tokens into every pod by default; pods opt in. */
export const kubernetesServiceAccountTokenNotAutomounted: Rule = {
  id: 'kubernetes-service-account-token-not-automounted',
  appliesTo: ['kubernetes_service_account_v1', 'kubernetes_service_account'],
  evaluate: (r) => expectBool(r, 'automount_service_account_token', false, true),
};
