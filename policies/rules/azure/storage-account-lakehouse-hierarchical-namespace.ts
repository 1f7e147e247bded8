import { expectBool, notApplicable } from '../../engine/check';
import type { Rule } from '../../engine/types';

const CONNECTOR = 'azurerm_databricks_access_connector';

/**
 * A storage account a Databricks access connector is granted on (a Unity Catalog lakehouse)
 * has a hierarchical namespace: Delta tables need atomic directory renames and ACLs, which only
 * ADLS Gen2 gives. Other accounts are not its concern.
 */
export const storageAccountLakehouseHierarchicalNamespace: Rule = {
  id: 'storage-account-lakehouse-hierarchical-namespace',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r, ctx) => {
    const grants = ctx
      .referrers(r, { types: ['azurerm_role_assignment'], attribute: 'scope' })
      .map((ref) => ref.from);
    const lakehouse = grants.some((g) =>
      ctx.references(g, 'principal_id').some((ref) => ref.to.type === CONNECTOR),
    );
    if (!lakehouse) {
      return notApplicable('no databricks access connector is granted on this account');
    }
    return expectBool(r, 'is_hns_enabled', true, false);
  },
};
