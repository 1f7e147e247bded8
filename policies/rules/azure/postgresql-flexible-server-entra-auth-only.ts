import { expectBool, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Sign-in with Entra ID only: password authentication is off. */
export const postgresqlFlexibleServerEntraAuthOnly: Rule = {
  id: 'postgresql-flexible-server-entra-auth-only',
  appliesTo: ['azurerm_postgresql_flexible_server'],
  evaluate: (r) =>
    worst([
      expectBool(r, 'authentication.active_directory_auth_enabled', true, false),
      expectBool(r, 'authentication.password_auth_enabled', false, true),
    ]),
};
