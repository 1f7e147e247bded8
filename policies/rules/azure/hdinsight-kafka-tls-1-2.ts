import { expectString, tlsAtLeast } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The cluster gateway accepts TLS 1.2 or later only (the provider default is 1.0). */
export const hdinsightKafkaTls12: Rule = {
  id: 'hdinsight-kafka-tls-1-2',
  appliesTo: ['azurerm_hdinsight_kafka_cluster'],
  evaluate: (r) =>
    expectString(r, 'tls_min_version', {
      default: '1.0',
      test: (v) => tlsAtLeast(v, '1.2'),
      expected: '1.2',
    }),
};
