import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The cache has no public endpoint. */
export const redisCachePublicNetworkDisabled: Rule = {
  id: 'redis-cache-public-network-disabled',
  appliesTo: ['azurerm_redis_cache'],
  evaluate: (r) => expectBool(r, 'public_network_access_enabled', false, true),
};
