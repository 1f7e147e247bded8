import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** No container can be made anonymously readable (2.x `allow_blob_public_access` is read too). */
export const storageAccountPublicBlobAccessDisabled: Rule = {
  id: 'storage-account-public-blob-access-disabled',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => expectBool(r, 'allow_nested_items_to_be_public', false, true),
};
