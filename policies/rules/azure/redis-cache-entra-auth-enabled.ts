import { expectBool, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients authenticate with Entra ID; access keys are off. */
export const redisCacheEntraAuthEnabled: Rule = {
  id: 'redis-cache-entra-auth-enabled',
  appliesTo: ['azurerm_redis_cache'],
  evaluate: (r) =>
    worst([
      expectBool(r, 'redis_configuration.active_directory_authentication_enabled', true, false),
      expectBool(r, 'access_keys_authentication_enabled', false, true),
    ]),
};
