import { expectString, tlsAtLeast } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Clients must use TLS 1.2 or later. */
export const eventhubNamespaceTls12: Rule = {
  id: 'eventhub-namespace-tls-1-2',
  appliesTo: ['azurerm_eventhub_namespace'],
  evaluate: (r) =>
    expectString(r, 'minimum_tls_version', {
      default: '1.2',
      test: (v) => tlsAtLeast(v, '1.2'),
      expected: '1.2',
    }),
};
