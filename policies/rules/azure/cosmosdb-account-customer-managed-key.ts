import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The account's data is encrypted with a customer-managed key from Key Vault. */
export const cosmosdbAccountCustomerManagedKey: Rule = {
  id: 'cosmosdb-account-customer-managed-key',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate: (r) => expectSet(r, 'key_vault_key_id', 'a Key Vault key id'),
};
