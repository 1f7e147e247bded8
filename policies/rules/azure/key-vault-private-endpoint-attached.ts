import type { Rule } from '../../engine/types';
import { privateEndpointAttached } from '../shared';

/** A private endpoint in the stack connects to the vault. */
export const keyVaultPrivateEndpointAttached: Rule = {
  id: 'key-vault-private-endpoint-attached',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r, ctx) => privateEndpointAttached(r, ctx),
};
