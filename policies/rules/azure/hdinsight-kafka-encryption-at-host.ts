import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Node temp disks and caches are encrypted at the host. */
export const hdinsightKafkaEncryptionAtHost: Rule = {
  id: 'hdinsight-kafka-encryption-at-host',
  appliesTo: ['azurerm_hdinsight_kafka_cluster'],
  evaluate: (r) => expectBool(r, 'disk_encryption.encryption_at_host_enabled', true, false),
};
