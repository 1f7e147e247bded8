import type { TerraformStack } from 'cdktf';
import { Testing } from 'cdktf';
import { HdinsightKafkaCluster as AzHdinsightKafkaCluster } from '@cdktf/provider-azurerm/lib/hdinsight-kafka-cluster';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { EventHubsKafka } from './event-hubs-kafka';
import { HdinsightKafkaCluster } from './hdinsight-kafka-cluster';
import type { HdinsightKafkaClusterProps } from './hdinsight-kafka-cluster';
import { isRbacStreamingBackbone, kafkaClientProperties } from './streaming-backbone';
import { testScope } from '../../test/construct-helpers';

const sshKey = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ops@example';

function workspace(stack: TerraformStack, localAuthenticationEnabled?: boolean) {
  return new LogAnalyticsWorkspace(stack, 'HdiLogs', {
    name: 'log-hdi',
    location: 'westeurope',
    resourceGroupName: 'rg',
    localAuthenticationEnabled,
  });
}

function synth(
  props:
    | Partial<HdinsightKafkaClusterProps>
    | ((stack: TerraformStack) => Partial<HdinsightKafkaClusterProps>) = {},
  extra?: (k: HdinsightKafkaCluster, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  // a terraform-produced value stands in for the generated password
  const secrets = new UserAssignedIdentity(stack, 'Secrets', {
    name: 'secrets',
    location: 'x',
    resourceGroupName: 'rg',
  });
  const over = typeof props === 'function' ? props(stack) : props;
  const k = new HdinsightKafkaCluster(stack, 'Kafka', {
    name: 'hdi-iot-test',
    resourceGroup: rg,
    virtualNetwork: { id: 'vnet-id', name: 'vnet' },
    subnet: { id: 'snet-kafka-id', name: 'snet-kafka' },
    gateway: { username: 'admin', password: secrets.clientId },
    nodeLogin: { username: 'sshuser', sshPublicKeys: [sshKey] },
    storageAccountName: 'sthdiiottest',
    storageIdentity: { id: 'uai-hdi', principalId: 'uai-hdi-p', clientId: 'uai-hdi-c' },
    azureMonitor: over.azureMonitor ?? { workspace: workspace(stack, true) },
    ...over,
  });
  extra?.(k, stack);
  return Testing.synth(stack);
}

function resources(out: string, type: string): Record<string, Record<string, unknown>>[] {
  return Object.values(JSON.parse(out).resource[type] ?? {});
}

describe('HdinsightKafkaCluster', () => {
  it('is hdinsight 5.1 kafka 3.2 with tls 1.2, encryption in transit and at host, vnet-joined roles', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(AzHdinsightKafkaCluster, {
      cluster_version: '5.1',
      tier: 'Standard',
      tls_min_version: '1.2',
      encryption_in_transit_enabled: true,
      component_version: { kafka: '3.2' },
      disk_encryption: [{ encryption_at_host_enabled: true }],
      network: { connection_direction: 'Outbound', private_link_enabled: true },
    });
    const roles = resources(out, 'azurerm_hdinsight_kafka_cluster')[0].roles as Record<
      string,
      Record<string, unknown>
    >;
    for (const role of ['head_node', 'worker_node', 'zookeeper_node']) {
      expect(roles[role]).toMatchObject({
        virtual_network_id: 'vnet-id',
        subnet_id: 'snet-kafka-id',
        username: 'sshuser',
        ssh_keys: [sshKey],
      });
      expect(roles[role]).not.toHaveProperty('password');
    }
    expect(roles.worker_node).toMatchObject({
      target_instance_count: 3,
      number_of_disks_per_node: 2,
    });
    expect(roles).not.toHaveProperty('kafka_management_node');
  });

  it('owns a secure adls gen2 storage account reached with the managed identity, not a key', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(StorageAccount, {
      name: 'sthdiiottest',
      is_hns_enabled: true,
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      shared_access_key_enabled: false,
      allow_nested_items_to_be_public: false,
      infrastructure_encryption_enabled: true,
      network_rules: {
        default_action: 'Deny',
        bypass: ['AzureServices'],
        virtual_network_subnet_ids: ['snet-kafka-id'],
      },
    });
    expect(out).toHaveResourceWithProperties(StorageContainer, {
      name: 'hdinsight',
      container_access_type: 'private',
      storage_account_id: expect.stringMatching(/azurerm_storage_account\.Kafka_Storage_.*\.id/),
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Storage Blob Data Owner',
      principal_id: 'uai-hdi-p',
      principal_type: 'ServicePrincipal',
    });
    const cluster = resources(out, 'azurerm_hdinsight_kafka_cluster')[0];
    expect(cluster.storage_account_gen2).toMatchObject({
      is_default: true,
      managed_identity_resource_id: 'uai-hdi',
      filesystem_id: expect.stringMatching(
        /primary_dfs_endpoint\}\$\{azurerm_storage_container\..*\.name\}$/,
      ),
    });
    expect(cluster).not.toHaveProperty('storage_account');
    expect(cluster.depends_on).toEqual([
      expect.stringMatching(/^azurerm_role_assignment\.Kafka_StorageBlobDataOwner/),
    ]);
  });

  it('closes the storage public endpoint when storage private endpoints are given', () => {
    const out = synth({
      storagePrivateEndpoints: {
        dfs: { subnet: { id: 'pe', name: 'pe' }, privateDnsZones: [], subresource: 'dfs' },
        blob: { subnet: { id: 'pe', name: 'pe' }, privateDnsZones: [], subresource: 'blob' },
      },
    });
    expect(out).toHaveResourceWithProperties(StorageAccount, {
      public_network_access_enabled: false,
    });
    const groups = resources(out, 'azurerm_private_endpoint').map(
      (p) => (p.private_service_connection as { subresource_names: string[] }).subresource_names[0],
    );
    expect(groups.sort()).toEqual(['blob', 'dfs']);
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {});
  });

  it('adds the rest proxy with management nodes and a disk cmk when asked', () => {
    const out = synth({
      restProxy: { securityGroupId: 'grp', securityGroupName: 'kafka-rest' },
      customerManagedKey: {
        key: { id: 'https://kv/keys/k/v1', versionlessId: 'https://kv/keys/k' },
        identity: { id: 'uai-cmk', principalId: 'p', clientId: 'c' },
      },
      workerCount: 4,
      disksPerWorkerNode: 8,
    });
    expect(out).toHaveResourceWithProperties(AzHdinsightKafkaCluster, {
      rest_proxy: { security_group_id: 'grp', security_group_name: 'kafka-rest' },
      roles: expect.objectContaining({
        kafka_management_node: expect.objectContaining({ subnet_id: 'snet-kafka-id' }),
        worker_node: expect.objectContaining({
          target_instance_count: 4,
          number_of_disks_per_node: 8,
        }),
      }),
      disk_encryption: [
        {
          encryption_at_host_enabled: true,
          key_vault_key_id: 'https://kv/keys/k/v1',
          key_vault_managed_identity_id: 'uai-cmk',
          encryption_algorithm: 'RSA-OAEP',
        },
      ],
    });
  });

  it('sends cluster metrics and storage logs to log analytics', () => {
    const out = synth({ diagnosticSettings: { law: { workspace: { id: 'law' } } } });
    const diags = resources(out, 'azurerm_monitor_diagnostic_setting');
    expect(diags).toHaveLength(3);
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringMatching(/azurerm_hdinsight_kafka_cluster/),
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringMatching(/\/blobServices\/default$/),
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'Transaction' }],
    });
  });

  it('is a network-isolated backbone: no grant methods, honest about bootstrap servers', () => {
    synth({ topics: ['telemetry.raw', 'alerts'] }, (k) => {
      expect(isRbacStreamingBackbone(k)).toBe(false);
      expect('grantProduce' in k).toBe(false);
      expect(k.securityProtocol).toBe('SSL');
      expect(k.saslMechanism).toBeUndefined();
      expect(k.topics).toEqual(['telemetry.raw', 'alerts']);
      expect(() => k.bootstrapServers).toThrow(
        /invalid brokerHosts \(undefined\): broker host names exist only after the cluster is created/,
      );
      expect(k.brokerDiscoveryUrl).toMatch(/\/services\/KAFKA\/components\/KAFKA_BROKER$/);
    });
    synth(
      { brokerHosts: ['wn0-hdi.x.internal.cloudapp.net', 'wn1-hdi.x.internal.cloudapp.net'] },
      (k) =>
        expect(kafkaClientProperties(k)).toEqual({
          'bootstrap.servers':
            'wn0-hdi.x.internal.cloudapp.net:9093,wn1-hdi.x.internal.cloudapp.net:9093',
          'security.protocol': 'SSL',
        }),
    );
  });

  it('never takes a literal gateway password or workspace key', () => {
    expect(() => synth({ gateway: { username: 'admin', password: 'Hunter2Hunter2!' } })).toThrow(
      /invalid gateway.password "<literal redacted>": a secret must be a terraform token/,
    );
    expect(synth()).not.toContain('Hunter2');
  });

  it('sends node logs with the workspace key read from the workspace, never written in code', () => {
    expect(synth()).toHaveResourceWithProperties(AzHdinsightKafkaCluster, {
      extension: {
        log_analytics_workspace_id: '${azurerm_log_analytics_workspace.HdiLogs.workspace_id}',
        primary_key: '${azurerm_log_analytics_workspace.HdiLogs.primary_shared_key}',
      },
    });
  });

  it('rejects an azure monitor workspace with local authentication off: its agents enroll with the shared key', () => {
    expect(() =>
      synth((stack) => ({ azureMonitor: { workspace: workspace(stack, false) } })),
    ).toThrow(
      /invalid azureMonitor.workspace "test\/HdiLogs": hdinsight's azure monitor agents enroll with the workspace's shared key, and this workspace has local authentication off/,
    );
  });

  it('rejects a workspace that turns local authentication off the legacy way', () => {
    expect(() =>
      synth((stack) => ({
        azureMonitor: {
          workspace: new LogAnalyticsWorkspace(stack, 'Legacy', {
            name: 'log-legacy',
            location: 'westeurope',
            resourceGroupName: 'rg',
            localAuthenticationDisabled: true,
          }),
        },
      })),
    ).toThrow(/invalid azureMonitor.workspace "test\/Legacy"/);
  });

  it.each([
    ['name', { name: 'h' }, /invalid name "h": a hdinsight cluster name is 3 to 59/],
    ['storageAccountName', { storageAccountName: 'st-hdi' }, /invalid storageAccountName "st-hdi"/],
    [
      'workerCount',
      { workerCount: 2 },
      /invalid workerCount 2: allowed is an integer from 3 to 100 worker nodes/,
    ],
    [
      'disksPerWorkerNode',
      { disksPerWorkerNode: 9 },
      /invalid disksPerWorkerNode 9: allowed is an integer from 1 to 8 disks per node/,
    ],
    [
      'resourceProviderConnection',
      { resourceProviderConnection: 'Inbound' as const },
      /invalid resourceProviderConnection "Inbound": private link needs "Outbound"/,
    ],
    [
      'privateEndpoints',
      { privateEndpoints: { main: { subnet: { id: 's', name: 's' }, privateDnsZones: [] } } },
      /invalid privateEndpoints 1: hdinsight takes no private endpoint of its own/,
    ],
    [
      'nodeLogin.sshPublicKeys',
      { nodeLogin: { username: 'sshuser', sshPublicKeys: [] } },
      /invalid nodeLogin.sshPublicKeys \[\]: at least one ssh public key/,
    ],
    [
      'nodeLogin.sshPublicKeys',
      { nodeLogin: { username: 'sshuser', sshPublicKeys: ['not a key'] } },
      /invalid nodeLogin.sshPublicKeys\[0\]/,
    ],
    [
      'nodeLogin.username',
      { nodeLogin: { username: 'admin', sshPublicKeys: [sshKey] } },
      /invalid nodeLogin.username "admin": the ssh user must differ from the gateway user/,
    ],
    ['topics', { topics: ['bad topic'] }, /invalid topics\[0\] "bad topic": a kafka topic name/],
    ['brokerHosts', { brokerHosts: ['wn0:9093'] }, /invalid brokerHosts\[0\] "wn0:9093"/],
    [
      'storageReplication',
      { storageReplication: 'RAGRS' as never },
      /invalid storageReplication "RAGRS": allowed values are "LRS"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ workerCount: 1 })).toThrow(/^test\/Kafka: invalid workerCount/);
  });
});

describe('HdinsightKafkaCluster brand', () => {
  it('is recognised by its brand (no instanceof), and an Event Hubs backbone is not one', () => {
    synth({}, (k, stack) => {
      expect(HdinsightKafkaCluster.isHdinsightKafkaCluster(k)).toBe(true);
      expect(EventHubsKafka.isEventHubsKafka(k)).toBe(false);
      const other = {};
      Object.defineProperty(other, Symbol.for('iot-streaming-platform.HdinsightKafkaCluster'), {
        value: true,
      });
      expect(HdinsightKafkaCluster.isHdinsightKafkaCluster(other)).toBe(true);
      expect(HdinsightKafkaCluster.isHdinsightKafkaCluster(stack)).toBe(false);
    });
  });
});
