import type { TerraformStack } from 'cdktf';
import { Testing } from 'cdktf';
import { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import { EventhubConsumerGroup } from '@cdktf/provider-azurerm/lib/eventhub-consumer-group';
import { EventhubNamespaceCustomerManagedKey } from '@cdktf/provider-azurerm/lib/eventhub-namespace-customer-managed-key';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { EventHubsKafka } from './event-hubs-kafka';
import type { EventHubsKafkaProps, IEventHubsNamespace } from './event-hubs-kafka';
import { isRbacStreamingBackbone, kafkaClientProperties } from './streaming-backbone';
import { testScope } from '../../test/construct-helpers';

function synth(
  props: Partial<EventHubsKafkaProps> = {},
  extra?: (k: EventHubsKafka, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const k = new EventHubsKafka(stack, 'Kafka', {
    name: 'evhns-iot-test',
    resourceGroup: rg,
    topics: [
      { name: 'telemetry.raw', partitionCount: 6, consumerGroups: ['analysis'] },
      { name: 'alerts', partitionCount: 3 },
    ],
    ...props,
  });
  extra?.(k, stack);
  return Testing.synth(stack);
}

const cmk = {
  key: { id: 'https://kv/keys/k/v1', versionlessId: 'https://kv/keys/k' },
  identity: { id: 'uai-id', principalId: 'uai-p', clientId: 'uai-c' },
};

describe('EventHubsKafka', () => {
  it('is secure by default: local auth off, no public access, deny firewall, tls 1.2', () => {
    expect(synth()).toHaveResourceWithProperties(EventhubNamespace, {
      sku: 'Standard',
      capacity: 1,
      local_authentication_enabled: false,
      public_network_access_enabled: false,
      minimum_tls_version: '1.2',
      network_rulesets: [
        expect.objectContaining({
          default_action: 'Deny',
          public_network_access_enabled: false,
          trusted_service_access_enabled: true,
        }),
      ],
    });
  });

  it('creates topics as event hubs with partitions, retention and consumer groups', () => {
    const out = synth({
      topics: [
        { name: 'telemetry.raw', partitionCount: 6, consumerGroups: ['analysis'] },
        { name: 'devices.latest', partitionCount: 2, cleanupPolicy: 'Compact' },
      ],
    });
    expect(out).toHaveResourceWithProperties(Eventhub, {
      name: 'telemetry.raw',
      partition_count: 6,
      message_retention: 7,
      namespace_id: expect.stringMatching(/azurerm_eventhub_namespace\.Kafka_.*\.id/),
    });
    expect(out).toHaveResourceWithProperties(Eventhub, {
      name: 'devices.latest',
      retention_description: { cleanup_policy: 'Compact', tombstone_retention_time_in_hours: 24 },
    });
    expect(out).toHaveResourceWithProperties(EventhubConsumerGroup, { name: 'analysis' });
  });

  it('tells kafka clients where and how to connect', () => {
    synth({}, (k) => {
      expect(isRbacStreamingBackbone(k)).toBe(true);
      expect(k.topics).toEqual(['telemetry.raw', 'alerts']);
      expect(k.securityProtocol).toBe('SASL_SSL');
      expect(k.saslMechanism).toBe('OAUTHBEARER');
      const props = kafkaClientProperties(k);
      expect(props['bootstrap.servers']).toMatch(/\.servicebus\.windows\.net:9093$/);
      expect(props['sasl.mechanism']).toBe('OAUTHBEARER');
    });
    synth({ localAuthentication: true }, (k) => expect(k.saslMechanism).toBe('PLAIN'));
    expect(synth({ localAuthentication: true })).toHaveResourceWithProperties(EventhubNamespace, {
      local_authentication_enabled: true,
    });
  });

  it('adds a private endpoint on the namespace sub-resource, diagnostics and premium cmk', () => {
    const out = synth({
      sku: 'Premium',
      capacity: 2,
      customerManagedKey: cmk,
      privateEndpoints: { main: { subnet: { id: 'snet', name: 's' }, privateDnsZones: [] } },
      diagnosticSettings: { law: { workspace: { id: 'law' } } },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({ subresource_names: ['namespace'] }),
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      enabled_log: [{ category_group: 'allLogs' }],
    });
    expect(out).toHaveResourceWithProperties(EventhubNamespaceCustomerManagedKey, {
      key_vault_key_ids: ['https://kv/keys/k'],
      user_assigned_identity_id: 'uai-id',
      infrastructure_encryption_enabled: true,
    });
    expect(out).toHaveResourceWithProperties(EventhubNamespace, {
      sku: 'Premium',
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
    });
  });

  it('turns auto-inflate on only when a maximum is given', () => {
    expect(synth({ capacity: 2, autoInflateMaxThroughputUnits: 10 })).toHaveResourceWithProperties(
      EventhubNamespace,
      { auto_inflate_enabled: true, maximum_throughput_units: 10 },
    );
  });

  it.each([
    ['name', { name: 'evh' }, /invalid name "evh": a event hubs namespace name is 6 to 50/],
    ['sku', { sku: 'Basic' as never }, /invalid sku "Basic": allowed values are "Standard"/],
    ['capacity', { capacity: 41 }, /invalid capacity 41: allowed is an integer from 1 to 40/],
    [
      'capacity',
      { sku: 'Premium' as const, capacity: 3 },
      /invalid capacity 3: allowed values are 1, 2, 4, 8, 16/,
    ],
    [
      'autoInflateMaxThroughputUnits',
      { capacity: 4, autoInflateMaxThroughputUnits: 2 },
      /invalid autoInflateMaxThroughputUnits 2: allowed is an integer from 4 to 40/,
    ],
    [
      'autoInflateMaxThroughputUnits',
      { sku: 'Premium' as const, autoInflateMaxThroughputUnits: 4 },
      /auto-inflate exists on sku "Standard" only/,
    ],
    ['customerManagedKey', { customerManagedKey: cmk }, /customer-managed keys need sku "Premium"/],
    [
      'allowedIpRanges',
      { allowedIpRanges: ['1.2.3.4'] },
      /ip rules only apply with publicNetworkAccess: true/,
    ],
    [
      'partitionCount',
      { topics: [{ name: 't', partitionCount: 33 }] },
      /invalid topics\[t\]\.partitionCount 33: allowed is an integer from 1 to 32 partitions on Standard/,
    ],
    [
      'retentionDays',
      { topics: [{ name: 't', partitionCount: 1, retentionDays: 8 }] },
      /invalid topics\[t\]\.retentionDays 8: allowed is an integer from 1 to 7 days on Standard/,
    ],
    [
      'retentionDays with compaction',
      {
        topics: [
          { name: 't', partitionCount: 1, retentionDays: 2, cleanupPolicy: 'Compact' as const },
        ],
      },
      /cannot be combined with cleanupPolicy "Compact"/,
    ],
    [
      'topic name',
      { topics: [{ name: '-bad', partitionCount: 1 }] },
      /invalid topics\[-bad\]\.name "-bad"/,
    ],
    [
      'consumer group',
      { topics: [{ name: 't', partitionCount: 1, consumerGroups: ['bad group'] }] },
      /invalid topics\[t\]\.consumerGroups\[0\] "bad group"/,
    ],
    [
      'duplicate topic',
      {
        topics: [
          { name: 't', partitionCount: 1 },
          { name: 't', partitionCount: 1 },
        ],
      },
      /topic names must be unique/,
    ],
    [
      'topic count',
      { topics: Array.from({ length: 11 }, (_, i) => ({ name: `t${i}`, partitionCount: 1 })) },
      /a standard namespace holds at most 10 event hubs/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('allows 100 partitions and 90 days on premium', () => {
    expect(() =>
      synth({
        sku: 'Premium',
        topics: [{ name: 't', partitionCount: 100, retentionDays: 90 }],
      }),
    ).not.toThrow();
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'x' })).toThrow(/^test\/Kafka: invalid name/);
  });

  it('grants data sender and receiver on one topic or the whole namespace', () => {
    const out = synth({}, (k) => {
      const ra = k.grantProduce(
        { principalId: 'ingest', principalType: 'ServicePrincipal' },
        'telemetry.raw',
      );
      expect(ra).toBeInstanceOf(RoleAssignment);
      k.grantConsume({ principalId: 'analysis' });
      k.grantSend({ principalId: 'analysis' }, 'alerts');
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Azure Event Hubs Data Sender',
      principal_id: 'ingest',
      scope: expect.stringMatching(/^\$\{azurerm_eventhub\.Kafka_Topic-telemetryraw_.*\.id\}$/),
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Azure Event Hubs Data Receiver',
      principal_id: 'analysis',
      scope: expect.stringMatching(/^\$\{azurerm_eventhub_namespace\.Kafka_.*\.id\}$/),
    });
    const roles = Object.values(JSON.parse(out).resource.azurerm_role_assignment);
    expect(roles).toHaveLength(3);
  });

  it('refuses a grant on a topic it does not have', () => {
    expect(() => synth({}, (k) => k.grantProduce({ principalId: 'p' }, 'nope'))).toThrow(
      /invalid topic "nope": grant on a topic of this namespace: "telemetry.raw", "alerts"/,
    );
  });
});

describe('EventHubsKafka brand and fromId', () => {
  it('is recognised by its brand, also when another copy of the library made it', () => {
    const { stack, rg } = testScope();
    const k = new EventHubsKafka(stack, 'Kafka', { name: 'evhns-iot-test', resourceGroup: rg });
    expect(EventHubsKafka.isEventHubsKafka(k)).toBe(true);
    expect(EventHubsKafka.isEventHubsKafka({ ...k })).toBe(false);
    // what a second copy of this module sets: the same global symbol, another class
    const other = {};
    Object.defineProperty(other, Symbol.for('iot-streaming-platform.EventHubsKafka'), {
      value: true,
    });
    expect(other instanceof EventHubsKafka).toBe(false);
    expect(EventHubsKafka.isEventHubsKafka(other)).toBe(true);
  });

  it('grants on a namespace created elsewhere through IEventHubsNamespace', () => {
    const { stack } = testScope();
    const nsId =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/evhns-shared';
    const ns: IEventHubsNamespace = EventHubsKafka.fromId(stack, 'Shared', { resourceId: nsId });
    const principal = { principalId: 'p', principalType: 'ServicePrincipal' as const };
    const send = ns.grantSend(principal, 'telemetry.raw');
    expect(ns.grantSend(principal, 'telemetry.raw')).toBe(send);
    ns.grantReceive(principal);
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: `${nsId}/eventhubs/telemetry.raw`,
      role_definition_name: 'Azure Event Hubs Data Sender',
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: nsId,
      role_definition_name: 'Azure Event Hubs Data Receiver',
    });
    expect(() => ns.grantSend(principal, 'bad topic')).toThrow(/invalid topic "bad topic"/);
  });
});
