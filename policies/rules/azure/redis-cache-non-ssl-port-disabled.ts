import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The plaintext port 6379 is closed (3.x `enable_non_ssl_port` is read too). */
export const redisCacheNonSslPortDisabled: Rule = {
  id: 'redis-cache-non-ssl-port-disabled',
  appliesTo: ['azurerm_redis_cache'],
  evaluate: (r) => expectBool(r, 'non_ssl_port_enabled', false, false),
};
