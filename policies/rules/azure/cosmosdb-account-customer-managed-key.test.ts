import { testRule } from '../../testing';
import { cosmosdbAccountCustomerManagedKey } from './cosmosdb-account-customer-managed-key';

const COSMOS = 'azurerm_cosmosdb_account.db';

testRule(cosmosdbAccountCustomerManagedKey, {
  compliant: [{ [COSMOS]: { key_vault_key_id: '${azurerm_key_vault_key.cmk.versionless_id}' } }],
  nonCompliant: [{ [COSMOS]: {} }, { [COSMOS]: { key_vault_key_id: '' } }],
  unknown: [{ [COSMOS]: { key_vault_key_id: '${var.key_id}' } }],
});
