import type { Rule } from '../../engine/types';
import { privateEndpointAttached } from '../shared';

/** A private endpoint in the stack connects to the account. */
export const cosmosdbAccountPrivateEndpointAttached: Rule = {
  id: 'cosmosdb-account-private-endpoint-attached',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate: (r, ctx) => privateEndpointAttached(r, ctx),
};
