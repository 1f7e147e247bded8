import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A secret has an expiration date, so a forgotten credential stops working. */
export const keyVaultSecretExpires: Rule = {
  id: 'key-vault-secret-expires',
  appliesTo: ['azurerm_key_vault_secret'],
  evaluate: (r) => expectString(r, 'expiration_date', { test: () => true, expected: 'a date' }),
};
