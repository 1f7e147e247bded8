import { expectNumber } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Deleted blobs are kept at least 7 days. */
export const storageAccountBlobSoftDeleteEnabled: Rule = {
  id: 'storage-account-blob-soft-delete-enabled',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) =>
    expectNumber(r, 'blob_properties.delete_retention_policy.days', {
      test: (v) => v >= 7,
      expected: '>= 7 days',
    }),
};
