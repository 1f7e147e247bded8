import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** SAS keys are refused; producers and consumers use Entra ID. */
export const eventhubNamespaceLocalAuthDisabled: Rule = {
  id: 'eventhub-namespace-local-auth-disabled',
  appliesTo: ['azurerm_eventhub_namespace'],
  evaluate: (r) => expectBool(r, 'local_authentication_enabled', false, true),
};
