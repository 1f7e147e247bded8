import { expectString, tlsAtLeast } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients must use TLS 1.2 or later. */
export const storageAccountTls12: Rule = {
  id: 'storage-account-tls-1-2',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) =>
    expectString(r, 'min_tls_version', {
      default: 'TLS1_2',
      test: (v) => tlsAtLeast(v, 'TLS1_2'),
      expected: 'TLS1_2 or higher',
    }),
};
