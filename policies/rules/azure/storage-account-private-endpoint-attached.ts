import type { Rule } from '../../engine/types';
import { privateEndpointAttached } from '../shared';

/** A private endpoint in the stack connects to the account. */
export const storageAccountPrivateEndpointAttached: Rule = {
  id: 'storage-account-private-endpoint-attached',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r, ctx) => privateEndpointAttached(r, ctx),
};
