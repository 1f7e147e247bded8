import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Keys cannot change databases and containers; only the control plane (Terraform) can. */
export const cosmosdbAccountKeyMetadataWritesDisabled: Rule = {
  id: 'cosmosdb-account-key-metadata-writes-disabled',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate: (r) => expectBool(r, 'access_key_metadata_writes_enabled', false, true),
};
