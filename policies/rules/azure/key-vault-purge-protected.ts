import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Purge protection keeps a deleted vault and its keys recoverable for the retention period. */
export const keyVaultPurgeProtected: Rule = {
  id: 'key-vault-purge-protected',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r) => expectBool(r, 'purge_protection_enabled', true, false),
};
