import { Construct } from 'constructs';
import { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import { EventhubConsumerGroup } from '@cdktf/provider-azurerm/lib/eventhub-consumer-group';
import { EventhubNamespaceCustomerManagedKey } from '@cdktf/provider-azurerm/lib/eventhub-namespace-customer-managed-key';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  IPrincipal,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  addBrand,
  brandSymbol,
  hasBrand,
  parseResourceId,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  identityBlock,
  NamingRules,
  validateIpRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';
import type { KafkaSaslMechanism, RbacStreamingBackbone } from './streaming-backbone';

/** Event Hubs tier. Kafka needs Standard or above; Basic has no Kafka endpoint. */
export type EventHubsSku = 'Standard' | 'Premium';

/** One Kafka topic, created as an event hub. */
export interface EventHubsTopicProps {
  /** Topic (event hub) name, e.g. `telemetry.raw`. */
  readonly name: string;
  /** Partitions: 1–32 on Standard, 1–100 on Premium. Fixed on Standard once created. */
  readonly partitionCount: number;
  /**
   * Days a message is kept (cleanup policy `Delete`): 1–7 on Standard, 1–90 on Premium.
   * @default 7 - replay a week of data after an outage of a consumer
   */
  readonly retentionDays?: number;
  /**
   * `Compact` keeps the latest value per key (Kafka log compaction) instead of a time window.
   * @default "Delete"
   */
  readonly cleanupPolicy?: 'Delete' | 'Compact';
  /**
   * Hours a tombstone stays visible on a compacted topic (1–2160).
   * @default 24
   */
  readonly tombstoneRetentionHours?: number;
  /**
   * Event Hubs consumer groups to create (for AMQP readers such as Stream Analytics). Kafka
   * clients need none: the service creates a Kafka consumer group on a client's first `group.id`.
   * @default - none
   */
  readonly consumerGroups?: string[];
}

/** A topic as the construct created it. */
export interface EventHubsTopic {
  /** The `azurerm_eventhub`. */
  readonly eventHub: Eventhub;
  /** Consumer groups by name. */
  readonly consumerGroups: Record<string, EventhubConsumerGroup>;
}

/** Props of {@link EventHubsKafka}. */
export interface EventHubsKafkaProps extends AzureResourceProps {
  /** Namespace name: 6–50 letters, digits and hyphens, globally unique. */
  readonly name: string;
  /**
   * Tier. Premium adds isolation, larger limits, customer-managed keys and 90-day retention.
   * @default "Standard"
   */
  readonly sku?: EventHubsSku;
  /**
   * Throughput units (Standard, 1–40) or processing units (Premium: 1, 2, 4, 8 or 16).
   * @default 1
   */
  readonly capacity?: number;
  /**
   * Let a Standard namespace scale its throughput units up to this many under load (1–40).
   * @default - no auto-inflate
   */
  readonly autoInflateMaxThroughputUnits?: number;
  /**
   * Topics to create.
   * @default - none; add them with `addTopic`
   */
  readonly topics?: EventHubsTopicProps[];
  /**
   * Allow SAS keys (connection strings, SASL PLAIN). Off, clients authenticate with Entra
   * tokens (SASL OAUTHBEARER) and access is granted per principal through RBAC. Turn on only for
   * clients that cannot do OAUTHBEARER.
   * @default false
   */
  readonly localAuthentication?: boolean;
  /**
   * Whether the public endpoint accepts traffic (still filtered by `allowedIpRanges`).
   * @default false - reach the namespace through its private endpoint
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Public IPv4 addresses or ranges allowed through the firewall when public access is on.
   * @default - none
   */
  readonly allowedIpRanges?: string[];
  /**
   * Let trusted Azure services (e.g. Azure Monitor, Stream Analytics) bypass the firewall.
   * @default true
   */
  readonly allowTrustedAzureServices?: boolean;
  /**
   * Managed identities of the namespace (for capture and customer-managed keys).
   * @default - none; the customer-managed key's identity is added when one is given
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Customer-managed key for encryption at rest (Premium only).
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
}

/**
 * An Event Hubs namespace as other constructs take it: one this program creates
 * ({@link EventHubsKafka}) or one created elsewhere ({@link EventHubsKafka.fromId}).
 */
export interface IEventHubsNamespace {
  readonly id: string;
  readonly name: string;
  /**
   * Grants `Azure Event Hubs Data Sender` on the topic's event hub, or on the namespace when
   * `topic` is omitted.
   */
  grantSend(principal: IPrincipal, topic?: string): RoleAssignment;
  /**
   * Grants `Azure Event Hubs Data Receiver` on the topic's event hub, or on the namespace when
   * `topic` is omitted.
   */
  grantReceive(principal: IPrincipal, topic?: string): RoleAssignment;
}

/** An Event Hubs namespace created elsewhere, for {@link EventHubsKafka.fromId}. */
export interface EventHubsNamespaceAttributes {
  /**
   * Resource id, `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.EventHub/namespaces/<name>`,
   * or a Terraform reference to one.
   */
  readonly resourceId: string;
}

const EVENT_HUBS_KAFKA = brandSymbol('EventHubsKafka');

/** A namespace created elsewhere: grants only, on topics (event hubs) it cannot check. */
class ImportedEventHubsNamespace extends Construct implements IEventHubsNamespace {
  public readonly id: string;
  public readonly name: string;

  constructor(scope: Construct, id: string, attrs: EventHubsNamespaceAttributes) {
    super(scope, id);
    const parts = parseResourceId(
      this,
      'resourceId',
      attrs.resourceId,
      'Microsoft.EventHub/namespaces',
    );
    this.id = parts.id;
    this.name = parts.name;
  }

  public grantSend(principal: IPrincipal, topic?: string): RoleAssignment {
    return grantTopicRole(this, ROLE_SENDER, 'DataSender', 'send to', principal, topic);
  }

  public grantReceive(principal: IPrincipal, topic?: string): RoleAssignment {
    return grantTopicRole(this, ROLE_RECEIVER, 'DataReceiver', 'receive from', principal, topic);
  }
}

function grantTopicRole(
  ns: ImportedEventHubsNamespace,
  role: string,
  prefix: string,
  verb: string,
  principal: IPrincipal,
  topic: string | undefined,
): RoleAssignment {
  if (topic !== undefined) validateName(ns, 'topic', topic, NamingRules.eventHub);
  const idPrefix = topic === undefined ? prefix : `${prefix}-${topic}`;
  return grantRole(ns, grantId(idPrefix, ns, principal), {
    scope: topic === undefined ? ns.id : `${ns.id}/eventhubs/${topic}`,
    roleDefinitionName: role,
    principal,
    description: `${verb} ${topic ?? 'every topic'} of ${ns.node.path}`,
  });
}

const ROLE_SENDER = 'Azure Event Hubs Data Sender';
const ROLE_RECEIVER = 'Azure Event Hubs Data Receiver';
const PREMIUM_CAPACITIES = [1, 2, 4, 8, 16];

/**
 * Event Hubs as the Kafka backbone: a namespace whose Kafka endpoint
 * (`<name>.servicebus.windows.net:9093`, SASL_SSL) serves topics created as event hubs. Local
 * (SAS) authentication and public access are off by default; clients authenticate with Entra
 * tokens and get `grantProduce`/`grantConsume` role assignments.
 *
 * @example
 * const kafka = new EventHubsKafka(this, 'Kafka', {
 *   name: 'evhns-iot-dev-weu', resourceGroup: rg,
 *   topics: [{ name: 'telemetry.raw', partitionCount: 6 }],
 *   privateEndpoints: [{ subnet: endpoints, privateDnsZones: [serviceBusZone] }],
 * });
 * kafka.grantProduce(ingestIdentity, 'telemetry.raw');
 */
export class EventHubsKafka
  extends Construct
  implements RbacStreamingBackbone, IEventHubsNamespace
{
  /**
   * Whether `x` is an EventHubsKafka, made by this or another copy of the library (a brand,
   * not `instanceof`).
   */
  public static isEventHubsKafka(x: unknown): x is EventHubsKafka {
    return hasBrand(x, EVENT_HUBS_KAFKA);
  }

  /**
   * A namespace created elsewhere, as an {@link IEventHubsNamespace} that grants: its role
   * assignments become children of the returned construct.
   */
  public static fromId(
    scope: Construct,
    id: string,
    attrs: EventHubsNamespaceAttributes,
  ): IEventHubsNamespace {
    return new ImportedEventHubsNamespace(scope, id, attrs);
  }

  public readonly id: string;
  public readonly name: string;
  /** The `azurerm_eventhub_namespace`. */
  public readonly resource: EventhubNamespace;
  /** `<namespace>.servicebus.windows.net:9093`. */
  public readonly bootstrapServers: string;
  public readonly securityProtocol = 'SASL_SSL' as const;
  public readonly saslMechanism: KafkaSaslMechanism;
  public readonly authentication: string;
  public readonly accessControl = 'azure-rbac' as const;
  /** Names of the topics created so far. */
  public readonly topics: string[] = [];
  /** Topics by name. */
  public readonly topicResources: Record<string, EventHubsTopic> = {};
  /** Principal id of the system-assigned identity, when one was asked for. */
  public readonly principalId?: string;

  private readonly sku: EventHubsSku;

  constructor(scope: Construct, id: string, props: EventHubsKafkaProps) {
    super(scope, checkConstruct(scope, id, props));
    addBrand(this, EVENT_HUBS_KAFKA);
    validateName(this, 'name', props.name, NamingRules.eventHubsNamespace);
    validateOneOf(this, 'sku', props.sku, ['Standard', 'Premium']);
    this.sku = props.sku ?? 'Standard';
    const premium = this.sku === 'Premium';
    if (premium) validateOneOf(this, 'capacity', props.capacity, PREMIUM_CAPACITIES);
    else validateRange(this, 'capacity', props.capacity, 1, 40, { unit: 'throughput units' });
    if (props.autoInflateMaxThroughputUnits !== undefined) {
      if (premium) {
        throw new ValidationError(
          this,
          'autoInflateMaxThroughputUnits',
          props.autoInflateMaxThroughputUnits,
          'auto-inflate exists on sku "Standard" only; "Premium" scales by processing units',
        );
      }
      validateRange(
        this,
        'autoInflateMaxThroughputUnits',
        props.autoInflateMaxThroughputUnits,
        props.capacity ?? 1,
        40,
        { unit: 'throughput units (at least capacity)' },
      );
    }
    validateIpRules(this, props.publicNetworkAccess === true, props.allowedIpRanges);
    if (props.customerManagedKey && !premium) {
      throw new ValidationError(
        this,
        'customerManagedKey',
        '<key>',
        'customer-managed keys need sku "Premium"',
      );
    }

    const identities: ManagedIdentitiesProps | undefined = props.customerManagedKey
      ? {
          systemAssigned: props.managedIdentities?.systemAssigned,
          userAssigned: [
            ...(props.managedIdentities?.userAssigned ?? []),
            props.customerManagedKey.identity,
          ].filter((u, i, all) => all.findIndex((o) => o.id === u.id) === i),
        }
      : props.managedIdentities;
    const publicAccess = props.publicNetworkAccess ?? false;
    this.resource = new EventhubNamespace(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      sku: this.sku,
      capacity: props.capacity ?? 1,
      autoInflateEnabled: props.autoInflateMaxThroughputUnits !== undefined ? true : undefined,
      maximumThroughputUnits: props.autoInflateMaxThroughputUnits,
      localAuthenticationEnabled: props.localAuthentication ?? false,
      publicNetworkAccessEnabled: publicAccess,
      minimumTlsVersion: '1.2',
      networkRulesets: [
        {
          defaultAction: 'Deny',
          publicNetworkAccessEnabled: publicAccess,
          trustedServiceAccessEnabled: props.allowTrustedAzureServices ?? true,
          ipRule: (props.allowedIpRanges ?? []).map((ipMask) => ({ ipMask, action: 'Allow' })),
        },
      ],
      identity: identityBlock(identities),
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    if (identities?.systemAssigned) this.principalId = this.resource.identity.principalId;
    this.bootstrapServers = `${this.resource.name}.servicebus.windows.net:9093`;
    this.saslMechanism = props.localAuthentication ? 'PLAIN' : 'OAUTHBEARER';
    this.authentication = props.localAuthentication
      ? 'SASL_SSL on port 9093; SASL PLAIN with a connection string (local auth on) or OAUTHBEARER with an Entra token; topic access by Event Hubs data roles'
      : 'SASL_SSL on port 9093 with SASL OAUTHBEARER (Entra token of a managed or workload identity); local/SAS auth off; topic access by Event Hubs data roles';

    if (props.customerManagedKey) {
      new EventhubNamespaceCustomerManagedKey(this, 'CustomerManagedKey', {
        eventhubNamespaceId: this.id,
        keyVaultKeyIds: [props.customerManagedKey.key.versionlessId],
        userAssignedIdentityId: props.customerManagedKey.identity.id,
        infrastructureEncryptionEnabled: true,
      });
    }
    (props.topics ?? []).forEach((t) => this.addTopic(t));
    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'namespace' });
  }

  /** Creates a topic (event hub) with its consumer groups and returns it. */
  public addTopic(topic: EventHubsTopicProps): EventHubsTopic {
    const p = `topics[${topic.name}]`;
    validateName(this, `${p}.name`, topic.name, NamingRules.eventHub);
    if (this.topicResources[topic.name]) {
      throw new ValidationError(this, `${p}.name`, topic.name, 'topic names must be unique');
    }
    const premium = this.sku === 'Premium';
    if (!premium && this.topics.length >= 10) {
      throw new ValidationError(
        this,
        `${p}`,
        topic.name,
        'a standard namespace holds at most 10 event hubs; use sku "Premium" for more',
      );
    }
    validateRange(this, `${p}.partitionCount`, topic.partitionCount, 1, premium ? 100 : 32, {
      unit: `partitions on ${this.sku}`,
    });
    validateOneOf(this, `${p}.cleanupPolicy`, topic.cleanupPolicy, ['Delete', 'Compact']);
    const compact = topic.cleanupPolicy === 'Compact';
    if (compact && topic.retentionDays !== undefined) {
      throw new ValidationError(
        this,
        `${p}.retentionDays`,
        topic.retentionDays,
        'retentionDays cannot be combined with cleanupPolicy "Compact"',
      );
    }
    validateRange(this, `${p}.retentionDays`, topic.retentionDays, 1, premium ? 90 : 7, {
      unit: `days on ${this.sku}`,
    });
    validateRange(this, `${p}.tombstoneRetentionHours`, topic.tombstoneRetentionHours, 1, 2160, {
      unit: 'hours',
    });
    const groups = topic.consumerGroups ?? [];
    groups.forEach((g, i) =>
      validateName(this, `${p}.consumerGroups[${i}]`, g, {
        resource: 'event hubs consumer group',
        minLength: 1,
        maxLength: 50,
        pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$/,
        patternDescription:
          'letters, digits, periods, underscores and hyphens, starting and ending with a letter or digit',
      }),
    );
    if (groups.length > (premium ? 100 : 20)) {
      throw new ValidationError(
        this,
        `${p}.consumerGroups`,
        groups.length,
        `at most ${premium ? 100 : 20} consumer groups per event hub on ${this.sku}`,
      );
    }

    const holder = new Construct(this, `Topic-${topic.name}`);
    const eventHub = new Eventhub(holder, 'Resource', {
      name: topic.name,
      namespaceId: this.id,
      partitionCount: topic.partitionCount,
      messageRetention: compact ? undefined : (topic.retentionDays ?? 7),
      retentionDescription: compact
        ? {
            cleanupPolicy: 'Compact',
            tombstoneRetentionTimeInHours: topic.tombstoneRetentionHours ?? 24,
          }
        : undefined,
    });
    const consumerGroups: Record<string, EventhubConsumerGroup> = {};
    for (const g of groups) {
      consumerGroups[g] = new EventhubConsumerGroup(holder, `ConsumerGroup-${g}`, {
        name: g,
        namespaceName: this.resource.name,
        eventhubName: eventHub.name,
        resourceGroupName: this.resource.resourceGroupName,
      });
    }
    const created = { eventHub, consumerGroups };
    this.topics.push(topic.name);
    this.topicResources[topic.name] = created;
    return created;
  }

  /**
   * Grants `Azure Event Hubs Data Sender` on the topic's event hub, or on the namespace (every
   * topic) when `topic` is omitted: send events, nothing else.
   */
  public grantSend(principal: IPrincipal, topic?: string): RoleAssignment {
    return this.grantData(ROLE_SENDER, 'DataSender', 'send to', principal, topic);
  }

  /**
   * Grants `Azure Event Hubs Data Receiver` on the topic's event hub, or on the namespace when
   * `topic` is omitted: receive events and track consumer offsets, nothing else.
   */
  public grantReceive(principal: IPrincipal, topic?: string): RoleAssignment {
    return this.grantData(ROLE_RECEIVER, 'DataReceiver', 'receive from', principal, topic);
  }

  /** The {@link RbacStreamingBackbone} name for {@link grantSend}. */
  public grantProduce(principal: IPrincipal, topic?: string): RoleAssignment {
    return this.grantSend(principal, topic);
  }

  /** The {@link RbacStreamingBackbone} name for {@link grantReceive}. */
  public grantConsume(principal: IPrincipal, topic?: string): RoleAssignment {
    return this.grantReceive(principal, topic);
  }

  private grantData(
    role: string,
    prefix: string,
    verb: string,
    principal: IPrincipal,
    topic: string | undefined,
  ): RoleAssignment {
    let scopeId = this.id;
    if (topic !== undefined) {
      const t = this.topicResources[topic];
      if (!t) {
        throw new ValidationError(
          this,
          'topic',
          topic,
          `grant on a topic of this namespace: ${this.topics.map((n) => JSON.stringify(n)).join(', ') || '(none yet; add it first)'}`,
        );
      }
      scopeId = t.eventHub.id;
    }
    const idPrefix = topic === undefined ? prefix : `${prefix}-${topic}`;
    return grantRole(this, grantId(idPrefix, this, principal), {
      scope: scopeId,
      roleDefinitionName: role,
      principal,
      description: `${verb} ${topic ?? 'every topic'} of ${this.node.path}`,
    });
  }
}
