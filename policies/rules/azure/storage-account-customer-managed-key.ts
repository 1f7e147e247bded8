import { expectSet, pass } from '../../engine/check';
import type { Rule } from '../../engine/types';

/**
 * The account is encrypted with a customer-managed key: an inline `customer_managed_key` block,
 * or an `azurerm_storage_account_customer_managed_key` in the stack that targets the account.
 */
export const storageAccountCustomerManagedKey: Rule = {
  id: 'storage-account-customer-managed-key',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r, ctx) => {
    if (r.get('customer_managed_key').state !== 'absent') {
      return expectSet(r, 'customer_managed_key.key_vault_key_id', 'a Key Vault key id');
    }
    const refs = ctx.referrers(r, {
      types: ['azurerm_storage_account_customer_managed_key'],
      attribute: 'storage_account_id',
    });
    if (refs.length > 0) {
      return pass(`customer-managed key: ${refs.map((x) => x.from.address).join(', ')}`);
    }
    return expectSet(r, 'customer_managed_key.key_vault_key_id', 'a customer-managed key');
  },
};
