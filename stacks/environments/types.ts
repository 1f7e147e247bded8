import type {
  IotStreamingPlatformProps,
  BackboneProps,
} from '../../constructs/iot-streaming-platform';
import type { DataLakeReplication } from '../../constructs/data-lake';
import type {
  DatabricksJobClusterProps,
  DatabricksJobTrigger,
} from '../../constructs/databricks-job';

/**
 * The data-science side as data (docs/data-science.md): the lake's replication and the
 * lakehouse job's cluster and trigger. The AzureDatabricks application's object id is a
 * deploy-time input (`azure_databricks_principal_object_id`), never data.
 */
export interface DataScienceSettings {
  /** @default - "ZRS" with two or more zones, else "LRS" */
  readonly lakeReplication?: DataLakeReplication;
  /** The lakehouse job (data stack `iot-<env>-data`). */
  readonly job: {
    /** Its job cluster: runtime 16.1+ (service credentials), node type, workers. */
    readonly cluster: DatabricksJobClusterProps;
    /** `{ continuous: true }` for streaming, or a schedule with `available-now` batches. */
    readonly trigger: DatabricksJobTrigger;
    /** The job file's `--trigger`: a micro-batch interval such as `30s`, or `available-now`. */
    readonly sparkTrigger: string;
    /** The job file's `--max-offsets-per-trigger`. @default - unbounded */
    readonly maxOffsetsPerTrigger?: number;
    /**
     * Application id of a service principal the job runs as (granted on the secret scope and
     * the Unity Catalog objects). @default - the deploying identity
     */
    readonly runAsServicePrincipal?: string;
  };
}

/** Where an environment keeps its Terraform state (an azurerm backend, Entra auth). */
export interface StateBackend {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
}

/** The platform network's address plan. */
export type PlatformNetworkSettings = IotStreamingPlatformProps['network'];

