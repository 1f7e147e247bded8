import { testRule } from '../../testing';
import { cosmosdbAccountKeyMetadataWritesDisabled } from './cosmosdb-account-key-metadata-writes-disabled';
import { cosmosdbAccountLocalAuthDisabled } from './cosmosdb-account-local-auth-disabled';
import { cosmosdbAccountPrivateEndpointAttached } from './cosmosdb-account-private-endpoint-attached';
import { cosmosdbAccountPublicNetworkDisabled } from './cosmosdb-account-public-network-disabled';
import { eventhubNamespaceLocalAuthDisabled } from './eventhub-namespace-local-auth-disabled';
import { eventhubNamespacePublicNetworkDisabled } from './eventhub-namespace-public-network-disabled';
import { eventhubNamespaceTls12 } from './eventhub-namespace-tls-1-2';
import { hdinsightKafkaEncryptionAtHost } from './hdinsight-kafka-encryption-at-host';
import { hdinsightKafkaEncryptionInTransit } from './hdinsight-kafka-encryption-in-transit';
import { hdinsightKafkaTls12 } from './hdinsight-kafka-tls-1-2';
import { managedRedisAccessKeysDisabled } from './managed-redis-access-keys-disabled';
import { managedRedisEncryptedProtocol } from './managed-redis-encrypted-protocol';
import { managedRedisPublicNetworkDisabled } from './managed-redis-public-network-disabled';
import { postgresqlFlexibleServerEntraAuthOnly } from './postgresql-flexible-server-entra-auth-only';
import { postgresqlFlexibleServerFirewallNotOpen } from './postgresql-flexible-server-firewall-not-open';
import { postgresqlFlexibleServerGeoRedundantBackup } from './postgresql-flexible-server-geo-redundant-backup';
import { postgresqlFlexibleServerLoggingParameters } from './postgresql-flexible-server-logging-parameters';
import { postgresqlFlexibleServerPublicNetworkDisabled } from './postgresql-flexible-server-public-network-disabled';
import { redisCacheEntraAuthEnabled } from './redis-cache-entra-auth-enabled';
import { redisCacheNonSslPortDisabled } from './redis-cache-non-ssl-port-disabled';
import { redisCachePublicNetworkDisabled } from './redis-cache-public-network-disabled';
import { redisCacheTls12 } from './redis-cache-tls-1-2';
import { cosmosdbAccountCustomerManagedKey } from './cosmosdb-account-customer-managed-key';

const COSMOS = 'azurerm_cosmosdb_account.c';

testRule(cosmosdbAccountPublicNetworkDisabled, {
  compliant: [{ [COSMOS]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [COSMOS]: {} }],
});

testRule(cosmosdbAccountLocalAuthDisabled, {
  compliant: [{ [COSMOS]: { local_authentication_disabled: true } }],
  nonCompliant: [{ [COSMOS]: {} }],
});

testRule(cosmosdbAccountKeyMetadataWritesDisabled, {
  compliant: [{ [COSMOS]: { access_key_metadata_writes_enabled: false } }],
  nonCompliant: [{ [COSMOS]: {} }],
});

testRule(cosmosdbAccountPrivateEndpointAttached, {
  compliant: [
    {
      [COSMOS]: {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_cosmosdb_account.c.id}',
        },
      },
    },
  ],
  nonCompliant: [{ [COSMOS]: {} }],
});

const PG = 'azurerm_postgresql_flexible_server.pg';

testRule(postgresqlFlexibleServerPublicNetworkDisabled, {
  compliant: [{ [PG]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [PG]: {} }],
});

testRule(postgresqlFlexibleServerEntraAuthOnly, {
  compliant: [
    {
      [PG]: {
        authentication: { active_directory_auth_enabled: true, password_auth_enabled: false },
      },
    },
  ],
  nonCompliant: [
    { [PG]: {} },
    { [PG]: { authentication: { active_directory_auth_enabled: true } } },
  ],
});

testRule(postgresqlFlexibleServerGeoRedundantBackup, {
  compliant: [{ [PG]: { geo_redundant_backup_enabled: true } }],
  nonCompliant: [{ [PG]: {} }],
});

const param = (name: string, value: string) => ({
  name,
  value,
  server_id: '${azurerm_postgresql_flexible_server.pg.id}',
});

