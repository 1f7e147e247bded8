import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Object replication to other tenants is off (azurerm 4.x default). */
export const storageAccountCrossTenantReplicationDisabled: Rule = {
  id: 'storage-account-cross-tenant-replication-disabled',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => expectBool(r, 'cross_tenant_replication_enabled', false, false),
};
