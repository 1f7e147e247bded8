import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ValidationError, isUnresolved, validateName, validateRange } from '../core';
import { KUBERNETES_NAME } from './kubernetes-name';

/** Scale on a Kafka consumer group's lag (KEDA's `kafka` scaler). */
export interface KafkaLagTrigger {
  /** Bootstrap servers, `host:port,...`. */
  readonly bootstrapServers: string;
  /** Consumer group whose lag is measured. */
  readonly consumerGroup: string;
  /** Topics the group consumes; one trigger each (KEDA adds the replicas they ask for). */
  readonly topics: string[];
  /**
   * Lag per replica KEDA aims for.
   * @default 1000 - a few seconds of work for one replica at the reference services' rates
   */
  readonly lagThreshold?: number;
  /**
   * TLS to the brokers with the CA bundle read from a Kubernetes secret (e.g. the one the
   * Key Vault CSI driver syncs from a SecretProviderClass).
   * @default - plaintext
   */
  readonly tlsCaSecret?: { readonly name: string; readonly key: string };
}

/** Props of {@link ScaledObject}. */
export interface ScaledObjectProps {
  /** Namespace of the deployment. */
  readonly namespace: string;
  /** Name of the deployment KEDA scales (the ScaledObject takes the same name). */
  readonly deploymentName: string;
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Average CPU utilisation (of the request) to hold.
   * @default 70
   */
  readonly cpuUtilizationPercent?: number;
  /**
   * Consumer-lag trigger, added to the CPU trigger.
   * @default - CPU only
   */
  readonly kafkaLag?: KafkaLagTrigger;
  /**
   * Seconds between KEDA's polls of the triggers.
   * @default 15
   */
  readonly pollingIntervalSeconds?: number;
  /**
   * What must exist before KEDA starts polling (e.g. the deployment whose pods sync the CA).
   * @default - nothing besides the trigger authentication
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A KEDA ScaledObject (the AKS KEDA add-on's `keda.sh/v1alpha1`) for one deployment: CPU
 * utilisation, plus consumer lag when `kafkaLag` is given, with the TriggerAuthentication that
 * hands KEDA the brokers' CA. KEDA owns the replica count through the HPA it creates, so the
 * deployment must leave `replicas` unset (see {@link KubernetesWorkload}).
 *
 * @example
 * new ScaledObject(this, 'Scale', {
 *   namespace: 'iot', deploymentName: 'analysis', minReplicas: 2, maxReplicas: 12,
 *   kafkaLag: { bootstrapServers: 'b0:9093', consumerGroup: 'analysis', topics: ['telemetry.raw'] },
 * });
 */
export class ScaledObject extends Construct {
  /** The ScaledObject manifest. */
  public readonly resource: Manifest;
  /** The TriggerAuthentication manifest, when the lag trigger uses TLS. */
  public readonly triggerAuthentication?: Manifest;

  constructor(scope: Construct, id: string, props: ScaledObjectProps) {
    super(scope, id);
    validateName(this, 'deploymentName', props.deploymentName, KUBERNETES_NAME);
    validateRange(this, 'minReplicas', props.minReplicas, 1, 100);
    validateRange(this, 'maxReplicas', props.maxReplicas, props.minReplicas, 300);
    validateRange(this, 'cpuUtilizationPercent', props.cpuUtilizationPercent, 10, 95, {
      unit: 'percent',
    });
    validateRange(this, 'pollingIntervalSeconds', props.pollingIntervalSeconds, 5, 300, {
      unit: 'seconds',
    });
    const lag = props.kafkaLag;
    if (lag) {
      if (lag.topics.length === 0) {
        throw new ValidationError(this, 'kafkaLag.topics', lag.topics, 'at least one topic');
      }
      validateRange(this, 'kafkaLag.lagThreshold', lag.lagThreshold, 1, 1_000_000);
      if (!isUnresolved(lag.consumerGroup) && !/^[A-Za-z0-9._-]{1,200}$/.test(lag.consumerGroup)) {
        throw new ValidationError(
          this,
          'kafkaLag.consumerGroup',
          lag.consumerGroup,
          '1-200 letters, digits, dots, underscores or hyphens',
        );
      }
    }
    const name = props.deploymentName;
    if (lag?.tlsCaSecret) {
      this.triggerAuthentication = new Manifest(this, 'TriggerAuthentication', {
        manifest: {
          apiVersion: 'keda.sh/v1alpha1',
          kind: 'TriggerAuthentication',
          metadata: { name: `${name}-kafka`, namespace: props.namespace },
          spec: {
            secretTargetRef: [
              { parameter: 'ca', name: lag.tlsCaSecret.name, key: lag.tlsCaSecret.key },
            ],
          },
        },
      });
    }
    const lagTriggers = (lag?.topics ?? []).map((topic) => ({
      type: 'kafka',
      metadata: {
        bootstrapServers: lag!.bootstrapServers,
        consumerGroup: lag!.consumerGroup,
        topic,
        lagThreshold: String(lag!.lagThreshold ?? 1000),
        // The services subscribe from the beginning, so an uncommitted partition really is
        // the whole topic's worth of work: count it that way.
        offsetResetPolicy: 'earliest',
        ...(lag!.tlsCaSecret ? { tls: 'enable' } : {}),
      },
      ...(this.triggerAuthentication ? { authenticationRef: { name: `${name}-kafka` } } : {}),
    }));
    const dependsOn = [
      ...(props.dependsOn ?? []),
      ...(this.triggerAuthentication ? [this.triggerAuthentication] : []),
    ];
    this.resource = new Manifest(this, 'Resource', {
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      manifest: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name, namespace: props.namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicaCount: props.minReplicas,
          maxReplicaCount: props.maxReplicas,
          pollingInterval: props.pollingIntervalSeconds ?? 15,
          triggers: [
            {
              type: 'cpu',
              metricType: 'Utilization',
              metadata: { value: String(props.cpuUtilizationPercent ?? 70) },
            },
            ...lagTriggers,
          ],
        },
      },
    });
  }
}
