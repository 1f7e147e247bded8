import { Construct } from 'constructs';
import { Fn, Op, Token } from 'cdktf';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type {
  AzureResourceProps,
  IPrincipal,
  IUserAssignedIdentity,
  PrivateEndpoints,
} from '../core';
import { Tags, ValidationError, validateName, NamingRules, Waivers } from '../core';
import type { AvailabilityZone, NodePoolOptions } from '../kubernetes-cluster';
import { KubernetesCluster } from '../kubernetes-cluster';
import { ApiManagement } from '../api-management';
import type { ApiManagementSku, CallBudget, EntraJwtOptions } from '../api-management';
import { MeshIngressEndpoint } from '../mesh-ingress';
import { ContainerRegistry } from '../container-registry';
import { CosmosAccount } from '../cosmos-account';
import { DatabricksWorkspace } from '../databricks-workspace';
import { DataLake } from '../data-lake';
import type { DataLakeReplication } from '../data-lake';
import type { CosmosRegion } from '../cosmos-account';
import { EventHubsKafka, HdinsightKafkaCluster } from '../kafka';
import type { EventHubsSku, StreamingBackbone } from '../kafka';
import { KeyVault } from '../key-vault';
import type { KeyVaultProps } from '../key-vault';
import { ManagedPrometheus, Monitoring, PlatformAlerts } from '../monitoring';
import type { EmailReceiver, PlatformAlertThresholds } from '../monitoring';
import { Network, apiManagementNsgRules } from '../network';
import type { PrivateDnsZoneKey, SubnetSpec } from '../network';
import { PostgresServer } from '../postgres-server';
import type { PostgresHighAvailability } from '../postgres-server';
import { RedisCache } from '../redis-cache';
import type { ManagedRedisSku } from '../redis-cache';
import { WebApp } from '../web-app';
import type { AppServicePlanSku } from '../web-app';
import {
  DEPLOYMENT_AGENTS_SUBNET,
  DeploymentAgents,
  MANAGED_DEVOPS_POOL_DELEGATION,
} from './deployment-agents';
import { rejectPlaceholders } from './placeholders';

/** The topics of the reference data flow and their partition counts. */
export const PLATFORM_TOPICS = [
  { name: 'telemetry.raw', partitions: 6, consumerGroups: ['analysis'] },
  { name: 'telemetry.analyzed', partitions: 6, consumerGroups: ['processing', 'splunk-forwarder'] },
  { name: 'alerts', partitions: 3, consumerGroups: ['processing', 'splunk-forwarder'] },
  { name: 'telemetry.deadletter', partitions: 1, consumerGroups: ['operations'] },
] as const;

/** ingest's default body limit (MAX_BODY_BYTES), which API Management enforces at the edge too. */
export const INGEST_MAX_BODY_BYTES = 1_048_576;

/** The reference workloads that run on AKS with their own identity. */
export const CLUSTER_WORKLOADS = ['ingest', 'analysis', 'processing'] as const;
/** A workload that runs on AKS. */
export type ClusterWorkload = (typeof CLUSTER_WORKLOADS)[number];

/** Address plan of the platform network. */
export interface PlatformNetworkProps {
  /** VNet address space, e.g. `10.40.0.0/16`. */
  readonly addressSpace: string;
  /** AKS nodes (Azure CNI overlay: pods do not use VNet addresses), e.g. a /22. */
  readonly aksNodesPrefix: string;
  /** API Management's subnet, at least a /27. */
  readonly apiManagementPrefix: string;
  /** Private endpoints of every data service, e.g. a /24. */
  readonly privateEndpointsPrefix: string;
  /** Delegated subnet of PostgreSQL Flexible Server, e.g. a /28. */
  readonly postgresPrefix: string;
  /** App Service VNet integration (delegated), at least a /27. */
  readonly webAppIntegrationPrefix: string;
  /**
   * Subnet reserved for the mesh ingress gateway's internal load balancer, a /28 or /29: API
   * Management reaches ingest at its first usable address (docs/adr/0006).
   */
  readonly meshIngressPrefix: string;
  /** HDInsight Kafka's subnet; required with the HDInsight backbone. */
  readonly hdinsightPrefix?: string;
  /**
   * Subnet of the deployment agents (an Azure DevOps Managed DevOps Pool injected into the VNet)
   * that apply the workloads stack: a private API server is reachable only from the VNet. It is
   * delegated to `Microsoft.DevOpsInfrastructure/pools` and gets a NAT gateway for egress; a
   * public API server authorizes that gateway's address. See docs/adr/0009.
   * @default - no agent subnet: the workloads stack is applied from an authorized range
   */
  readonly deploymentAgentsPrefix?: string;
  /**
   * Databricks' host ("public") subnet, delegated to `Microsoft.Databricks/workspaces`, e.g. a
   * /24 (one address per cluster node, 5 reserved); required with `dataScience`.
   */
  readonly databricksHostPrefix?: string;
  /** Databricks' container ("private") subnet, the same size as the host subnet. */
  readonly databricksContainerPrefix?: string;
}

/** Which Kafka backbone the platform runs, and its size. */
export type BackboneProps =
  | {
      readonly kind: 'eventhubs';
      /** @default "Standard" */
      readonly sku?: EventHubsSku;
      /** Throughput units (Standard) or processing units (Premium). @default 1 */
      readonly capacity?: number;
      /** Auto-inflate ceiling (Standard). @default - no auto-inflate */
      readonly autoInflateMaxThroughputUnits?: number;
    }
  | {
      readonly kind: 'hdinsight';
      /** Worker (broker) nodes; at least 3. */
      readonly workerCount: number;
      /** Managed disks per broker. */
      readonly disksPerWorkerNode: number;
      /** Broker VM size. @default - the construct's default */
      readonly workerNodeVmSize?: string;
      /** Cluster gateway (Ambari) password, as a token (a sensitive Terraform variable). */
      readonly gatewayPassword: string;
      /** SSH public keys for the nodes' login user. */
      readonly sshPublicKeys: string[];
      /**
       * Broker host names, only to pin them in data. Normally left out: the workloads stack
       * takes them as the variable `kafka_bootstrap_servers`, which
       * `scripts/azure/hdinsight-kafka.ts brokers <stack>` prints after the platform deploy.
       * @default - from the workloads stack's `kafka_bootstrap_servers` variable
       */
      readonly brokerHosts?: string[];
    };

