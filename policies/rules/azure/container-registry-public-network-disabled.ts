import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The registry's public endpoint is off (Premium SKU), images are pulled over private link. */
export const containerRegistryPublicNetworkDisabled: Rule = {
  id: 'container-registry-public-network-disabled',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
