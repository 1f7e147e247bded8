import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Secure cluster connectivity: no cluster node has a public IP address. */
export const databricksWorkspaceNoPublicIp: Rule = {
  id: 'databricks-workspace-no-public-ip',
  appliesTo: ['azurerm_databricks_workspace'],
  // azurerm 3.104+ defaults custom_parameters.no_public_ip to true
  evaluate: (r) => expectBool(r, 'custom_parameters.no_public_ip', true, true),
};
