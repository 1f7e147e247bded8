import type { Construct } from 'constructs';
import { Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KubernetesWorkload, WorkloadNamespace } from '../constructs/kubernetes-workload';
import type { NetworkPeer } from '../constructs/kubernetes-workload';
import { EventHubsKafka, HdinsightKafkaCluster } from '../constructs/kafka';
import type { ClusterWorkload, IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import { CLUSTER_WORKLOADS } from '../constructs/iot-streaming-platform';
import type { EnvironmentConfig, PlatformNetworkSettings } from './environments';
import { PrometheusScrapeSettings } from '../constructs/monitoring';
import { configureBackend } from './platform-stack';

/** AKS' Entra server application id, the audience kubelogin requests tokens for. */
const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

const PORTS: Record<ClusterWorkload, number> = { ingest: 8080, analysis: 8081, processing: 8082 };

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
    });
    const net: PlatformNetworkSettings = env.platform.network;
    const privateEndpoints: NetworkPeer = {
      cidr: net.privateEndpointsPrefix,
      ports: [443, 9093, 10000],
    };
    const kafka = this.kafkaSettings(env, platform);
    const kafkaPeer: NetworkPeer =
      kafka.KAFKA_MODE === 'hdinsight'
        ? { cidr: net.hdinsightPrefix!, ports: [9092, 9093] }
        : privateEndpoints;
    const image = (svc: string) =>
      `${platform.registry.loginServer}/iot/${svc}:${env.workloads.imageTag}`;
    const identity = (w: ClusterWorkload) => platform.identityOf(w).clientId;
    const common = { LOG_LEVEL: 'info', NODE_ENV: 'production' };

    const envs: Record<ClusterWorkload, Record<string, string>> = {
      ingest: {
        ...common,
        ...kafka,
        PORT: String(PORTS.ingest),
        HOST: '0.0.0.0',
        COSMOS_ENDPOINT: platform.cosmos.endpoint,
        COSMOS_DATABASE: platform.cosmosDatabase,
        COSMOS_CONTAINER: platform.cosmosContainer,
      },
      analysis: { ...common, ...kafka, PORT: String(PORTS.analysis), HOST: '0.0.0.0' },
      processing: {
        ...common,
        ...kafka,
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
      },
    };
    const egress: Record<ClusterWorkload, NetworkPeer[]> = {
      ingest: [privateEndpoints, kafkaPeer],
      analysis: [kafkaPeer],
      processing: [{ cidr: net.postgresPrefix, ports: [5432] }, privateEndpoints, kafkaPeer],
    };

    for (const w of CLUSTER_WORKLOADS) {
      const size = env.workloads[w];
      new KubernetesWorkload(this, `Workload-${w}`, {
        namespace: ns.name,
        name: w,
        image: image(w),
        port: PORTS[w],
        replicas: size.replicas,
        maxReplicas: size.maxReplicas,
        resources: {
          cpuRequest: size.cpuRequest,
          memoryRequest: size.memoryRequest,
          memoryLimit: size.memoryLimit,
        },
        workloadIdentityClientId: identity(w),
        env: { ...envs[w], AZURE_CLIENT_ID: identity(w) },
        // ingest takes traffic from API Management; the others expose only /metrics and probes
        // to the cluster's monitoring agents in kube-system.
        allowIngressFrom:
          w === 'ingest'
            ? [
                { cidr: net.apiManagementPrefix, ports: [PORTS.ingest] },
                { namespace: 'aks-istio-ingress', ports: [PORTS.ingest] },
              ]
            : [{ namespace: 'kube-system', ports: [PORTS[w]] }],
        allowEgressTo: egress[w],
        terminationGracePeriodSeconds: 45,
      });
    }
  }

  private kafkaSettings(
    env: EnvironmentConfig,
    platform: IotStreamingPlatform,
  ): Record<string, string> {
    const b = platform.backbone;
    if (b instanceof EventHubsKafka) {
      return {
        KAFKA_MODE: 'eventhubs',
        KAFKA_BROKERS: b.bootstrapServers,
        EVENTHUBS_NAMESPACE: b.name,
        EVENTHUBS_AUTH: 'entra',
      };
    }
    if (b instanceof HdinsightKafkaCluster) {
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
