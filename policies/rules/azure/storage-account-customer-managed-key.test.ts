import { testRule } from '../../testing';
import { storageAccountCustomerManagedKey } from './storage-account-customer-managed-key';

const SA = 'azurerm_storage_account.sa';
const KEY = '${azurerm_key_vault_key.cmk.versionless_id}';

testRule(storageAccountCustomerManagedKey, {
  compliant: [
    { [SA]: { customer_managed_key: { key_vault_key_id: KEY, user_assigned_identity_id: 'x' } } },
    // The key as its own resource pointing at the account.
    {
      [SA]: {},
      'azurerm_storage_account_customer_managed_key.cmk': {
        storage_account_id: '${azurerm_storage_account.sa.id}',
        key_vault_key_id: KEY,
      },
    },
  ],
  nonCompliant: [
    { [SA]: {} },
    // A customer-managed key for another account does not count.
    {
      [SA]: {},
      'azurerm_storage_account.other': {},
      'azurerm_storage_account_customer_managed_key.cmk': {
        storage_account_id: '${azurerm_storage_account.other.id}',
        key_vault_key_id: KEY,
      },
    },
  ],
  unknown: [{ [SA]: { customer_managed_key: { key_vault_key_id: '${var.key_id}' } } }],
});
