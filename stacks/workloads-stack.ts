import type { Construct } from 'constructs';
import { Fn, TerraformStack, TerraformVariable, dependable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { addSplunkForwarder } from './splunk-forwarder';
import {
  AKS_INTERNAL_INGRESS_GATEWAY,
  KubernetesWorkload,
  SecretProviderClass,
  WorkloadNamespace,
} from '../constructs/kubernetes-workload';
import type { KafkaLagTrigger, NetworkPeer } from '../constructs/kubernetes-workload';
import { ValidationError } from '../constructs/core';
import { EventHubsKafka, HdinsightKafkaCluster } from '../constructs/kafka';
import { KafkaTopicsJob } from '../constructs/kafka-topics';
import { MeshIngressRoute } from '../constructs/mesh-ingress';
import type { ClusterWorkload, IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import { CLUSTER_WORKLOADS, PLATFORM_TOPICS } from '../constructs/iot-streaming-platform';
import type { EnvironmentConfig, PlatformNetworkSettings } from './environments';
import { PrometheusScrapeSettings } from '../constructs/monitoring';
import { applyEnvironmentWaivers, configureBackend } from './platform-stack';
import { imageByDigest, imageDigest } from './image-digests';

/** AKS' Entra server application id, the audience kubelogin requests tokens for. */
const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

const PORTS: Record<ClusterWorkload, number> = { ingest: 8080, analysis: 8081, processing: 8082 };

/** Consumer group and topics of each consumer, as the services default them. */
const CONSUMES: Partial<Record<ClusterWorkload, { group: string; topics: string[] }>> = {
  analysis: { group: 'analysis', topics: ['telemetry.raw'] },
  processing: { group: 'processing', topics: ['telemetry.analyzed', 'alerts'] },
};

/**
 * Key Vault secret holding the HDInsight brokers' CA bundle (PEM), mounted into every workload
 * at {@link KAFKA_CA_MOUNT} and read through KAFKA_TLS_CA_FILE.
 */
export const KAFKA_CA_SECRET_NAME = 'kafka-ca-bundle';
const KAFKA_CA_MOUNT = '/mnt/secrets/kafka';
const KAFKA_CA_FILE = 'ca.pem';

/** The hosts of ALERT_WEBHOOK_URLS: HTTPS URLs only, the host being what egress opens. */
export function webhookHosts(scope: Construct, urls: readonly string[]): string[] {
  return urls.map((u, i) => {
    let url: URL | undefined;
    try {
      url = new URL(u);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) {
      throw new ValidationError(
        scope,
        `workloads.alertWebhookUrls[${i}]`,
        u,
        'an https:// URL on port 443 (egress opens only TLS to the named host)',
      );
    }
    if (url.username || url.password) {
      throw new ValidationError(
        scope,
        `workloads.alertWebhookUrls[${i}]`,
        '(credentials redacted)',
        'a URL without user info; the request is signed with ALERT_WEBHOOK_SECRET',
      );
    }
    return url.hostname;
  });
}

/**
 * The reference workloads of one environment on its AKS cluster, through the kubernetes
 * provider: a restricted namespace and one hardened deployment per service, each running as its
 * own workload identity. Applied after the platform stack (cdktf wires the cluster's outputs
 * across the stacks through remote state).
 */
export class WorkloadsStack extends TerraformStack {
  constructor(
    scope: Construct,
    id: string,
    env: EnvironmentConfig,
    platform: IotStreamingPlatform,
  ) {
    super(scope, id);
    configureBackend(this, env.backend, id);
    const kube = platform.cluster.resource.kubeConfig.get(0);
    new KubernetesProvider(this, 'kubernetes', {
      host: kube.host,
      clusterCaCertificate: Fn.base64decode(kube.clusterCaCertificate),
      // Local accounts are off: kubelogin exchanges the deployer's Entra login for a token.
      exec: [
        {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'kubelogin',
          args: ['get-token', '--login', 'azurecli', '--server-id', AKS_SERVER_APP_ID],
        },
      ],
    });

    const ns = new WorkloadNamespace(this, 'Namespace', {
      name: platform.workloadNamespace,
      istioRevision: platform.istioRevision,
    });
    // Managed Prometheus scrapes annotated pods only in the namespaces its settings name.
    new PrometheusScrapeSettings(this, 'PrometheusScrape', {
      podAnnotationNamespaces: [platform.workloadNamespace],
      kedaOperator: true,
    });
    const webhookUrls = env.workloads.alertWebhookUrls ?? [];
    const hooks = webhookHosts(this, webhookUrls);
    const net: PlatformNetworkSettings = env.platform.network;
    // Private endpoints share one subnet: each workload gets only the ports of the services it
    // uses there (Cosmos 443, Event Hubs' Kafka 9093, Managed Redis 10000).
    const privateEndpoints = (...ports: number[]): NetworkPeer => ({
      cidr: net.privateEndpointsPrefix,
      ports,
    });
    const kafka = this.kafkaSettings(env, platform);
    const kafkaPeer: NetworkPeer =
      kafka.KAFKA_MODE === 'hdinsight'
        ? { cidr: net.hdinsightPrefix!, ports: [9093] }
        : privateEndpoints(9093);
    // Images by digest, from the Build stage's outputs (./image-digests.ts, docs/adr/0016).
    const image = (svc: ClusterWorkload) =>
      imageByDigest(platform.registry.loginServer, svc, imageDigest(this, svc));
    const identity = (w: ClusterWorkload) => platform.identityOf(w).clientId;
    const common = { LOG_LEVEL: 'info', NODE_ENV: 'production' };
    const hdinsight = kafka.KAFKA_MODE === 'hdinsight';
    // HDInsight's brokers present a certificate from the cluster's own CA: each workload mounts
    // the bundle from Key Vault as its own identity (a SecretProviderClass per identity), and
    // the consumers' copies are synced to a secret KEDA's lag trigger reads.
    const caClass = (w: ClusterWorkload) =>
      new SecretProviderClass(this, `KafkaCa-${w}`, {
        namespace: ns.name,
        name: `${w}-kafka-ca`,
        keyVaultName: platform.keyVault.name,
        tenantId: platform.keyVault.resource.tenantId,
        workloadIdentityClientId: identity(w),
        secrets: [{ secretName: KAFKA_CA_SECRET_NAME, fileName: KAFKA_CA_FILE }],
        syncToSecret: CONSUMES[w] ? `${w}-kafka-ca` : undefined,
      });
    const caEnv: Record<string, string> = hdinsight
      ? { KAFKA_TLS_CA_FILE: `${KAFKA_CA_MOUNT}/${KAFKA_CA_FILE}` }
      : {};

    const envs: Record<ClusterWorkload, Record<string, string>> = {
      ingest: {
        ...common,
        ...kafka,
        ...caEnv,
        PORT: String(PORTS.ingest),
        HOST: '0.0.0.0',
        COSMOS_ENDPOINT: platform.cosmos.endpoint,
        COSMOS_DATABASE: platform.cosmosDatabase,
        COSMOS_CONTAINER: platform.cosmosContainer,
        // the same limit API Management enforces at the edge
        MAX_BODY_BYTES: String(platform.ingestMaxBodyBytes),
      },
      analysis: { ...common, ...kafka, ...caEnv, PORT: String(PORTS.analysis), HOST: '0.0.0.0' },
      processing: {
        ...common,
        ...kafka,
        ...caEnv,
        PORT: String(PORTS.processing),
        HOST: '0.0.0.0',
        DATABASE_URL: `postgres://${platform.identityOf('processing').name}@${platform.postgres.fqdn}:5432/${platform.postgresDatabase}?sslmode=require`,
        DATABASE_AUTH: 'entra',
        REDIS_URL: platform.redis.url,
        REDIS_AUTH: 'entra',
        REDIS_USERNAME: platform.identityOf('processing').principalId,
        // processing (the Entra admin) creates the web identity's read-only role at start.
        WEB_DATABASE_PRINCIPAL_NAME: platform.webIdentity.name,
        WEB_DATABASE_PRINCIPAL_OBJECT_ID: platform.webIdentity.principalId,
        ...(webhookUrls.length > 0
          ? ({ ALERT_WEBHOOK_URLS: webhookUrls.join(',') } as Record<string, string>)
          : {}),
      },
    };
    const egress: Record<ClusterWorkload, NetworkPeer[]> = {
      ingest: [privateEndpoints(443), kafkaPeer],
      analysis: [kafkaPeer],
      processing: [{ cidr: net.postgresPrefix, ports: [5432] }, privateEndpoints(10000), kafkaPeer],
    };

    const caClasses = new Map(
      CLUSTER_WORKLOADS.map((w) => [w, hdinsight ? caClass(w) : undefined]),
    );
    // HDInsight's topics are not Azure resources: a job creates them (and grows their partitions)
    // with the platform's partition counts before the services start. Event Hubs' topics are
    // event hubs of the platform stack.
    const backbone = env.platform.backbone;
    const topicsJob =
      backbone.kind === 'hdinsight'
        ? new KafkaTopicsJob(this, 'KafkaTopics', {
            namespace: ns.name,
            image: image('analysis'),
            topics: PLATFORM_TOPICS.map((t) => ({
              name: t.name,
              partitions: t.partitions,
              replicationFactor: Math.min(3, backbone.workerCount ?? 3),
            })),
            kafkaEnv: kafka,
            brokers: { cidr: kafkaPeer.cidr!, ports: kafkaPeer.ports },
            // analysis' identity may read the CA bundle; its class mounts it
            caBundle: { secretProviderClassName: 'analysis-kafka-ca', fileName: KAFKA_CA_FILE },
            serviceAccountName: 'analysis',
            startsAfter: [caClasses.get('analysis')!.resource],
          })
        : undefined;

    const workloads = new Map<ClusterWorkload, KubernetesWorkload>();
    for (const w of CLUSTER_WORKLOADS) {
      const size = env.workloads[w];
      const ca = caClasses.get(w);
      const consumes = CONSUMES[w];
      // KEDA's Kafka scaler authenticates with TLS/SASL secrets only, never with workload
      // identity, and Event Hubs has local auth off: lag scaling is for HDInsight (TLS with
      // the CA); on Event Hubs the consumers scale on CPU (docs/adr/0005).
      const kafkaLag: KafkaLagTrigger | undefined =
        hdinsight && consumes
          ? {
              bootstrapServers: kafka.KAFKA_BROKERS,
              consumerGroup: consumes.group,
              topics: consumes.topics,
              tlsCaSecret: { name: `${w}-kafka-ca`, key: KAFKA_CA_FILE },
            }
          : undefined;
      const workload = new KubernetesWorkload(this, `Workload-${w}`, {
        namespace: ns.name,
        name: w,
        image: image(w),
        port: PORTS[w],
        replicas: size.replicas,
        maxReplicas: size.maxReplicas,
        autoscaler: 'keda',
        kafkaLag,
        resources: {
          cpuRequest: size.cpuRequest,
          memoryRequest: size.memoryRequest,
          memoryLimit: size.memoryLimit,
        },
        workloadIdentityClientId: identity(w),
        env: { ...envs[w], AZURE_CLIENT_ID: identity(w) },
        mesh: ns.meshed,
        // ingest takes traffic only from the internal ingress gateway API Management calls
        // (identity checked by mTLS); nothing else calls a workload. The monitoring agents in
        // kube-system scrape the sidecars' merged metrics.
        allowIngressFrom:
          w === 'ingest'
            ? [
                {
                  namespace: AKS_INTERNAL_INGRESS_GATEWAY.namespace,
                  podLabels: { ...AKS_INTERNAL_INGRESS_GATEWAY.podLabels },
                  // A trailing * also admits a revision-suffixed service account, should the
                  // add-on name the gateway's after its revision (docs/adr/0005).
                  serviceAccount: `${AKS_INTERNAL_INGRESS_GATEWAY.serviceAccount}*`,
                  ports: [PORTS.ingest],
                },
              ]
            : undefined,
        metricsScrapedFrom: { namespace: 'kube-system' },
        allowEgressTo: egress[w],
        allowEgressToHosts: w === 'processing' ? hooks : undefined,
        keyVaultSecrets: ca ? { secretProviderClass: ca, mountPath: KAFKA_CA_MOUNT } : undefined,
        terminationGracePeriodSeconds: 45,
        startsAfter: topicsJob ? [topicsJob.resource] : undefined,
      });
      workloads.set(w, workload);
    }
    if (topicsJob) {
      // The job runs as analysis' service account (the identity its CA class mounts with).
      topicsJob.resource.dependsOn = [
        ...(topicsJob.resource.dependsOn ?? []),
        dependable(workloads.get('analysis')!.serviceAccount),
      ];
    }
    // The analysed stream and the alerts to Splunk's HTTP Event Collector (docs/adr/0015).
    const splunk = env.workloads.splunk;
    if (splunk) {
      addSplunkForwarder(this, {
        settings: splunk,
        namespace: ns.name,
        mesh: ns.meshed,
        image: imageByDigest(
          platform.registry.loginServer,
          'splunk-forwarder',
          imageDigest(this, 'splunk-forwarder'),
        ),
        identityClientId: platform.splunkForwarderIdentity.clientId,
        keyVaultName: platform.keyVault.name,
        tenantId: platform.keyVault.resource.tenantId,
        kafkaEnv: kafka,
        kafkaPeer,
        kafkaCaSecretName: hdinsight ? KAFKA_CA_SECRET_NAME : undefined,
        startsAfter: topicsJob ? [topicsJob.resource] : undefined,
      });
    }

    // API Management → ingest.<prefix>.<env>.internal → internal load balancer → the add-on's
    // internal ingress gateway → ingest (docs/adr/0006)
    new MeshIngressRoute(this, 'IngestRoute', {
      name: 'ingest',
      endpoint: platform.ingestEndpoint,
      tenantId: platform.tenantId,
      secretsProviderClientId: platform.cluster.secretsProviderIdentity.clientId,
      destination: { namespace: ns.name, service: 'ingest', port: PORTS.ingest },
      paths: [...platform.ingestPaths],
      // ingest's image has node and is already pulled by the nodes
      syncImage: image('ingest'),
    });
    applyEnvironmentWaivers(this, env.workloads.waivers ?? []);
  }

  private kafkaSettings(
    env: EnvironmentConfig,
    platform: IotStreamingPlatform,
  ): Record<string, string> {
    const b = platform.backbone;
    if (EventHubsKafka.isEventHubsKafka(b)) {
      return {
        KAFKA_MODE: 'eventhubs',
        KAFKA_BROKERS: b.bootstrapServers,
        EVENTHUBS_NAMESPACE: b.name,
        EVENTHUBS_AUTH: 'entra',
      };
    }
    if (HdinsightKafkaCluster.isHdinsightKafkaCluster(b)) {
      // HDInsight names its brokers only after creation: until the environment lists them,
      // the deployer passes them in (see constructs/kafka/README.md).
      const brokers =
        env.platform.backbone.kind === 'hdinsight' && env.platform.backbone.brokerHosts
          ? b.bootstrapServers
          : new TerraformVariable(this, 'kafka_bootstrap_servers', {
              type: 'string',
              description:
                'HDInsight Kafka brokers (host:9093,...), read from the cluster after its first deploy',
            }).stringValue;
      return { KAFKA_MODE: 'hdinsight', KAFKA_BROKERS: brokers };
    }
    throw new Error(`unsupported streaming backbone ${b.constructor.name}`);
  }
}