/** The data-science side of the platform (docs/data-science.md). */
export interface DataScienceProps {
  /**
   * Object id of the tenant's `AzureDatabricks` enterprise application
   * (`az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv`): it reads the
   * vault's secrets for the Key Vault-backed secret scope, so it gets `Key Vault Secrets User`.
   */
  readonly azureDatabricksPrincipalId: string;
  /**
   * Replication of the lake.
   * @default - "ZRS" with two or more zones, else "LRS"
   */
  readonly lakeReplication?: DataLakeReplication;
}

/** Names of the two subnets Databricks' clusters are injected into. */
export const DATABRICKS_HOST_SUBNET = 'databricks-host';
export const DATABRICKS_CONTAINER_SUBNET = 'databricks-container';

/** The topics the lakehouse job reads (docs/data-science.md). */
export const LAKEHOUSE_TOPICS = ['telemetry.analyzed', 'alerts'] as const;

/** File systems of the lake: the tables under one root, and the streams' checkpoints. */
export const LAKEHOUSE_CONTAINERS = { tables: 'lakehouse', checkpoints: 'checkpoints' } as const;

/** Props of {@link IotStreamingPlatform}: one environment of the reference architecture. */
export interface IotStreamingPlatformProps {
  /** Short environment name, part of every resource name (`dev`, `prod`). */
  readonly environment: string;
  /** Azure region of the platform. */
  readonly location: string;
  /** Workload prefix of every name, e.g. `iot`. */
  readonly namePrefix: string;
  /** Suffix that makes globally unique names unique (lower-case letters and digits), e.g. `7k2q`. */
  readonly uniqueSuffix: string;
  /** Entra tenant of the subscription. */
  readonly tenantId: string;
  /**
   * The identity that applies the platform stack. It gets `Key Vault Certificates Officer` on
   * the vault, to issue the ingress gateway's TLS certificate.
   * @default - none: the deployer already holds a role that manages certificates
   */
  readonly deployerPrincipal?: IPrincipal;
  /**
   * Public IPv4 addresses or CIDRs of a deployer outside the VNet. Creating the ingress
   * gateway's certificate is a call to the vault's data plane, which is private-only; while
   * this lists addresses (a literal or a Terraform variable's list), the vault's public
   * endpoint is open to exactly them, so the first deploy can run before any agent exists in
   * the VNet (docs/adr/0010).
   * @default - none: the vault is reachable only through its private endpoint
   */
  readonly keyVaultDeployerIpRanges?: string[];
  /**
   * Whether this is a production environment: literal documentation IP ranges (RFC 5737/3849),
   * example e-mail domains (RFC 2606/6761) and SSH keys whose blob is text are then rejected at
   * synth. Values from Terraform variables are checked by their validation blocks instead.
   * @default - true when `environment` is "prod"
   */
  readonly production?: boolean;
  /**
   * Client id of the Entra app registration dashboard users sign in to (App Service
   * authentication); `scripts/azure/web-signin-app-registration.ts` creates it. A deploy-time input.
   */
  readonly webSignInClientId: string;
  /** Tags on every resource. @default - none beyond `environment` and `workload` */
  readonly tags?: Record<string, string>;
  /** Availability zones; empty for a single-zone deployment. */
  readonly zones: AvailabilityZone[];
  /** Management locks (`CanNotDelete`) on the data stores and the vault. @default false */
  readonly lockDataStores?: boolean;
  /** The network's address plan. */
  readonly network: PlatformNetworkProps;
  /** Log Analytics retention and who is alerted. */
  readonly monitoring: {
    readonly retentionDays: number;
    readonly alertEmails: EmailReceiver[];
    /** Alert thresholds. @default - each threshold's documented default (see PlatformAlerts) */
    readonly alertThresholds?: PlatformAlertThresholds;
  };
  /** AKS sizing and access. */
  readonly aks: {
    readonly kubernetesVersion?: string;
    readonly skuTier: 'Free' | 'Standard' | 'Premium';
    readonly adminGroupObjectIds: string[];
    /** Istio revision of the service-mesh add-on (`az aks mesh get-revisions`), e.g. `asm-1-29`. */
    readonly istioRevision: string;
    /** Microsoft Defender for Containers, reporting to the platform workspace. @default false */
    readonly defender?: boolean;
    /** Either a private API server, or public with these authorized ranges. */
    readonly privateCluster?: boolean;
    readonly authorizedIpRanges?: string[];
    readonly systemPool: NodePoolOptions;
    readonly workloadPool: NodePoolOptions;
  };
  /** API Management in front of ingest. */
  readonly apiManagement: {
    readonly sku: ApiManagementSku;
    readonly capacity?: number;
    readonly publisherName: string;
    readonly publisherEmail: string;
    /** `External`: gateway reachable from the internet (sensors), management private. */
    readonly virtualNetworkType: 'External' | 'Internal';
    /**
     * Per-subscription rate limit and quota of the telemetry API.
     * @default - 1,200 calls a minute and 10,000,000 a day per subscription
     */
    readonly ingestLimits?: { readonly rateLimit?: CallBudget; readonly quota?: CallBudget };
    /**
     * Require a Microsoft Entra token from devices as well as the subscription key.
     * @default - subscription key only (docs/adr/0006)
     */
    readonly ingestEntraJwt?: Omit<EntraJwtOptions, 'tenantId'>;
    /** The ingest OpenAPI document (JSON text) APIM imports. */
    readonly ingestOpenApiDocument: string;
  };
  /** Cosmos DB resilience. */
  readonly cosmos: {
    readonly zoneRedundant: boolean;
    readonly additionalRegions?: CosmosRegion[];
    readonly backupTier: 'Continuous7Days' | 'Continuous30Days';
    readonly autoscaleMaxThroughput: number;
  };
  /** The Kafka backbone. */
  readonly backbone: BackboneProps;
  /** PostgreSQL Flexible Server size and resilience. */
  readonly postgres: {
    readonly skuName: string;
    readonly storageMb: number;
    readonly highAvailability: PostgresHighAvailability;
    readonly geoRedundantBackup: boolean;
    readonly backupRetentionDays: number;
  };
  /** Azure Managed Redis size and resilience. */
  readonly redis: { readonly sku: ManagedRedisSku; readonly highAvailability: boolean };
  /** The dashboard web app. */
  readonly webApp: {
    readonly sku: AppServicePlanSku;
    readonly workerCount: number;
    readonly zoneBalancing: boolean;
    /**
     * Content digest (`sha256:<64 hex>`) of `iot/web` in the platform registry: the app runs
     * `iot/web@<digest>`, never a tag the registry could move. The stacks pass the
     * `web_image_digest` Terraform variable the Build stage records (docs/adr/0016).
     */
    readonly imageDigest: string;
  };
  /**
   * Owner and review date of the waivers the pattern declares for what its design makes
   * intentional (internet-facing APIM; see the README's waiver table).
   * @default - owner "platform-team", expiring 2027-05-31
   */
  readonly designWaivers?: { readonly owner: string; readonly expires: string };
  /** Container Registry retention of untagged manifests. @default 7 */
  readonly registryRetentionDays?: number;
  /**
   * The data-science side: an Azure Databricks workspace injected into the VNet and an ADLS
   * Gen2 lake, with the access connector granted on the lake and (Event Hubs) on the topics
   * the lakehouse job reads. Needs `network.databricksHostPrefix`/`databricksContainerPrefix`.
   * @default - none
   */
  readonly dataScience?: DataScienceProps;
}

