import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Primary keys are refused; data-plane access uses Entra ID and Cosmos RBAC. */
export const cosmosdbAccountLocalAuthDisabled: Rule = {
  id: 'cosmosdb-account-local-auth-disabled',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate: (r) => expectBool(r, 'local_authentication_disabled', true, false),
};
