import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Account keys are off; clients authenticate with Entra ID. */
export const storageAccountSharedKeyDisabled: Rule = {
  id: 'storage-account-shared-key-disabled',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => expectBool(r, 'shared_access_key_enabled', false, true),
};
