import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients must speak TLS to the database. */
export const managedRedisEncryptedProtocol: Rule = {
  id: 'managed-redis-encrypted-protocol',
  appliesTo: ['azurerm_managed_redis'],
  evaluate: (r) =>
    expectString(r, 'default_database.client_protocol', {
      default: 'Encrypted',
      test: (v) => v === 'Encrypted',
      expected: 'Encrypted',
    }),
};
