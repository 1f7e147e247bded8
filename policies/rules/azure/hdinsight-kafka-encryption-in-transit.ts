import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Traffic between cluster nodes is encrypted (IPsec). */
export const hdinsightKafkaEncryptionInTransit: Rule = {
  id: 'hdinsight-kafka-encryption-in-transit',
  appliesTo: ['azurerm_hdinsight_kafka_cluster'],
  evaluate: (r) => expectBool(r, 'encryption_in_transit_enabled', true, false),
};
