import type {
  IotStreamingPlatformProps,
  BackboneProps,
} from '../../constructs/iot-streaming-platform';

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
    'tenantId' | 'webSignInClientId' | 'apiManagement' | 'backbone' | 'monitoring' | 'aks'
  > & {
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
  /** The reference workloads on AKS. */
  readonly workloads: {
    /** Image tag of `iot/<service>` in the platform registry; pin a release, never `latest`. */
    readonly imageTag: string;
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
    readonly ingest: WorkloadSizing;
    readonly analysis: WorkloadSizing;
    readonly processing: WorkloadSizing;
  };
}
