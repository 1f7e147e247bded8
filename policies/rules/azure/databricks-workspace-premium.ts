import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Premium tier: Private Link, customer-managed keys, Unity Catalog access control, audit logs. */
export const databricksWorkspacePremium: Rule = {
  id: 'databricks-workspace-premium',
  appliesTo: ['azurerm_databricks_workspace'],
  evaluate: (r) => expectString(r, 'sku', { test: (v) => v === 'premium', expected: '"premium"' }),
};
