import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The server has no public endpoint (VNet integration or private endpoint). */
export const postgresqlFlexibleServerPublicNetworkDisabled: Rule = {
  id: 'postgresql-flexible-server-public-network-disabled',
  appliesTo: ['azurerm_postgresql_flexible_server'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
