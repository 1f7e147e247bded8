import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The app is reachable only through private endpoint / the front door in front of it. */
export const linuxWebAppPublicNetworkDisabled: Rule = {
  id: 'linux-web-app-public-network-disabled',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
