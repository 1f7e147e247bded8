import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clusters run in the customer's VNet (VNet injection), where its NSGs and egress apply. */
export const databricksWorkspaceVnetInjected: Rule = {
  id: 'databricks-workspace-vnet-injected',
  appliesTo: ['azurerm_databricks_workspace'],
  evaluate: (r) =>
    expectSet(r, 'custom_parameters.virtual_network_id', 'the id of the VNet the clusters join'),
};
