import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The shared admin user is off; pulls and pushes use Entra identities. */
export const containerRegistryAdminDisabled: Rule = {
  id: 'container-registry-admin-disabled',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r) => expectBool(r, 'admin_enabled', false, false),
};
