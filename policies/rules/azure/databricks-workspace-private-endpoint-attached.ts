import type { Rule } from '../../engine/types';
import { privateEndpointAttached } from '../shared';

/** A private endpoint in the stack connects to the workspace (its UI/API or browser auth). */
export const databricksWorkspacePrivateEndpointAttached: Rule = {
  id: 'databricks-workspace-private-endpoint-attached',
  appliesTo: ['azurerm_databricks_workspace'],
  evaluate: (r, ctx) => privateEndpointAttached(r, ctx),
};
