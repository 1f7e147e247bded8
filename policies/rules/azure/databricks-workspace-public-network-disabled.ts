import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The workspace's web UI and REST API answer only through private endpoints. */
export const databricksWorkspacePublicNetworkDisabled: Rule = {
  id: 'databricks-workspace-public-network-disabled',
  appliesTo: ['azurerm_databricks_workspace'],
  // azurerm defaults public_network_access_enabled to true
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
