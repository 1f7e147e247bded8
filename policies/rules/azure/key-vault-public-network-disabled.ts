import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The vault's public endpoint is off; access goes through a private endpoint. */
export const keyVaultPublicNetworkDisabled: Rule = {
  id: 'key-vault-public-network-disabled',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
