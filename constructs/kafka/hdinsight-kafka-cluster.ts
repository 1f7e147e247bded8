import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { HdinsightKafkaCluster as AzHdinsightKafkaCluster } from '@cdktf/provider-azurerm/lib/hdinsight-kafka-cluster';
import type { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  DiagnosticSettingsProps,
  ISubnet,
  IUserAssignedIdentity,
  IVirtualNetwork,
  PrivateEndpoints,
} from '../core';
import {
  checkConstruct,
  addBrand,
  brandSymbol,
  hasBrand,
  entryCount,
  mapDiagnosticSettings,
  ValidationError,
  addDiagnosticSettings,
  addPrivateEndpoints,
  applyCommonInterfaces,
  grantRole,
  isUnresolved,
  NamingRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';
import type { StreamingBackbone } from './streaming-backbone';

/** The login of the cluster's VMs: SSH keys only, so no VM password exists to leak. */
export interface HdinsightNodeLogin {
  /** Local administrator of every node, e.g. `sshuser`. */
  readonly username: string;
  /** OpenSSH public keys (`ssh-rsa …`). Public keys are not secrets. */
  readonly sshPublicKeys: string[];
}

/** The cluster gateway (Ambari and REST) login. */
export interface HdinsightGatewayCredentials {
  /** Gateway user name, e.g. `admin`. */
  readonly username: string;
  /** Gateway password: a Terraform token (e.g. a generated password), never a literal. */
  readonly password: string;
}

/**
 * Azure Monitor integration: the agent on every node sends logs to a Log Analytics workspace.
 * HDInsight enrolls its agents with the workspace's shared key, so the workspace must keep local
 * (key) authentication on; a workspace with it off rejects every node's data. Give HDInsight its
 * own workspace rather than opening the platform's Entra-only one.
 */
export interface HdinsightAzureMonitorProps {
  /**
   * The workspace (its `workspace_id` and primary shared key are read from it, as references).
   * Its `localAuthenticationEnabled` must not be false.
   */
  readonly workspace: LogAnalyticsWorkspace;
}

/** The Kafka REST proxy, authorised by membership of one Entra security group. */
export interface HdinsightRestProxyProps {
  /** Object id of the Entra group whose members may use the proxy. */
  readonly securityGroupId: string;
  /** Display name of that group. */
  readonly securityGroupName: string;
  /**
   * VM size of the two Kafka management nodes that run the proxy.
   * @default "Standard_E4_V3"
   */
  readonly vmSize?: string;
}

/** Props of {@link HdinsightKafkaCluster}. */
export interface HdinsightKafkaClusterProps extends AzureResourceProps {
  /** Cluster name: 3–59 letters, digits and hyphens, globally unique (`<name>.azurehdinsight.net`). */
  readonly name: string;
  /** VNet the cluster's roles join. */
  readonly virtualNetwork: IVirtualNetwork;
  /** Subnet of every role (head, worker, zookeeper, management); its NSG must allow HDInsight management traffic. */
  readonly subnet: ISubnet;
  /** Gateway (Ambari) login; the password must be a Terraform token. */
  readonly gateway: HdinsightGatewayCredentials;
  /** SSH login of the nodes. */
  readonly nodeLogin: HdinsightNodeLogin;
  /** Name of the cluster's own ADLS Gen2 storage account: 3–24 lower-case letters and digits, globally unique. */
  readonly storageAccountName: string;
  /**
   * User-assigned identity the cluster reads and writes its storage with; the construct grants it
   * `Storage Blob Data Owner` on the storage account, so no account key is needed.
   */
  readonly storageIdentity: IUserAssignedIdentity;
  /**
   * Replication of the cluster storage account.
   * @default "LRS" - the environments ask for "ZRS" in production
   */
  readonly storageReplication?: 'LRS' | 'ZRS' | 'GRS' | 'GZRS';
  /**
   * Private endpoints of the storage account; give one per sub-resource (`dfs` and `blob`). With
   * them the storage account's public endpoint is closed entirely.
   * @default - none; the storage firewall admits only the cluster subnet and trusted services
   */
  readonly storagePrivateEndpoints?: PrivateEndpoints;
  /**
   * Keep shared-key (account key) access to the storage account on. Off by default: the cluster
   * uses its managed identity. Turn on only if a deployment proves HDInsight needs a key.
   * @default false
   */
  readonly storageSharedKeyAccess?: boolean;
  /**
   * Worker nodes (Kafka brokers): at least 3 so topics can keep 3 replicas.
   * @default 3
   */
  readonly workerCount?: number;
  /**
   * Managed data disks per worker node (1–8); Kafka stores its logs on them.
   * @default 2
   */
  readonly disksPerWorkerNode?: number;
  /**
   * VM size of the two head nodes.
   * @default "Standard_E4_V3"
   */
  readonly headNodeVmSize?: string;
  /**
   * VM size of the worker nodes (brokers).
   * @default "Standard_E4_V3"
   */
  readonly workerNodeVmSize?: string;
  /**
   * VM size of the three zookeeper nodes.
   * @default "Standard_A4_V2"
   */
  readonly zookeeperNodeVmSize?: string;
  /**
   * Encrypt VM temp disks and caches at the host (needs the `EncryptionAtHost` feature on the subscription).
   * @default true
   */
  readonly encryptionAtHost?: boolean;
  /**
   * Customer-managed key for the managed data disks (a versioned key id; rotate through HDInsight).
   * @default - platform-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
  /**
   * Resource-provider connection direction; `Outbound` means the HDInsight service never
   * connects into the VNet (no public inbound IPs needed).
   * @default "Outbound"
   */
  readonly resourceProviderConnection?: 'Inbound' | 'Outbound';
  /**
   * Private Link for the cluster's gateway and nodes (needs `resourceProviderConnection:
   * "Outbound"` and outbound egress from the subnet, e.g. a NAT gateway or firewall).
   * @default true
   */
  readonly privateLink?: boolean;
  /**
   * Azure Monitor integration (agent logs and metrics of every node to Log Analytics).
   * @default - none; the platform pattern always sets it
   */
  readonly azureMonitor?: HdinsightAzureMonitorProps;
  /**
   * The Kafka REST proxy, with two Kafka management nodes.
   * @default - no REST proxy
   */
  readonly restProxy?: HdinsightRestProxyProps;
  /**
   * Topics the clients expect (HDInsight topics are created with `kafka-topics.sh` or Ambari,
   * not by Azure Resource Manager).
   * @default - none
   */
  readonly topics?: string[];
  /**
   * Broker host names (`wn0-….internal.cloudapp.net`) once the cluster exists (Ambari:
   * `/api/v1/clusters/<name>/services/KAFKA/components/KAFKA_BROKER`). HDInsight assigns them at
   * creation, so they are unknown before the first deploy.
   * @default - unknown: reading `bootstrapServers` throws until they are given
   */
  readonly brokerHosts?: string[];
}

const KAFKA_TLS_PORT = 9093;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

const HDINSIGHT_KAFKA_CLUSTER = brandSymbol('HdinsightKafkaCluster');

/**
 * HDInsight 5.1 Kafka 3.2 joined to a VNet: TLS 1.2, encryption in transit between nodes,
 * encryption at host (plus an optional customer-managed disk key), an outbound-only resource
 * provider connection with Private Link, Azure Monitor integration, and its own ADLS Gen2
 * storage account reached with a managed identity (no account key, https only, TLS 1.2, firewall).
 *
 * HDInsight Kafka has no Azure RBAC on topics: the cluster is a network-isolated
 * {@link StreamingBackbone} and offers no grant methods.
 *
 * @example
 * const kafka = new HdinsightKafkaCluster(this, 'Kafka', {
 *   name: 'hdi-iot-prod-weu', resourceGroup: rg, virtualNetwork: vnet, subnet: kafkaSubnet,
 *   gateway: { username: 'admin', password: gatewayPassword.result },
 *   nodeLogin: { username: 'sshuser', sshPublicKeys: [opsKey] },
 *   storageAccountName: 'sthdiiotprodweu', storageIdentity: hdiIdentity,
 *   workerCount: 4, azureMonitor: { workspace: hdinsightLogs }, // local auth on: agents use its key
 * });
 */
export class HdinsightKafkaCluster extends Construct implements StreamingBackbone {
  /**
   * Whether `x` is an HdinsightKafkaCluster, made by this or another copy of the library (a
   * brand, not `instanceof`).
   */
  public static isHdinsightKafkaCluster(x: unknown): x is HdinsightKafkaCluster {
    return hasBrand(x, HDINSIGHT_KAFKA_CLUSTER);
  }

  public readonly id: string;
  public readonly name: string;
  /** The `azurerm_hdinsight_kafka_cluster`. */
  public readonly resource: AzHdinsightKafkaCluster;
  /** The cluster's own ADLS Gen2 storage account. */
  public readonly storageAccount: StorageAccount;
  /** The `Storage Blob Data Owner` assignment of the storage identity. */
  public readonly storageRoleAssignment: RoleAssignment;
  /** `https://<name>.azurehdinsight.net` (gateway: Ambari, REST). */
  public readonly httpsEndpoint: string;
  /** The Kafka REST proxy endpoint (empty when no proxy is configured). */
  public readonly restProxyEndpoint: string;
  /** Ambari URL listing the broker hosts once the cluster exists. */
  public readonly brokerDiscoveryUrl: string;
  public readonly securityProtocol = 'SSL' as const;
  public readonly saslMechanism = undefined;
  public readonly accessControl = 'network-isolation' as const;
  public readonly authentication =
    'SSL on port 9093 inside the VNet: no per-client authentication and no Azure RBAC on topics; network isolation (subnet, NSG, private link) and TLS are the controls';
  public readonly topics: string[];

  private readonly brokerHosts?: string[];

  constructor(scope: Construct, id: string, props: HdinsightKafkaClusterProps) {
    super(scope, checkConstruct(scope, id, props));
    addBrand(this, HDINSIGHT_KAFKA_CLUSTER);
    this.validate(props);
    const location = props.location ?? props.resourceGroup.location;
    this.topics = [...(props.topics ?? [])];
    this.brokerHosts = props.brokerHosts;

    const storagePrivate = entryCount(props.storagePrivateEndpoints) > 0;
    this.storageAccount = new StorageAccount(this, 'Storage', {
      name: props.storageAccountName,
      location,
      resourceGroupName: props.resourceGroup.name,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: props.storageReplication ?? 'LRS',
      isHnsEnabled: true,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      sharedAccessKeyEnabled: props.storageSharedKeyAccess ?? false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      // Recoverable deletes of the cluster's blobs and containers (Kafka logs live on managed
      // disks; this account holds HDInsight's own state and job files).
      blobProperties: {
        deleteRetentionPolicy: { days: 7 },
        containerDeleteRetentionPolicy: { days: 7 },
      },
      publicNetworkAccessEnabled: !storagePrivate,
      networkRules: {
        defaultAction: 'Deny',
        bypass: ['AzureServices'],
        virtualNetworkSubnetIds: storagePrivate ? undefined : [props.subnet.id],
      },
    });
    // created through the management plane (storage_account_id), so neither the storage firewall
    // nor the disabled account key stands in Terraform's way
    const container = new StorageContainer(this, 'StorageContainer', {
      name: 'hdinsight',
      storageAccountId: this.storageAccount.id,
      containerAccessType: 'private',
    });
    this.storageRoleAssignment = grantRole(this, 'StorageBlobDataOwner', {
      scope: this.storageAccount.id,
      roleDefinitionName: 'Storage Blob Data Owner',
      principal: {
        principalId: props.storageIdentity.principalId,
        principalType: 'ServicePrincipal',
      },
      description: `cluster storage of ${this.node.path}`,
    });
    if (storagePrivate) {
      addPrivateEndpoints(
        new Construct(this, 'StoragePrivateEndpoints'),
        {
          id: this.storageAccount.id,
          name: this.storageAccount.name,
          resourceGroup: props.resourceGroup,
          location,
        },
        props.storagePrivateEndpoints,
        'dfs',
      );
    }

    const login = { username: props.nodeLogin.username, sshKeys: props.nodeLogin.sshPublicKeys };
    const joined = { virtualNetworkId: props.virtualNetwork.id, subnetId: props.subnet.id };
    const cmk = props.customerManagedKey;
    this.resource = new AzHdinsightKafkaCluster(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      clusterVersion: '5.1',
      tier: 'Standard',
      tlsMinVersion: '1.2',
      encryptionInTransitEnabled: true,
      componentVersion: { kafka: '3.2' },
      gateway: { username: props.gateway.username, password: props.gateway.password },
      storageAccountGen2: {
        isDefault: true,
        storageResourceId: this.storageAccount.id,
        filesystemId: `${this.storageAccount.primaryDfsEndpoint}${container.name}`,
        managedIdentityResourceId: props.storageIdentity.id,
      },
      roles: {
        headNode: { vmSize: props.headNodeVmSize ?? 'Standard_E4_V3', ...login, ...joined },
        workerNode: {
          vmSize: props.workerNodeVmSize ?? 'Standard_E4_V3',
          targetInstanceCount: props.workerCount ?? 3,
          numberOfDisksPerNode: props.disksPerWorkerNode ?? 2,
          ...login,
          ...joined,
        },
        zookeeperNode: {
          vmSize: props.zookeeperNodeVmSize ?? 'Standard_A4_V2',
          ...login,
          ...joined,
        },
        kafkaManagementNode: props.restProxy
          ? { vmSize: props.restProxy.vmSize ?? 'Standard_E4_V3', ...login, ...joined }
          : undefined,
      },
      restProxy: props.restProxy
        ? {
            securityGroupId: props.restProxy.securityGroupId,
            securityGroupName: props.restProxy.securityGroupName,
          }
        : undefined,
      diskEncryption: [
        {
          encryptionAtHostEnabled: props.encryptionAtHost ?? true,
          keyVaultKeyId: cmk?.key.id,
          keyVaultManagedIdentityId: cmk?.identity.id,
          encryptionAlgorithm: cmk ? 'RSA-OAEP' : undefined,
        },
      ],
      network: {
        connectionDirection: props.resourceProviderConnection ?? 'Outbound',
        privateLinkEnabled: props.privateLink ?? true,
      },
      extension: props.azureMonitor
        ? {
            logAnalyticsWorkspaceId: props.azureMonitor.workspace.workspaceId,
            primaryKey: props.azureMonitor.workspace.primarySharedKey,
          }
        : undefined,
      // the identity must hold its storage role before HDInsight first touches the filesystem
      dependsOn: [this.storageRoleAssignment],
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.httpsEndpoint = `https://${this.resource.httpsEndpoint}`;
    this.restProxyEndpoint = props.restProxy ? this.resource.kafkaRestProxyEndpoint : '';
    this.brokerDiscoveryUrl = `https://${this.resource.httpsEndpoint}/api/v1/clusters/${this.resource.name}/services/KAFKA/components/KAFKA_BROKER`;

    const settings = props.diagnosticSettings;
    applyCommonInterfaces(this, this.resource, {
      ...props,
      // the cluster resource exposes metrics; node logs go through Azure Monitor integration
      diagnosticSettings: mapDiagnosticSettings(settings, (s) => metricsOnly(s)),
    });
    addDiagnosticSettings(
      this,
      this.storageAccount.id,
      mapDiagnosticSettings(settings, storageMetrics),
      'Storage',
    );
    addDiagnosticSettings(
      this,
      `${this.storageAccount.id}/blobServices/default`,
      mapDiagnosticSettings(settings, (s) => ({ ...s, metricCategories: ['Transaction'] })),
      'StorageBlob',
    );
  }

  /**
   * `host:9093,…` of the brokers. HDInsight names the brokers at creation, so this throws until
   * `brokerHosts` is given (a two-phase deploy; see the README) instead of handing clients a
   * made-up address.
   */
  public get bootstrapServers(): string {
    if (!this.brokerHosts || this.brokerHosts.length === 0) {
      throw new ValidationError(
        this,
        'brokerHosts',
        this.brokerHosts,
        'broker host names exist only after the cluster is created; read them from ambari (brokerDiscoveryUrl) and set brokerHosts',
      );
    }
    return this.brokerHosts.map((h) => `${h}:${KAFKA_TLS_PORT}`).join(',');
  }

  private validate(props: HdinsightKafkaClusterProps): void {
    validateName(this, 'name', props.name, NamingRules.hdinsightCluster);
    validateName(this, 'storageAccountName', props.storageAccountName, NamingRules.storageAccount);
    validateOneOf(this, 'storageReplication', props.storageReplication, [
      'LRS',
      'ZRS',
      'GRS',
      'GZRS',
    ]);
    validateRange(this, 'workerCount', props.workerCount, 3, 100, {
      unit: 'worker nodes (kafka keeps 3 replicas)',
    });
    validateRange(this, 'disksPerWorkerNode', props.disksPerWorkerNode, 1, 8, {
      unit: 'disks per node',
    });
    validateOneOf(this, 'resourceProviderConnection', props.resourceProviderConnection, [
      'Inbound',
      'Outbound',
    ]);
    if ((props.privateLink ?? true) && props.resourceProviderConnection === 'Inbound') {
      throw new ValidationError(
        this,
        'resourceProviderConnection',
        'Inbound',
        'private link needs "Outbound"; set privateLink: false to use "Inbound"',
      );
    }
    if (entryCount(props.privateEndpoints) > 0) {
      throw new ValidationError(
        this,
        'privateEndpoints',
        entryCount(props.privateEndpoints),
        'hdinsight takes no private endpoint of its own: it joins the vnet (subnet) and uses privateLink; give storagePrivateEndpoints for its storage',
      );
    }
    const ws = props.azureMonitor?.workspace;
    if (
      ws &&
      (ws.localAuthenticationEnabledInput === false || ws.localAuthenticationDisabledInput === true)
    ) {
      throw new ValidationError(
        this,
        'azureMonitor.workspace',
        ws.node.path,
        "hdinsight's azure monitor agents enroll with the workspace's shared key, and this workspace has local authentication off, so it would reject them; give hdinsight a workspace with local authentication on",
      );
    }
    for (const [prop, value] of [['gateway.password', props.gateway.password]] as const) {
      if (value !== undefined && !isUnresolved(value)) {
        throw new ValidationError(
          this,
          prop,
          '<literal redacted>',
          "a secret must be a terraform token (another resource's attribute), never a literal in code",
        );
      }
    }
    validateName(this, 'nodeLogin.username', props.nodeLogin.username, {
      resource: 'hdinsight ssh user',
      minLength: 1,
      maxLength: 32,
      pattern: /^[a-z_][a-z0-9_-]*$/,
      patternDescription:
        'lower-case letters, digits, underscores and hyphens, starting with a letter',
    });
    if (props.nodeLogin.username === props.gateway.username) {
      throw new ValidationError(
        this,
        'nodeLogin.username',
        props.nodeLogin.username,
        'the ssh user must differ from the gateway user',
      );
    }
    if (props.nodeLogin.sshPublicKeys.length === 0) {
      throw new ValidationError(this, 'nodeLogin.sshPublicKeys', [], 'at least one ssh public key');
    }
    props.nodeLogin.sshPublicKeys.forEach((k, i) => {
      if (
        !isUnresolved(k) &&
        // An element of a token list (a Terraform variable) is Terraform's to check.
        !Token.isUnresolved(props.nodeLogin.sshPublicKeys) &&
        !/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(k)
      ) {
        throw new ValidationError(
          this,
          `nodeLogin.sshPublicKeys[${i}]`,
          `${k.slice(0, 16)}…`,
          'an openssh public key such as "ssh-rsa AAAA…"',
        );
      }
    });
    (props.topics ?? []).forEach((t, i) => {
      if (!KAFKA_TOPIC.test(t) || t === '.' || t === '..') {
        throw new ValidationError(
          this,
          `topics[${i}]`,
          t,
          'a kafka topic name: 1–249 letters, digits, periods, underscores and hyphens',
        );
      }
    });
    (props.brokerHosts ?? []).forEach((h, i) => {
      if (!isUnresolved(h) && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(h)) {
        throw new ValidationError(this, `brokerHosts[${i}]`, h, 'a host name without port');
      }
    });
  }
}

function metricsOnly(s: DiagnosticSettingsProps): DiagnosticSettingsProps {
  return s.logCategories && s.logCategories.length > 0 ? s : { ...s, logCategoryGroups: [] };
}

function storageMetrics(s: DiagnosticSettingsProps): DiagnosticSettingsProps {
  // a storage account itself has no logs, only Transaction and Capacity metrics
  return {
    ...s,
    logCategories: undefined,
    logCategoryGroups: [],
    metricCategories: ['Transaction'],
  };
}
