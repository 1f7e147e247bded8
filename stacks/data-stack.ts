import { join } from 'node:path';
import type { Construct } from 'constructs';
import { TerraformStack, TerraformVariable, dependable } from 'cdktf';
import { DatabricksProvider } from '@cdktf/provider-databricks/lib/provider';
import { ValidationError } from '../constructs/core';
import { DatabricksJob, UnityCatalogCredentials } from '../constructs/databricks-job';
import { EventHubsKafka, HdinsightKafkaCluster } from '../constructs/kafka';
import type { IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import { LAKEHOUSE_CONTAINERS, LAKEHOUSE_TOPICS } from '../constructs/iot-streaming-platform';
import type { EnvironmentConfig } from './environments';
import { configureBackend } from './platform-stack';
import { KAFKA_CA_SECRET_NAME } from './workloads-stack';

/** The lakehouse job's files (data-science/README.md): the entry file and its package. */
export const LAKEHOUSE_JOB_DIRECTORY = join(__dirname, '..', 'data-science', 'jobs');
/** The entry file, relative to {@link LAKEHOUSE_JOB_DIRECTORY}. */
export const LAKEHOUSE_JOB_ENTRY = 'telemetry_lakehouse.py';
/** The Key Vault-backed secret scope over the platform vault. */
export const LAKEHOUSE_SECRET_SCOPE = 'iot-platform';

/**
 * The data-science side of one environment inside its Databricks workspace, through the
 * databricks provider: Unity Catalog credentials on the lake and (Event Hubs) the namespace,
 * all as the workspace's access connector; the Key Vault-backed secret scope; and the
 * lakehouse streaming job on a job cluster. Applied after the platform stack, from a machine
 * that reaches the workspace's private endpoint (the deployment agents), with Azure
 * authentication (docs/adr/0013).
 */
export class DataStack extends TerraformStack {
  /** The lakehouse job. */
  public readonly job: DatabricksJob;

  constructor(
    scope: Construct,
    id: string,
    env: EnvironmentConfig,
    platform: IotStreamingPlatform,
  ) {
    super(scope, id);
    const ds = env.dataScience;
    const workspace = platform.databricks;
    const lake = platform.lake;
    if (!ds || !workspace || !lake) {
      throw new ValidationError(
        this,
        'dataScience',
        undefined,
        'the data stack needs dataScience in the environment and a platform with databricks and a lake',
      );
    }
    configureBackend(this, env.backend, id);
    // Azure authentication (Azure CLI on the agents, or ARM_* variables): a Key Vault-backed
    // secret scope cannot be created with a personal access token.
    new DatabricksProvider(this, 'databricks', {
      host: `https://${workspace.workspaceUrl}`,
      azureWorkspaceResourceId: workspace.id,
    });

    const runAs = ds.job.runAsServicePrincipal;
    const backbone = platform.backbone;
    const uc = new UnityCatalogCredentials(this, 'UnityCatalog', {
      namePrefix: `${env.platform.namePrefix}-${env.name}`,
      accessConnectorId: workspace.accessConnectorId,
      locations: {
        [LAKEHOUSE_CONTAINERS.tables]: lake.abfssUrl(LAKEHOUSE_CONTAINERS.tables),
        [LAKEHOUSE_CONTAINERS.checkpoints]: lake.abfssUrl(LAKEHOUSE_CONTAINERS.checkpoints),
      },
      serviceCredential: EventHubsKafka.isEventHubsKafka(backbone),
      principals: runAs ? [runAs] : undefined,
    });

    const kafka = this.kafkaParameters(env, platform, uc);
    const parameters = [
      ...kafka.parameters,
      ...['--readings-topic', LAKEHOUSE_TOPICS[0], '--alerts-topic', LAKEHOUSE_TOPICS[1]],
      ...['--lakehouse-path', lake.abfssUrl(LAKEHOUSE_CONTAINERS.tables, 'telemetry')],
      ...[
        '--checkpoint-path',
        lake.abfssUrl(LAKEHOUSE_CONTAINERS.checkpoints, 'telemetry-lakehouse'),
      ],
      ...['--trigger', ds.job.sparkTrigger, '--group-id-prefix', 'lakehouse'],
      ...(ds.job.maxOffsetsPerTrigger !== undefined
        ? ['--max-offsets-per-trigger', String(ds.job.maxOffsetsPerTrigger)]
        : []),
    ];
    this.job = new DatabricksJob(this, 'LakehouseJob', {
      name: `${env.platform.namePrefix}-${env.name}-telemetry-lakehouse`,
      sourceDirectory: LAKEHOUSE_JOB_DIRECTORY,
      entryFile: LAKEHOUSE_JOB_ENTRY,
      workspaceDirectory: '/Shared/iot/telemetry-lakehouse',
      parameters,
      environment: kafka.environment,
      cluster: ds.job.cluster,
      trigger: ds.job.trigger,
      secretScope: { name: LAKEHOUSE_SECRET_SCOPE, keyVault: platform.keyVault },
      runAsServicePrincipal: runAs,
    });
    // a continuous job starts at once: its locations and credentials must be there
    this.job.resource.dependsOn = [
      ...(this.job.resource.dependsOn ?? []),
      ...[...uc.locations.values(), ...(uc.serviceCredential ? [uc.serviceCredential] : [])].map(
        (r) => dependable(r),
      ),
    ];
  }

  /**
   * The job file's Kafka arguments per backbone, as the Node workloads connect: Event Hubs with
   * Entra (the access connector through the Unity Catalog service credential), HDInsight over
   * TLS with the brokers' CA bundle from the secret scope.
   */
  private kafkaParameters(
    env: EnvironmentConfig,
    platform: IotStreamingPlatform,
    uc: UnityCatalogCredentials,
  ): { parameters: string[]; environment?: Record<string, string> } {
    const b = platform.backbone;
    if (EventHubsKafka.isEventHubsKafka(b)) {
      return {
        parameters: [
          ...['--kafka-mode', 'eventhubs', '--eventhubs-namespace', b.name],
          ...['--eventhubs-auth', 'entra'],
          ...['--eventhubs-service-credential', uc.serviceCredential!.name],
        ],
      };
    }
    if (HdinsightKafkaCluster.isHdinsightKafkaCluster(b)) {
      const brokers =
        env.platform.backbone.kind === 'hdinsight' && env.platform.backbone.brokerHosts
          ? b.bootstrapServers
          : new TerraformVariable(this, 'kafka_bootstrap_servers', {
              type: 'string',
              description:
                'HDInsight Kafka brokers (host:9093,...), read from the cluster after its first deploy',
            }).stringValue;
      return {
        parameters: ['--kafka-mode', 'hdinsight', '--kafka-brokers', brokers],
        // resolved by Databricks at cluster start; the value never reaches the job's settings
        environment: {
          KAFKA_TLS_CA_PEM: `{{secrets/${LAKEHOUSE_SECRET_SCOPE}/${KAFKA_CA_SECRET_NAME}}}`,
        },
      };
    }
    throw new Error(`unsupported streaming backbone ${b.constructor.name}`);
  }
}