testRule(postgresqlFlexibleServerLoggingParameters, {
  compliant: [
    {
      [PG]: {},
      'azurerm_postgresql_flexible_server_configuration.c': param('log_connections', 'on'),
      'azurerm_postgresql_flexible_server_configuration.d': param('log_disconnections', 'ON'),
    },
  ],
  nonCompliant: [
    { [PG]: {} },
    {
      [PG]: {},
      'azurerm_postgresql_flexible_server_configuration.c': param('log_connections', 'on'),
      'azurerm_postgresql_flexible_server_configuration.d': param('log_disconnections', 'off'),
    },
  ],
});

const FW = 'azurerm_postgresql_flexible_server_firewall_rule.fw';

testRule(postgresqlFlexibleServerFirewallNotOpen, {
  compliant: [{ [FW]: { start_ip_address: '203.0.113.10', end_ip_address: '203.0.113.20' } }],
  nonCompliant: [
    { [FW]: { start_ip_address: '0.0.0.0', end_ip_address: '0.0.0.0' } },
    { [FW]: { start_ip_address: '0.0.0.0', end_ip_address: '255.255.255.255' } },
  ],
  unknown: [{ [FW]: { start_ip_address: '${var.ip}', end_ip_address: '${var.ip}' } }],
});

const REDIS = 'azurerm_redis_cache.r';

testRule(redisCacheNonSslPortDisabled, {
  compliant: [{ [REDIS]: {} }, { [REDIS]: { non_ssl_port_enabled: false } }],
  nonCompliant: [
    { [REDIS]: { non_ssl_port_enabled: true } },
    { [REDIS]: { enable_non_ssl_port: 'true' } },
  ],
});

testRule(redisCacheTls12, {
  compliant: [{ [REDIS]: {} }, { [REDIS]: { minimum_tls_version: '1.2' } }],
  nonCompliant: [{ [REDIS]: { minimum_tls_version: '1.0' } }],
});

testRule(redisCachePublicNetworkDisabled, {
  compliant: [{ [REDIS]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [REDIS]: {} }],
});

testRule(redisCacheEntraAuthEnabled, {
  compliant: [
    {
      [REDIS]: {
        access_keys_authentication_enabled: false,
        redis_configuration: { active_directory_authentication_enabled: true },
      },
    },
  ],
  nonCompliant: [{ [REDIS]: {} }],
});

const AMR = 'azurerm_managed_redis.m';

testRule(managedRedisPublicNetworkDisabled, {
  compliant: [{ [AMR]: { public_network_access: 'Disabled' } }],
  nonCompliant: [{ [AMR]: {} }],
});

testRule(managedRedisEncryptedProtocol, {
  compliant: [{ [AMR]: {} }, { [AMR]: { default_database: { client_protocol: 'Encrypted' } } }],
  nonCompliant: [{ [AMR]: { default_database: { client_protocol: 'Plaintext' } } }],
});

testRule(managedRedisAccessKeysDisabled, {
  compliant: [{ [AMR]: { default_database: {} } }],
  nonCompliant: [{ [AMR]: { default_database: { access_keys_authentication_enabled: true } } }],
});

const EH = 'azurerm_eventhub_namespace.eh';

testRule(eventhubNamespaceLocalAuthDisabled, {
  compliant: [{ [EH]: { local_authentication_enabled: false } }],
  nonCompliant: [{ [EH]: {} }],
});

testRule(eventhubNamespaceTls12, {
  compliant: [{ [EH]: {} }, { [EH]: { minimum_tls_version: '1.2' } }],
  nonCompliant: [{ [EH]: { minimum_tls_version: '1.1' } }],
});

testRule(eventhubNamespacePublicNetworkDisabled, {
  compliant: [{ [EH]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [EH]: {} }],
});

const HDI = 'azurerm_hdinsight_kafka_cluster.k';

testRule(hdinsightKafkaTls12, {
  compliant: [{ [HDI]: { tls_min_version: '1.2' } }],
  nonCompliant: [{ [HDI]: {} }],
});

testRule(hdinsightKafkaEncryptionInTransit, {
  compliant: [{ [HDI]: { encryption_in_transit_enabled: true } }],
  nonCompliant: [{ [HDI]: {} }],
});

testRule(hdinsightKafkaEncryptionAtHost, {
  compliant: [{ [HDI]: { disk_encryption: [{ encryption_at_host_enabled: true }] } }],
  nonCompliant: [{ [HDI]: {} }],
});

testRule(cosmosdbAccountCustomerManagedKey, {
  compliant: [{ [COSMOS]: { key_vault_key_id: '${azurerm_key_vault_key.cmk.versionless_id}' } }],
  nonCompliant: [{ [COSMOS]: {} }, { [COSMOS]: { key_vault_key_id: '' } }],
  unknown: [{ [COSMOS]: { key_vault_key_id: '${var.key_id}' } }],
});
