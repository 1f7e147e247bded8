import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The gateway's public endpoint is off (internal VNet mode behind a gateway or private endpoint). */
export const apiManagementPublicNetworkDisabled: Rule = {
  id: 'api-management-public-network-disabled',
  appliesTo: ['azurerm_api_management'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
