import { expectString, tlsAtLeast } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients must use TLS 1.2 or later. */
export const redisCacheTls12: Rule = {
  id: 'redis-cache-tls-1-2',
  appliesTo: ['azurerm_redis_cache'],
  evaluate: (r) =>
    expectString(r, 'minimum_tls_version', {
      default: '1.2',
      test: (v) => tlsAtLeast(v, '1.2'),
      expected: '1.2',
    }),
};