/** Sizing of one reference workload on AKS. */
export interface WorkloadSizing {
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/**
 * Splunk as data: where the forwarder sends the analysed readings and alerts (HTTP Event
 * Collector), and how it labels them. The HEC token is a Key Vault secret, never data.
 */
export interface SplunkSettings {
  /**
   * HEC base URL, https on a DNS name, e.g. `https://hec.splunk.example.org:8088`; egress opens
   * to exactly this host and port.
   */
  readonly hecUrl: string;
  /** Splunk index of every event; the token must allow it. */
  readonly index: string;
  /** `sourcetype` of analysed readings. @default "iot:telemetry:analyzed" */
  readonly sourcetype?: string;
  /** `sourcetype` of alert transitions. @default "iot:alert" */
  readonly alertSourcetype?: string;
  /** `source` of every event. @default "iot-streaming-platform" */
  readonly source?: string;
  /**
   * Whether the token has indexer acknowledgement on (Splunk Enterprise); off, a 200 from HEC
   * counts as delivered (Splunk Cloud offers acks to Firehose only).
   * @default true
   */
  readonly indexerAcknowledgement?: boolean;
  /** Key Vault secret holding the HEC token. @default "splunk-hec-token" */
  readonly tokenSecretName?: string;
  /** The forwarder's size. */
  readonly forwarder: WorkloadSizing;
}

/**
 * The backbone as data. HDInsight's gateway password and node SSH keys are deploy-time inputs
 * (Terraform variables, see ../deploy-inputs.ts), never data.
 */
export type BackboneSettings =
  | Extract<BackboneProps, { kind: 'eventhubs' }>
  | Omit<Extract<BackboneProps, { kind: 'hdinsight' }>, 'gatewayPassword' | 'sshPublicKeys'>;

/** Monitoring as data: receivers by name; their addresses are a deploy-time input. */
export type MonitoringSettings = Omit<IotStreamingPlatformProps['monitoring'], 'alertEmails'> & {
  /** Names of the action group's e-mail receivers; `alert_email_addresses` maps each to an address. */
  readonly alertReceivers: string[];
};

/**
 * AKS as data. The admin groups and a public API server's authorized ranges are deploy-time
 * inputs (`aks_admin_group_object_ids`, `aks_authorized_ip_ranges`).
 */
export type AksSettings = Omit<
  IotStreamingPlatformProps['aks'],
  'adminGroupObjectIds' | 'authorizedIpRanges'
>;

/**
 * A waiver an environment declares: the construct path is relative to the environment's
 * platform stack (e.g. `Platform/Postgres`), so it lands on the narrowest construct.
 */
export interface EnvironmentWaiver {
  /** Construct path below the stack, e.g. `Platform/WebApp/Plan`. */
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
  readonly owner: string;
  /** `YYYY-MM-DD`. */
  readonly expires: string;
}

/**
 * Azure Pipelines for an environment: the Azure DevOps project and the two service connections
 * (workload identity federation) the Build and Deploy stages use. The organization's id is a
 * deploy-time input (`azure_devops_organization_id`).
 */
export interface DeliverySettings {
  /** Organization name, as in `https://dev.azure.com/<organization>`. */
  readonly organization: string;
  /** Project holding the pipeline. */
  readonly project: string;
  /** Service connection of the Build stage: push, run ACR builds, lock, sign. */
  readonly buildServiceConnection: string;
  /** Service connection of the deploy stage: what `cdktf deploy` of this environment needs. */
  readonly deployServiceConnection: string;
  /** Subject of the image-signing certificate (Notary Project: organization, state, country). */
  readonly signingSubject: {
    readonly organization: string;
    readonly state: string;
    readonly country: string;
  };
  /** Owner and review date of the deploy identity's privileged-role waiver. */
  readonly deployRoleWaiver: { readonly owner: string; readonly expires: string };
  /**
   * Name of the environment whose registry this one takes its images from (docs/adr/0022): the
   * Build stage builds, scans and signs once, in that environment; the Promote stage copies each
   * digest with its referrers into this environment's registry. This environment's build
   * identity and service connection then promote instead of building: AcrPull on the source
   * registry (declared in the source environment's stack), AcrPush, locking and signing here,
   * no ACR Tasks runs; and its platform stack puts a private endpoint of the source registry in
   * its own endpoints subnet, so its deployment agents reach both registries.
   * @default - none: this environment builds its own images
   */
  readonly promoteFrom?: string;
}

/**
 * One environment as typed data. Differences between environments live here, never in
 * `if (prod)` branches in the stacks.
 */
export interface EnvironmentConfig {
  /** Short name: stack names are `iot-<name>` and `iot-<name>-workloads`. */
  readonly name: string;
  /** Subscription to deploy to. @default - the one the Azure CLI / environment selects */
  readonly subscriptionId?: string;
  /** Remote state. @default - local state (a developer's sandbox) */
  readonly backend?: StateBackend;
  /**
   * The platform pattern's settings, less what the stack supplies: the tenant, the OpenAPI
   * document, secrets, and the deploy-time inputs of ../deploy-inputs.ts.
   */
  readonly platform: Omit<
    IotStreamingPlatformProps,
    | 'tenantId'
    | 'webSignInClientId'
    | 'apiManagement'
    | 'backbone'
    | 'monitoring'
    | 'aks'
    | 'webApp'
    | 'dataScience'
  > & {
    /** The dashboard's image digest is a deploy-time input (`web_image_digest`). */
    readonly webApp: Omit<IotStreamingPlatformProps['webApp'], 'imageDigest'>;
    /** The publisher e-mail is a deploy-time input (`apim_publisher_email`). */
    readonly apiManagement: Omit<
      IotStreamingPlatformProps['apiManagement'],
      'ingestOpenApiDocument' | 'publisherEmail'
    >;
    readonly backbone: BackboneSettings;
    readonly monitoring: MonitoringSettings;
    readonly aks: AksSettings;
  };
  /** Findings this environment accepts on purpose, each with a reason, owner and expiry. */
  readonly waivers?: EnvironmentWaiver[];
  /** The pipeline's service connections and signing certificate (docs/adr/0016). */
  readonly delivery: DeliverySettings;
  /**
   * Databricks, the lake and the lakehouse job; needs `platform.network.databricksHostPrefix`
   * and `databricksContainerPrefix`. @default - none: no data stack
   */
  readonly dataScience?: DataScienceSettings;
  /** The reference workloads on AKS. */
  readonly workloads: {
    /**
     * Findings the workloads stack accepts on purpose; paths are relative to the workloads stack
     * (e.g. `Workload-ingest/Resource`). @default - none
     */
    readonly waivers?: EnvironmentWaiver[];
    /**
     * HTTPS endpoints processing posts each new alert to (ALERT_WEBHOOK_URLS). Their hosts are
     * the only internet egress processing gets (FQDN policy). @default - none: alerts reach the
     * dashboard only
     */
    readonly alertWebhookUrls?: string[];
    /**
     * The Splunk forwarder (workloads/splunk-forwarder): HEC endpoint, index and source types.
     * @default - no forwarder: the analysed stream reaches Splunk by no other path
     */
    readonly splunk?: SplunkSettings;
    readonly ingest: WorkloadSizing;
    readonly analysis: WorkloadSizing;
    readonly processing: WorkloadSizing;
  };
}
