import { expectSet, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Managed services and managed disks are encrypted with a customer-managed key. */
export const databricksWorkspaceCustomerManagedKey: Rule = {
  id: 'databricks-workspace-customer-managed-key',
  appliesTo: ['azurerm_databricks_workspace'],
  evaluate: (r) =>
    worst([
      expectSet(r, 'managed_services_cmk_key_vault_key_id', 'a Key Vault key id'),
      expectSet(r, 'managed_disk_cmk_key_vault_key_id', 'a Key Vault key id'),
    ]),
};
