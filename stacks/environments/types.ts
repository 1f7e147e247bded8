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

/** The HDInsight backbone as data: its secrets come from Terraform variables, not from here. */
export type BackboneSettings =
  | Extract<BackboneProps, { kind: 'eventhubs' }>
  | Omit<Extract<BackboneProps, { kind: 'hdinsight' }>, 'gatewayPassword'>;

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
  /** The platform pattern's settings, less what the stack supplies (tenant, OpenAPI document, secrets). */
  readonly platform: Omit<
    IotStreamingPlatformProps,
    'tenantId' | 'webSignInClientId' | 'apiManagement' | 'backbone'
  > & {
    readonly apiManagement: Omit<
      IotStreamingPlatformProps['apiManagement'],
      'ingestOpenApiDocument'
    >;
    readonly backbone: BackboneSettings;
  };
  /** Findings this environment accepts on purpose, each with a reason, owner and expiry. */
  readonly waivers?: EnvironmentWaiver[];
  /** The reference workloads on AKS. */
  readonly workloads: {
    /** Image tag of `iot/<service>` in the platform registry; pin a release, never `latest`. */
    readonly imageTag: string;
    readonly ingest: WorkloadSizing;
    readonly analysis: WorkloadSizing;
    readonly processing: WorkloadSizing;
  };
}
