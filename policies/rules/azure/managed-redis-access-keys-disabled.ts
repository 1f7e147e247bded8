import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients authenticate with Entra ID; access keys are off. */
export const managedRedisAccessKeysDisabled: Rule = {
  id: 'managed-redis-access-keys-disabled',
  appliesTo: ['azurerm_managed_redis'],
  evaluate: (r) =>
    expectBool(r, 'default_database.access_keys_authentication_enabled', false, false),
};
