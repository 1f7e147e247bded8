import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The namespace has no public endpoint. */
export const eventhubNamespacePublicNetworkDisabled: Rule = {
  id: 'eventhub-namespace-public-network-disabled',
  appliesTo: ['azurerm_eventhub_namespace'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
