import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ValidationError, isUnresolved, validateRange } from '../core';
import {
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  containerEnv,
  restrictedPodSecurityContext,
} from '../kubernetes-workload/restricted-pod';

/** One topic the job keeps on the cluster. */
export interface KafkaTopic {
  /** Topic name: 1–249 of letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** Partitions: the consumers' maximum parallelism. The job only ever adds partitions. */
  readonly partitions: number;
  /** Replicas of each partition; at most the broker count. */
  readonly replicationFactor: number;
}

/** TLS trust for brokers with a private CA, mounted from Key Vault through the CSI driver. */
export interface KafkaCaBundle {
  /** Name of a SecretProviderClass in the job's namespace that provides the bundle. */
  readonly secretProviderClassName: string;
  /** File name of the PEM bundle inside the mounted volume. */
  readonly fileName: string;
}

/** Props of {@link KafkaTopicsJob}. */
export interface KafkaTopicsJobProps {
  /** Namespace of the job (the workloads' namespace). */
  readonly namespace: string;
  /** Image that carries the job (`node dist/workloads/topics/main.js`); pinned like the services'. */
  readonly image: string;
  /** The topics, with their partitions and replication factor. */
  readonly topics: readonly KafkaTopic[];
  /** Kafka connection settings, the variables every service reads (`KAFKA_MODE`, `KAFKA_BROKERS`, …). */
  readonly kafkaEnv: Record<string, string>;
  /** Where the brokers are: the only egress the job's pods get (besides the namespace's DNS). */
  readonly brokers: { readonly cidr: string; readonly ports: readonly number[] };
  /**
   * The brokers' CA bundle.
   * @default - the system trust store (public CAs, or PLAINTEXT/SASL backbones)
   */
  readonly caBundle?: KafkaCaBundle;
  /**
   * Service account the pods run as; must be one the CSI driver can use when `caBundle` is set
   * (federated with an identity that may read the bundle).
   * @default "default" - no Azure identity
   */
  readonly serviceAccountName?: string;
  /**
   * Tries before the job fails (and with it the apply).
   * @default 6 - about 6 minutes of Kubernetes' exponential back-off while brokers come up
   */
  readonly backoffLimit?: number;
  /**
   * What must exist before the job runs (its SecretProviderClass, its service account).
   * @default - nothing beyond the namespace
   */
  readonly startsAfter?: ITerraformDependable[];
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const CA_MOUNT = '/var/run/kafka-ca';

/**
 * The Kafka admin job as a Kubernetes Job: creates the topics with their partition counts and
 * adds partitions when the declaration grows, idempotently (workloads/topics). Terraform waits for
 * it to complete, so deployments that depend on it start with their topics in place. A change to
 * the topics replaces the job, which runs again. Outside the mesh (a sidecar would keep the pod
 * from completing), with the restricted security context and egress only to the brokers.
 *
 * @example
 * new KafkaTopicsJob(this, 'Topics', {
 *   namespace: 'iot', image: 'acrexample.azurecr.io/iot/analysis:1.4.2',
 *   topics: [{ name: 'telemetry.raw', partitions: 12, replicationFactor: 3 }],
 *   kafkaEnv: { KAFKA_MODE: 'hdinsight', KAFKA_BROKERS: 'wn0-kafka:9093' },
 *   brokers: { cidr: '10.50.10.0/24', ports: [9093] },
 * });
 */
export class KafkaTopicsJob extends Construct {
  /** The `kubernetes_job_v1`; make deployments depend on it. */
  public readonly resource: JobV1;
  /** `KAFKA_TOPICS` as the job reads it. */
  public readonly topicsSpec: string;

  constructor(scope: Construct, id: string, props: KafkaTopicsJobProps) {
    super(scope, id);
    if (props.topics.length === 0) {
      throw new ValidationError(this, 'topics', '[]', 'at least one topic');
    }
    const seen = new Set<string>();
    props.topics.forEach((t, i) => {
      if (!TOPIC_NAME.test(t.name) || t.name === '.' || t.name === '..') {
        throw new ValidationError(
          this,
          `topics[${i}].name`,
          t.name,
          'a kafka topic name: 1-249 of letters, digits, ".", "_" and "-"',
        );
      }
      if (seen.has(t.name)) {
        throw new ValidationError(this, `topics[${i}].name`, t.name, 'each topic once');
      }
      seen.add(t.name);
      validateRange(this, `topics[${i}].partitions`, t.partitions, 1, 10_000);
      validateRange(this, `topics[${i}].replicationFactor`, t.replicationFactor, 1, 7);
    });
    if (
      !isUnresolved(props.image) &&
      !/^[^\s:@]+(?::[\w.-]+|@sha256:[a-f0-9]{64})$/.test(props.image)
    ) {
      throw new ValidationError(
        this,
        'image',
        props.image,
        'registry/repository with a tag or @sha256 digest',
      );
    }
    validateRange(this, 'backoffLimit', props.backoffLimit, 0, 20);
    if (props.brokers.ports.length === 0) {
      throw new ValidationError(this, 'brokers.ports', '[]', 'at least one broker port');
    }

    this.topicsSpec = props.topics
      .map((t) => `${t.name}:${t.partitions}:${t.replicationFactor}`)
      .join(',');
    const labels = {
      'app.kubernetes.io/name': 'kafka-topics',
      'app.kubernetes.io/part-of': 'iot-streaming',
    };
    const env: Record<string, string> = {
      ...props.kafkaEnv,
      KAFKA_TOPICS: this.topicsSpec,
      ...(props.caBundle ? { KAFKA_TLS_CA_FILE: `${CA_MOUNT}/${props.caBundle.fileName}` } : {}),
    };

    this.resource = new JobV1(this, 'Resource', {
      metadata: { name: 'kafka-topics', namespace: props.namespace, labels },
      waitForCompletion: true,
      dependsOn: props.startsAfter && props.startsAfter.length > 0 ? props.startsAfter : undefined,
      timeouts: { create: '10m', update: '10m' },
      spec: {
        backoffLimit: props.backoffLimit ?? 6,
        template: {
          metadata: {
            // A sidecar never exits, so a meshed job never completes.
            labels: { ...labels, 'sidecar.istio.io/inject': 'false' },
          },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: props.serviceAccountName ?? 'default',
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(1000, false),
            container: [
              {
                name: 'topics',
                image: props.image,
                command: ['node', 'dist/workloads/topics/main.js'],
                env: containerEnv(env),
                resources: {
                  requests: { cpu: '50m', memory: '96Mi' },
                  limits: { memory: '192Mi' },
                },
                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                volumeMount: props.caBundle
                  ? [{ name: 'kafka-ca', mountPath: CA_MOUNT, readOnly: true }]
                  : undefined,
              },
            ],
            volume: props.caBundle
              ? [
                  {
                    name: 'kafka-ca',
                    csi: {
                      driver: 'secrets-store.csi.k8s.io',
                      readOnly: true,
                      volumeAttributes: {
                        secretProviderClass: props.caBundle.secretProviderClassName,
                      },
                    },
                  },
                ]
              : undefined,
          },
        },
      },
    });

    new NetworkPolicyV1(this, 'AllowEgress', {
      metadata: { name: 'kafka-topics-egress', namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: props.brokers.cidr } }],
            ports: props.brokers.ports.map((p) => ({ port: String(p), protocol: 'TCP' })),
          },
        ],
      },
    });
  }
}