/**
 * The whole "IoT data streaming on AKS" reference architecture for one environment: network and
 * private DNS, monitoring, identities, Key Vault, Container Registry, AKS with the Istio mesh,
 * API Management, Cosmos DB, the Kafka backbone (Event Hubs or HDInsight), PostgreSQL, Azure
 * Managed Redis and the dashboard on App Service — private endpoints and diagnostics everywhere,
 * and least-privilege grants between the parts.
 *
 * @example
 * const platform = new IotStreamingPlatform(stack, 'Platform', environments.dev.platform);
 * new TerraformOutput(stack, 'ingest_url', { value: platform.apiManagement.gatewayUrl });
 */
export class IotStreamingPlatform extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly monitoring: Monitoring;
  public readonly network: Network;
  public readonly keyVault: KeyVault;
  public readonly registry: ContainerRegistry;
  public readonly cluster: KubernetesCluster;
  public readonly apiManagement: ApiManagement;
  /**
   * The private route's Azure half for ingest: host `ingest.<prefix>.<env>.internal` in a private
   * zone, its fixed internal load balancer address and its TLS certificate.
   */
  public readonly ingestEndpoint: MeshIngressEndpoint;
  /** Largest telemetry request body, enforced by API Management and by ingest alike. */
  public readonly ingestMaxBodyBytes = INGEST_MAX_BODY_BYTES;
  /** Request paths the ingress routes to ingest (its API; not its metrics or probes). */
  public readonly ingestPaths: readonly string[] = ['/v1/telemetry'];
  /** Entra tenant of the platform. */
  public readonly tenantId: string;
  public readonly cosmos: CosmosAccount;
  public readonly backbone: StreamingBackbone;
  public readonly postgres: PostgresServer;
  public readonly redis: RedisCache;
  public readonly webApp: WebApp;
  /** Managed Prometheus: the Azure Monitor workspace the cluster's metrics add-on writes to. */
  public readonly prometheus: ManagedPrometheus;
  /** Metric, log and Prometheus alerts, all notifying the monitoring action group. */
  public readonly alerts: PlatformAlerts;
  /** The managed identity of each AKS workload (federated to its Kubernetes service account). */
  public readonly workloadIdentities: Record<ClusterWorkload, UserAssignedIdentity>;
  /** The dashboard's identity. */
  public readonly webIdentity: UserAssignedIdentity;
  /**
   * The Splunk forwarder's identity (service account `splunk-forwarder`): reads the analysed
   * topics and the HEC token secret, writes dead letters (docs/adr/0015).
   */
  public readonly splunkForwarderIdentity: UserAssignedIdentity;
  /** Egress of the deployment agents' subnet, when the network has one. */
  public readonly deploymentAgents?: DeploymentAgents;
  /** The Databricks workspace, with `dataScience`. */
  public readonly databricks?: DatabricksWorkspace;
  /** The lakehouse's ADLS Gen2 account, with `dataScience`. */
  public readonly lake?: DataLake;
  /** Istio revision the workload namespace is labelled with for sidecar injection. */
  public readonly istioRevision: string;
  /** Namespace the workloads run in. */
  public readonly workloadNamespace = 'iot';
  /** Database and container of raw readings. */
  public readonly cosmosDatabase = 'iot';
  public readonly cosmosContainer = 'readings';
  /** The PostgreSQL database of results. */
  public readonly postgresDatabase = 'iot';

  constructor(scope: Construct, id: string, props: IotStreamingPlatformProps) {
    super(scope, id);
    this.validate(props);
    this.tenantId = props.tenantId;
    const env = props.environment;
    const base = `${props.namePrefix}-${env}`;
    const compact = `${props.namePrefix}${env}${props.uniqueSuffix}`;
    const unique = `${base}-${props.uniqueSuffix}`;
    Tags.add(this, { ...props.tags, environment: env, workload: props.namePrefix });

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: `rg-${base}`,
      location: props.location,
    });
    const rg = this.resourceGroup;
    const lock = props.lockDataStores ? { kind: 'CanNotDelete' as const } : undefined;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      resourceGroup: rg,
      workspaceName: `log-${base}`,
      applicationInsightsName: `appi-${base}`,
      retentionDays: props.monitoring.retentionDays,
      actionGroup: {
        name: `ag-${base}`,
        shortName: `${props.namePrefix}${env}`.slice(0, 12),
        emailReceivers: props.monitoring.alertEmails,
      },
    });
    // Keyed by name: the key fixes each setting's address (ADR 0012).
    const diagnosticSettings = { law: { workspace: this.monitoring.workspace } };
    const common: Omit<AzureResourceProps, 'privateEndpoints'> = {
      resourceGroup: rg,
      diagnosticSettings,
    };

    const hdinsight = props.backbone.kind === 'hdinsight';
    this.network = new Network(this, 'Network', {
      resourceGroup: rg,
      name: `vnet-${base}`,
      addressSpace: [props.network.addressSpace],
      diagnosticSettings,
      subnets: this.subnets(props),
      privateDnsZones: this.dnsZones(props),
    });
    this.deploymentAgents = props.network.deploymentAgentsPrefix
      ? new DeploymentAgents(this, 'DeploymentAgents', {
          resourceGroup: rg,
          name: base,
          subnet: this.network.subnet(DEPLOYMENT_AGENTS_SUBNET),
        })
      : undefined;
    const endpoints = this.network.subnet('private-endpoints');
    // One endpoint per service, keyed by its DNS zone (ADR 0012: keys fix addresses).
    const pe = (zone: PrivateDnsZoneKey) => ({
      [zone]: { subnet: endpoints, privateDnsZones: [this.network.dnsZone(zone)] },
    });

    // Identities: one per workload, so each gets only what it needs.
    const identity = (cid: string, name: string) =>
      new UserAssignedIdentity(this, cid, {
        name,
        location: rg.location,
        resourceGroupName: rg.name,
      });
    const controlPlane = identity('AksIdentity', `id-${base}-aks`);
    const kubelet = identity('KubeletIdentity', `id-${base}-kubelet`);
    this.workloadIdentities = {
      ingest: identity('IngestIdentity', `id-${base}-ingest`),
      analysis: identity('AnalysisIdentity', `id-${base}-analysis`),
      processing: identity('ProcessingIdentity', `id-${base}-processing`),
    };
    this.webIdentity = identity('WebIdentity', `id-${base}-web`);
    this.splunkForwarderIdentity = identity(
      'SplunkForwarderIdentity',
      `id-${base}-splunk-forwarder`,
    );
    const sp = (i: IUserAssignedIdentity) => ({
      principalId: i.principalId,
      principalType: 'ServicePrincipal' as const,
    });

    this.keyVault = new KeyVault(this, 'KeyVault', {
      ...common,
      lock,
      name: `kv-${compact}`.slice(0, 24),
      tenantId: props.tenantId,
      privateEndpoints: pe('vault'),
      ...this.keyVaultDeployerAccess(props.keyVaultDeployerIpRanges),
    });

    this.registry = new ContainerRegistry(this, 'Registry', {
      ...common,
      name: `acr${compact}`,
      zoneRedundancy: props.zones.length > 1,
      retentionDays: props.registryRetentionDays ?? 7,
      privateEndpoints: pe('registry'),
    });

    this.cluster = new KubernetesCluster(this, 'Cluster', {
      ...common,
      name: `aks-${base}`,
      kubernetesVersion: props.aks.kubernetesVersion,
      skuTier: props.aks.skuTier,
      subnet: this.network.subnet('aks-nodes'),
      zones: props.zones.length > 0 ? props.zones : undefined,
      tenantId: props.tenantId,
      adminGroupObjectIds: props.aks.adminGroupObjectIds,
      privateCluster: props.aks.privateCluster,
      authorizedIpRanges:
        this.deploymentAgents && props.aks.privateCluster !== true
          ? this.deploymentAgents.authorizedRangesWith(props.aks.authorizedIpRanges)
          : props.aks.authorizedIpRanges,
      managedIdentities: { userAssigned: [controlPlane] },
      kubeletIdentity: kubelet,
      containerInsightsWorkspace: this.monitoring.workspace,
      defenderWorkspace: props.aks.defender ? this.monitoring.workspace : undefined,
      managedPrometheus: true,
      systemPool: props.aks.systemPool,
      serviceMesh: { revisions: [props.aks.istioRevision], internalIngressGateway: true },
    });
    this.istioRevision = props.aks.istioRevision;
    this.cluster.addUserPool('workloads', props.aks.workloadPool);
    this.registry.grantPull(this.cluster.kubeletIdentity);
    for (const w of CLUSTER_WORKLOADS) {
      this.cluster.federatedIdentity(w, this.workloadNamespace, this.workloadIdentities[w]);
    }
    this.cluster.federatedIdentity(
      'splunk-forwarder',
      this.workloadNamespace,
      this.splunkForwarderIdentity,
    );
    // the HEC token (and, on HDInsight, the brokers' CA) through the Key Vault CSI driver
    this.keyVault.grantSecretsRead(sp(this.splunkForwarderIdentity));

    this.cosmos = new CosmosAccount(this, 'Cosmos', {
      ...common,
      lock,
      name: `cosmos-${unique}`,
      zoneRedundant: props.cosmos.zoneRedundant,
      additionalRegions: props.cosmos.additionalRegions,
      backupTier: props.cosmos.backupTier,
      privateEndpoints: pe('cosmosSql'),
    });
    const db = this.cosmos.addSqlDatabase(this.cosmosDatabase);
    this.cosmos.addSqlContainer(db, this.cosmosContainer, {
      partitionKeyPaths: ['/deviceId'],
      autoscaleMaxThroughput: props.cosmos.autoscaleMaxThroughput,
      indexingPolicy: { includedPaths: ['/deviceId/?', '/ts/?'], excludedPaths: ['/*'] },
    });
    // Scoped to the one container ingest writes (same role assignment id as before).
    this.cosmos
      .container(this.cosmosDatabase, this.cosmosContainer)
      .grantReadWriteData(sp(this.workloadIdentities.ingest));

    this.backbone = this.createBackbone(props, base, compact, common, pe);
    if (props.dataScience) {
      const ds = this.createDataScience(props.dataScience, props, base, compact, common, lock);
      this.databricks = ds.databricks;
      this.lake = ds.lake;
    }

    this.postgres = new PostgresServer(this, 'Postgres', {
      ...common,
      lock,
      name: `psql-${unique}`,
      tenantId: props.tenantId,
      skuName: props.postgres.skuName,
      storageMb: props.postgres.storageMb,
      highAvailability: props.postgres.highAvailability,
      geoRedundantBackup: props.postgres.geoRedundantBackup,
      backupRetentionDays: props.postgres.backupRetentionDays,
      zone: props.zones[0],
      standbyZone: props.postgres.highAvailability === 'ZoneRedundant' ? props.zones[1] : undefined,
      delegatedSubnet: this.network.subnet('postgres'),
      privateDnsZone: this.network.dnsZone('postgresFlexiblePrivateAccess'),
      // processing owns the schema (it runs the migrations) and is the only Entra admin: at
      // start it creates the web identity's role with pgaadauth_create_principal_with_oid and
      // grants it read access (WEB_DATABASE_PRINCIPAL_* in the workloads stack).
      administrators: [
        {
          objectId: this.workloadIdentities.processing.principalId,
          principalName: `id-${base}-processing`,
          principalType: 'ServicePrincipal',
        },
      ],
    });
    this.postgres.addDatabase(this.postgresDatabase);

    this.redis = new RedisCache(this, 'Redis', {
      ...common,
      name: `redis-${unique}`,
      sku: props.redis.sku,
      highAvailability: props.redis.highAvailability,
      privateEndpoints: pe('managedRedis'),
    });
    this.redis.grantDataAccess(sp(this.workloadIdentities.processing));
    this.redis.grantDataAccess(sp(this.webIdentity));

    this.webApp = new WebApp(this, 'WebApp', {
      ...common,
      name: `app-${unique}`,
      planName: `asp-${base}`,
      sku: props.webApp.sku,
      workerCount: props.webApp.workerCount,
      zoneBalancing: props.webApp.zoneBalancing,
      identity: this.webIdentity,
      container: {
        registry: this.registry,
        image: `iot/web@${props.webApp.imageDigest}`,
        port: 3000,
      },
      // Users sign in with Entra ID; the web identity redeems the sign-in as a federated
      // credential of the app registration, so no client secret exists.
      authentication: { clientId: props.webSignInClientId, tenantId: props.tenantId },
      vnetIntegrationSubnet: this.network.subnet('webapp-integration'),
      privateEndpoints: pe('webSites'),
      appSettings: {
        // App Service forwards to the container's port on its own network interface.
        HOST: '0.0.0.0',
        PORT: '3000',
        DATABASE_URL: `postgres://${this.webIdentity.name}@${this.postgres.fqdn}:5432/${this.postgresDatabase}?sslmode=require`,
        DATABASE_AUTH: 'entra',
        REDIS_URL: this.redis.url,
        REDIS_AUTH: 'entra',
        REDIS_USERNAME: this.webIdentity.principalId,
        AZURE_CLIENT_ID: this.webIdentity.clientId,
        APPLICATIONINSIGHTS_CONNECTION_STRING: this.monitoring.connectionString,
      },
    });
    this.registry.grantPull(sp(this.webIdentity));
    this.keyVault.grantSecretsRead(sp(this.webIdentity));

    // The private route API Management → ingest: a name in a private zone, a fixed internal load
    // balancer address for the mesh ingress gateway, and a certificate for the name (ADR 0006).
    const certificatesOfficer = props.deployerPrincipal
      ? this.keyVault.grantCertificatesManage(props.deployerPrincipal)
      : undefined;
    this.ingestEndpoint = new MeshIngressEndpoint(this, 'IngestEndpoint', {
      resourceGroup: rg,
      zoneName: `${props.namePrefix}.${env}.internal`,
      hostLabel: 'ingest',
      virtualNetworks: { platform: this.network },
      subnet: this.network.subnet('mesh-ingress'),
      subnetPrefix: props.network.meshIngressPrefix,
      keyVault: this.keyVault,
      loadBalancerOperator: {
        principalId: this.cluster.controlPlanePrincipalId,
        principalType: 'ServicePrincipal',
      },
      certificateReader: this.cluster.secretsProviderIdentity,
      certificateDependsOn: certificatesOfficer ? [certificatesOfficer] : undefined,
    });

    this.apiManagement = new ApiManagement(this, 'ApiManagement', {
      ...common,
      name: `apim-${unique}`,
      sku: props.apiManagement.sku,
      capacity: props.apiManagement.capacity,
      zones:
        props.apiManagement.sku === 'Premium' && props.zones.length > 1 ? props.zones : undefined,
      publisherName: props.apiManagement.publisherName,
      publisherEmail: props.apiManagement.publisherEmail,
      virtualNetwork: {
        type: props.apiManagement.virtualNetworkType,
        subnet: this.network.subnet('apim'),
      },
      managedIdentities: { systemAssigned: true },
      // the gateway's self-signed certificate is trusted as a root, so the backend keeps chain
      // and name validation on
      trustedRootCertificates: [this.ingestEndpoint.certificateDataBase64],
    });
    // Key Vault named values (e.g. a backend certificate) are read with APIM's own identity.
    if (this.apiManagement.principal) this.keyVault.grantSecretsRead(this.apiManagement.principal);
    const backend = this.apiManagement.addBackend({
      name: 'ingest',
      url: this.ingestEndpoint.url,
      description: 'ingest service behind the Istio internal ingress gateway',
      circuitBreaker: { failureCount: 10, failureIntervalSeconds: 30, tripDurationSeconds: 30 },
    });
    const limits = props.apiManagement.ingestLimits;
    const telemetry = this.apiManagement.addApi({
      name: 'telemetry',
      path: 'telemetry',
      openApiDocument: props.apiManagement.ingestOpenApiDocument,
      format: 'openapi+json',
      displayName: 'IoT telemetry ingest',
      backend,
      policy: {
        rateLimit: limits?.rateLimit ?? { calls: 1200, periodSeconds: 60 },
        quota: limits?.quota ?? { calls: 10_000_000, periodSeconds: 86_400 },
        maxRequestBodyBytes: INGEST_MAX_BODY_BYTES,
        entraJwt: props.apiManagement.ingestEntraJwt
          ? { ...props.apiManagement.ingestEntraJwt, tenantId: props.tenantId }
          : undefined,
        // ingest answers 503 only when nothing was accepted, and reading ids are deterministic
        retry: { count: 2, intervalSeconds: 1, statusCodes: [502, 503, 504] },
      },
    });
    const devices = this.apiManagement.addProduct({
      id: 'devices',
      displayName: 'Devices',
      description:
        'Sensors posting telemetry; one subscription per fleet, approved by the platform team',
      apis: [telemetry],
    });
    this.apiManagement.addSubscription({
      name: 'device-fleet',
      displayName: 'Device fleet',
      product: devices,
    });
    if (hdinsight) {
      // HDInsight brokers speak TLS with the cluster's own CA: the workloads read the CA bundle
      // for KAFKA_TLS_CA_FILE from the vault through the Key Vault CSI driver, each as its own
      // identity (a SecretProviderClass per workload in the workloads stack, docs/adr/0005).
      for (const w of CLUSTER_WORKLOADS)
        this.keyVault.grantSecretsRead(sp(this.workloadIdentities[w]));
    }
    this.prometheus = new ManagedPrometheus(this, 'Prometheus', {
      resourceGroup: rg,
      workspaceName: `amw-${base}`,
      cluster: this.cluster,
    });
    this.alerts = new PlatformAlerts(this, 'Alerts', {
      resourceGroup: rg,
      namePrefix: base,
      actionGroup: this.monitoring.actionGroup!,
      workspace: this.monitoring,
      cluster: this.cluster,
      workloadNamespace: this.workloadNamespace,
      prometheus: this.prometheus,
      // KEDA (on by default in the cluster) measures each Kafka trigger's lag; the workloads
      // stack has ama-metrics scrape its operator.
      kedaConsumerLag: true,
      cosmos: this.cosmos,
      postgres: this.postgres,
      redis: { id: this.redis.id, flavor: 'managed' },
      eventHubs: EventHubsKafka.isEventHubsKafka(this.backbone)
        ? { id: this.backbone.id, deadLetterTopic: 'telemetry.deadletter' }
        : undefined,
      hdinsight:
        HdinsightKafkaCluster.isHdinsightKafkaCluster(this.backbone) &&
        props.backbone.kind === 'hdinsight'
          ? { id: this.backbone.id, workerCount: props.backbone.workerCount }
          : undefined,
      apiManagement: this.apiManagement,
      thresholds: props.monitoring.alertThresholds,
    });
    this.declareDesignWaivers(props);
  }

  /**
   * The vault's public endpoint opens exactly when deployer ranges are listed: for a token list
   * that is `length(ranges) >= 1`, decided at plan time (`>= 1`, not `> 0`: cdktf 0.21's `Op`
   * drops a right operand of 0).
   */
  private keyVaultDeployerAccess(
    ranges: string[] | undefined,
  ): Pick<KeyVaultProps, 'publicNetworkAccess' | 'allowedIpRanges'> {
    if (ranges === undefined) return {};
    const publicNetworkAccess = Token.isUnresolved(ranges)
      ? Op.gte(Fn.lengthOf(ranges), 1)
      : ranges.length > 0;
    return { publicNetworkAccess, allowedIpRanges: ranges };
  }

  /**
   * Waivers for findings the architecture makes intentional. Each names its reason; the policy
   * report lists them with owner and expiry, so they are reviewed rather than forgotten.
   */
  private declareDesignWaivers(props: IotStreamingPlatformProps): void {
    const who = props.designWaivers ?? { owner: 'platform-team', expires: '2027-05-31' };
    if (props.apiManagement.virtualNetworkType === 'External') {
      Waivers.of(this.apiManagement).add({
        ...who,
        rule: 'api-management-public-network-disabled',
        reason:
          "API Management in External mode is the platform's device ingress: sensors post telemetry over the internet to its gateway (TLS 1.2+, subscription keys); management and backends stay private",
      });
      const apimClients = this.network.node
        .findChild('Subnet-apim')
        .node.tryFindChild('Rule-AllowApimClientsInbound');
      if (apimClients) {
        Waivers.of(apimClients).add({
          ...who,
          rule: 'network-security-group-https-not-open-to-internet',
          reason:
            'the APIM subnet must accept HTTPS from the internet in External mode: it is the device ingress; every other subnet denies internet inbound',
        });
      }
    }
    Waivers.of(this.cluster).add({
      ...who,
      rule: 'kubernetes-cluster-secrets-encrypted-with-kms',
      reason:
        'etcd KMS encryption with a customer key needs a key vault reachable from the API server (VNet integration), which the cluster construct does not configure yet; etcd is encrypted at rest with platform keys and application secrets live in Key Vault, not in Kubernetes secrets',
    });
    Waivers.of(this.network).add({
      ...who,
      rule: 'virtual-network-flow-logged',
      reason:
        "VNet flow logs need a Network Watcher and a flow-log storage account outside this platform's resource group; NSG and resource diagnostics go to Log Analytics meanwhile",
    });
  }

  /** The identity a workload runs as. */
  public identityOf(workload: ClusterWorkload): UserAssignedIdentity {
    return this.workloadIdentities[workload];
  }

  /**
   * Databricks in the platform VNet, the lake, and the grants the lakehouse job needs: the
   * access connector (Unity Catalog's identity) writes the lake and, on Event Hubs, receives
   * the topics it reads (a service credential, docs/adr/0013); HDInsight has no RBAC on topics
   * (network isolation, ADR 0007), its CA bundle reaches the job through the Key Vault-backed
   * secret scope, which the AzureDatabricks application reads.
   */
  private createDataScience(
    ds: DataScienceProps,
    props: IotStreamingPlatformProps,
    base: string,
    compact: string,
    common: Omit<AzureResourceProps, 'privateEndpoints'>,
    lock: AzureResourceProps['lock'],
  ): { databricks: DatabricksWorkspace; lake: DataLake } {
    const endpoints = this.network.subnet('private-endpoints');
    const injected = (name: string) => ({
      subnet: this.network.subnet(name),
      networkSecurityGroupAssociation: this.network.networkSecurityGroupAssociations[name],
    });
    const databricks = new DatabricksWorkspace(this, 'Databricks', {
      ...common,
      lock,
      name: `dbw-${base}`,
      virtualNetwork: this.network,
      hostSubnet: injected(DATABRICKS_HOST_SUBNET),
      containerSubnet: injected(DATABRICKS_CONTAINER_SUBNET),
      // One databricks_ui_api endpoint in the workspace's VNet serves users (front end) and
      // clusters (back end) alike; browser_authentication carries the SSO callback.
      privateEndpoints: Object.fromEntries(
        (['databricks_ui_api', 'browser_authentication'] as const).map((sub) => [
          sub,
          {
            subnet: endpoints,
            privateDnsZones: [this.network.dnsZone('databricks')],
            subresource: sub,
          },
        ]),
      ),
    });
    const lake = new DataLake(this, 'Lake', {
      ...common,
      lock,
      name: `stlake${compact}`.slice(0, 24),
      containers: [LAKEHOUSE_CONTAINERS.tables, LAKEHOUSE_CONTAINERS.checkpoints],
      replication: ds.lakeReplication ?? (props.zones.length > 1 ? 'ZRS' : 'LRS'),
      privateEndpoints: Object.fromEntries(
        (['dfs', 'blob'] as const).map((z) => [
          z,
          { subnet: endpoints, privateDnsZones: [this.network.dnsZone(z)], subresource: z },
        ]),
      ),
    });
    lake.grantReadWrite(databricks.accessConnectorPrincipal);
    if (EventHubsKafka.isEventHubsKafka(this.backbone)) {
      for (const t of LAKEHOUSE_TOPICS)
        this.backbone.grantReceive(databricks.accessConnectorPrincipal, t);
    }
    this.keyVault.grantSecretsRead({
      principalId: ds.azureDatabricksPrincipalId,
      principalType: 'ServicePrincipal',
    });
    const who = props.designWaivers ?? { owner: 'platform-team', expires: '2027-05-31' };
    Waivers.of(lake).add({
      ...who,
      rule: 'storage-account-customer-managed-key',
      reason:
        'the lake holds telemetry the platform already keeps in Cosmos DB (same service-managed-key decision, see its waiver) and is encrypted twice (infrastructure encryption); DataLake takes a customerManagedKey, but the platform creates no key, identity and grant for it yet',
    });
    Waivers.of(databricks).add({
      ...who,
      rule: 'databricks-workspace-customer-managed-key',
      reason:
        'DatabricksWorkspace takes a customerManagedKey (managed services and disks), but the platform creates no Key Vault key yet and the AzureDatabricks application would need crypto rights on the shared platform vault; managed services and disks use Microsoft-managed keys meanwhile',
    });
    return { databricks, lake };
  }

  private createBackbone(
    props: IotStreamingPlatformProps,
    base: string,
    compact: string,
    common: Omit<AzureResourceProps, 'privateEndpoints'>,
    pe: (zone: PrivateDnsZoneKey) => PrivateEndpoints,
  ): StreamingBackbone {
    const b = props.backbone;
    const ids = this.workloadIdentities;
    const sp = (i: IUserAssignedIdentity) => ({
      principalId: i.principalId,
      principalType: 'ServicePrincipal' as const,
    });
    if (b.kind === 'eventhubs') {
      const eh = new EventHubsKafka(this, 'EventHubs', {
        ...common,
        name: `evhns-${base}-${props.uniqueSuffix}`,
        sku: b.sku,
        capacity: b.capacity,
        autoInflateMaxThroughputUnits: b.autoInflateMaxThroughputUnits,
        topics: PLATFORM_TOPICS.map((t) => ({
          name: t.name,
          partitionCount: t.partitions,
          retentionDays: 7,
          consumerGroups: [...t.consumerGroups],
        })),
        privateEndpoints: pe('eventHubs'),
      });
      // Least privilege per topic: each service sends and receives only on its own topics.
      eh.grantSend(sp(ids.ingest), 'telemetry.raw');
      eh.grantReceive(sp(ids.analysis), 'telemetry.raw');
      for (const t of ['telemetry.analyzed', 'alerts', 'telemetry.deadletter'])
        eh.grantSend(sp(ids.analysis), t);
      for (const t of ['telemetry.analyzed', 'alerts']) eh.grantReceive(sp(ids.processing), t);
      for (const t of ['telemetry.analyzed', 'alerts'])
        eh.grantReceive(sp(this.splunkForwarderIdentity), t);
      eh.grantSend(sp(this.splunkForwarderIdentity), 'telemetry.deadletter');
      return eh;
    }
    // HDInsight enrolls its nodes' monitoring agents with a workspace key, which the platform
    // workspace (Entra only) rejects: its node logs go to a workspace of their own.
    const hdinsightLogs = new LogAnalyticsWorkspace(this, 'HdinsightLogs', {
      name: `log-${base}-hdinsight`,
      location: this.resourceGroup.location,
      resourceGroupName: this.resourceGroup.name,
      sku: 'PerGB2018',
      retentionInDays: props.monitoring.retentionDays,
      localAuthenticationEnabled: true,
      allowResourceOnlyPermissions: true,
    });
    Waivers.of(hdinsightLogs).add({
      ...(props.designWaivers ?? { owner: 'platform-team', expires: '2027-05-31' }),
      rule: 'log-analytics-local-auth-disabled',
      reason:
        "HDInsight's Azure Monitor integration enrolls the nodes' agents with the workspace's shared key and has no Entra option; this workspace holds only HDInsight node logs, so the platform workspace stays Entra-only",
    });
    const storageIdentity = new UserAssignedIdentity(this, 'HdinsightStorageIdentity', {
      name: `id-${base}-hdi-storage`,
      location: this.resourceGroup.location,
      resourceGroupName: this.resourceGroup.name,
    });
    return new HdinsightKafkaCluster(this, 'Hdinsight', {
      ...common,
      name: `hdi-${base}-${props.uniqueSuffix}`,
      virtualNetwork: this.network,
      subnet: this.network.subnet('hdinsight'),
      gateway: { username: 'hdiadmin', password: b.gatewayPassword },
      nodeLogin: { username: 'hdiuser', sshPublicKeys: b.sshPublicKeys },
      storageAccountName: `sthdi${compact}`.slice(0, 24),
      storageIdentity,
      storageReplication: props.zones.length > 1 ? 'ZRS' : 'LRS',
      // Keyed in the order the list had, so the moved blocks from the positional ids line up.
      storagePrivateEndpoints: Object.fromEntries(
        (['blob', 'dfs'] as const).map((z) => [
          z,
          {
            subnet: this.network.subnet('private-endpoints'),
            privateDnsZones: [this.network.dnsZone(z)],
            subresource: z,
          },
        ]),
      ),
      azureMonitor: { workspace: hdinsightLogs },
      workerCount: b.workerCount,
      disksPerWorkerNode: b.disksPerWorkerNode,
      workerNodeVmSize: b.workerNodeVmSize,
      topics: PLATFORM_TOPICS.map((t) => t.name),
      brokerHosts: b.brokerHosts,
    });
  }

  private subnets(props: IotStreamingPlatformProps): SubnetSpec[] {
    const n = props.network;
    const subnets: SubnetSpec[] = [
      { name: 'aks-nodes', addressPrefix: n.aksNodesPrefix },
      { name: 'mesh-ingress', addressPrefix: n.meshIngressPrefix },
      {
        name: 'apim',
        addressPrefix: n.apiManagementPrefix,
        securityRules: apiManagementNsgRules(props.apiManagement.virtualNetworkType),
      },
      { name: 'private-endpoints', addressPrefix: n.privateEndpointsPrefix },
      {
        name: 'postgres',
        addressPrefix: n.postgresPrefix,
        delegation: 'Microsoft.DBforPostgreSQL/flexibleServers',
      },
      {
        name: 'webapp-integration',
        addressPrefix: n.webAppIntegrationPrefix,
        delegation: 'Microsoft.Web/serverFarms',
      },
    ];
    if (n.deploymentAgentsPrefix !== undefined) {
      subnets.push({
        name: DEPLOYMENT_AGENTS_SUBNET,
        addressPrefix: n.deploymentAgentsPrefix,
        delegation: MANAGED_DEVOPS_POOL_DELEGATION,
      });
    }
    if (props.dataScience) {
      // Secure cluster connectivity gives nodes no public IP; with default outbound access off,
      // the NAT gateway is their way to the Databricks-managed dependencies (docs/adr/0013).
      for (const [name, prefix] of [
        [DATABRICKS_HOST_SUBNET, n.databricksHostPrefix!],
        [DATABRICKS_CONTAINER_SUBNET, n.databricksContainerPrefix!],
      ] as const) {
        subnets.push({
          name,
          addressPrefix: prefix,
          delegation: 'Microsoft.Databricks/workspaces',
          natGateway: true,
        });
      }
    }
    if (props.backbone.kind === 'hdinsight') {
      subnets.push({
        name: 'hdinsight',
        addressPrefix: n.hdinsightPrefix!,
        serviceEndpoints: ['Microsoft.Storage'],
        // Private Link clusters reach the HDInsight resource provider outbound; with default
        // outbound access off, cluster creation fails without an explicit path.
        natGateway: true,
      });
    }
    return subnets;
  }

  private dnsZones(props: IotStreamingPlatformProps): PrivateDnsZoneKey[] {
    const zones: PrivateDnsZoneKey[] = [
      'vault',
      'registry',
      'cosmosSql',
      'postgresFlexiblePrivateAccess',
      'managedRedis',
      'webSites',
    ];
    zones.push(
      ...(props.backbone.kind === 'eventhubs'
        ? (['eventHubs'] as const)
        : (['blob', 'dfs'] as const)),
    );
    if (props.dataScience) {
      zones.push('databricks');
      for (const z of ['blob', 'dfs'] as const) if (!zones.includes(z)) zones.push(z);
    }
    return zones;
  }

  private validate(props: IotStreamingPlatformProps): void {
    const digest = props.webApp.imageDigest;
    if (!Token.isUnresolved(digest) && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw new ValidationError(
        this,
        'webApp.imageDigest',
        digest,
        'a content digest sha256:<64 lower-case hex> (the app runs iot/web@<digest>, never a tag)',
      );
    }
    validateName(this, 'namePrefix', props.namePrefix, {
      resource: 'name prefix',
      minLength: 2,
      maxLength: 8,
      pattern: /^[a-z][a-z0-9]*$/,
      patternDescription: 'lower-case letters and digits, starting with a letter',
    });
    validateName(this, 'environment', props.environment, {
      resource: 'environment',
      minLength: 2,
      maxLength: 6,
      pattern: /^[a-z][a-z0-9]*$/,
      patternDescription: 'lower-case letters and digits, starting with a letter',
    });
    validateName(this, 'uniqueSuffix', props.uniqueSuffix, {
      resource: 'unique suffix',
      minLength: 3,
      maxLength: 6,
      pattern: /^[a-z0-9]+$/,
      patternDescription: 'lower-case letters and digits',
    });
    validateName(this, 'location', props.location, {
      ...NamingRules.generic,
      resource: 'azure region',
      pattern: /^[a-z0-9]+$/,
      patternDescription: 'an azure region name such as westeurope',
    });
    if (props.backbone.kind === 'hdinsight' && props.network.hdinsightPrefix === undefined) {
      throw new ValidationError(
        this,
        'network.hdinsightPrefix',
        undefined,
        'the hdinsight backbone needs a subnet prefix for the cluster',
      );
    }
    if (
      props.dataScience &&
      (props.network.databricksHostPrefix === undefined ||
        props.network.databricksContainerPrefix === undefined)
    ) {
      throw new ValidationError(
        this,
        'network.databricksHostPrefix',
        props.network.databricksHostPrefix,
        'dataScience needs network.databricksHostPrefix and network.databricksContainerPrefix (two subnets, e.g. /24 each)',
      );
    }
    if (props.production ?? props.environment === 'prod') {
      rejectPlaceholders(this, {
        authorizedIpRanges: props.aks.authorizedIpRanges,
        alertEmails: props.monitoring.alertEmails,
        publisherEmail: props.apiManagement.publisherEmail,
        sshPublicKeys: props.backbone.kind === 'hdinsight' ? props.backbone.sshPublicKeys : [],
      });
    }
    if (props.postgres.highAvailability === 'ZoneRedundant' && props.zones.length < 2) {
      throw new ValidationError(
        this,
        'postgres.highAvailability',
        props.postgres.highAvailability,
        'zone-redundant ha needs at least two zones in zones',
      );
    }
  }
}
