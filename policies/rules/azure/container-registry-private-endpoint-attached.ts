import type { Rule } from '../../engine/types';
import { privateEndpointAttached } from '../shared';

/** A private endpoint in the stack connects to the registry. */
export const containerRegistryPrivateEndpointAttached: Rule = {
  id: 'container-registry-private-endpoint-attached',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r, ctx) => privateEndpointAttached(r, ctx),
};
