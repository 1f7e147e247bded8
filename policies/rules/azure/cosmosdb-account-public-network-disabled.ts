import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The account's public endpoint is off; clients reach it over private link. */
export const cosmosdbAccountPublicNetworkDisabled: Rule = {
  id: 'cosmosdb-account-public-network-disabled',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
