import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from '../core';

/** How a Kafka client protects the connection: TLS alone, or TLS plus SASL authentication. */
export type KafkaSecurityProtocol = 'SSL' | 'SASL_SSL';

/**
 * The SASL mechanism a client uses: `PLAIN` with a connection string, `OAUTHBEARER` with an
 * Entra token (managed identity or workload identity).
 */
export type KafkaSaslMechanism = 'PLAIN' | 'OAUTHBEARER';

/**
 * How access to topics is controlled: `azure-rbac` backbones grant produce/consume per principal
 * (Event Hubs data roles); `network-isolation` backbones have no per-principal control on topics,
 * so whoever reaches the brokers' network over TLS can use them (HDInsight Kafka without ESP).
 */
export type StreamingAccessControl = 'azure-rbac' | 'network-isolation';

/**
 * What a Kafka client needs from the streaming backbone, whichever service provides it. The
 * workloads read these values into their configuration; the pattern construct wires them.
 */
export interface StreamingBackbone {
  /** Kafka `bootstrap.servers`: comma-separated `host:port` (may be a Terraform token). */
  readonly bootstrapServers: string;
  /** Kafka `security.protocol`. */
  readonly securityProtocol: KafkaSecurityProtocol;
  /** Kafka `sasl.mechanism`, or undefined when the backbone uses no SASL. */
  readonly saslMechanism?: KafkaSaslMechanism;
  /** One sentence for operators: how clients authenticate and what protects the topics. */
  readonly authentication: string;
  /** Topic names the backbone provides or expects. */
  readonly topics: string[];
  /** How access to topics is controlled; narrows to {@link RbacStreamingBackbone}. */
  readonly accessControl: StreamingAccessControl;
}

/**
 * A backbone whose topics are guarded by Azure RBAC: producers and consumers get a role each.
 * HDInsight Kafka is deliberately not one: it has no Azure RBAC on topics, and a grant method
 * that did nothing would hide that.
 */
export interface RbacStreamingBackbone extends StreamingBackbone {
  readonly accessControl: 'azure-rbac';
  /** Lets `principal` produce to `topic`, or to every topic when `topic` is omitted. */
  grantProduce(principal: IPrincipal, topic?: string): RoleAssignment;
  /** Lets `principal` consume from `topic`, or from every topic when `topic` is omitted. */
  grantConsume(principal: IPrincipal, topic?: string): RoleAssignment;
}

/** Whether a backbone takes Azure RBAC grants; use it before calling `grantProduce`. */
export function isRbacStreamingBackbone(b: StreamingBackbone): b is RbacStreamingBackbone {
  return b.accessControl === 'azure-rbac';
}

/**
 * The Kafka client properties for a backbone (`bootstrap.servers`, `security.protocol`,
 * `sasl.mechanism`), ready for a ConfigMap or app settings. Credentials are never included:
 * they come from the workload identity or a Key Vault reference.
 */
export function kafkaClientProperties(b: StreamingBackbone): Record<string, string> {
  const props: Record<string, string> = {
    'bootstrap.servers': b.bootstrapServers,
    'security.protocol': b.securityProtocol,
  };
  if (b.saslMechanism) props['sasl.mechanism'] = b.saslMechanism;
  return props;
}
