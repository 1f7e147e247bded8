import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A second, infrastructure-level encryption layer (set at creation only). */
export const storageAccountInfrastructureEncrypted: Rule = {
  id: 'storage-account-infrastructure-encrypted',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => expectBool(r, 'infrastructure_encryption_enabled', true, false),
};
