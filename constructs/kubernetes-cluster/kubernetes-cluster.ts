import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KubernetesCluster as AzKubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { KubernetesClusterConfig } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  ILogAnalyticsWorkspace,
  IPrincipal,
  IPrivateDnsZone,
  ISubnet,
  IUserAssignedIdentity,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  entryCount,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  isUnresolved,
  NamingRules,
  validateCidr,
  validateExclusive,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/** An availability zone of a region. */
export type AvailabilityZone = '1' | '2' | '3';

/** The kubelet identity: the principal nodes pull images with (`registry.grantPull(...)`). */
export interface IKubeletIdentity extends IPrincipal {
  /** Client id, for tools that authenticate as the kubelet. */
  readonly clientId: string;
}

/** An AKS cluster as other constructs take it. */
export interface IKubernetesCluster {
  readonly id: string;
  readonly name: string;
  /** Issuer URL of the cluster's service account tokens, for workload identity federation. */
  readonly oidcIssuerUrl: string;
  /** Identity the nodes use for image pulls and Azure calls. */
  readonly kubeletIdentity: IKubeletIdentity;
  /** Grants `Azure Kubernetes Service RBAC Cluster Admin` on the cluster. */
  grantClusterAdmin(principal: IPrincipal): RoleAssignment;
  /** Grants `Azure Kubernetes Service Cluster User Role`: fetch a kubeconfig. */
  grantClusterUser(principal: IPrincipal): RoleAssignment;
  /** Grants `Azure Kubernetes Service RBAC Writer` in one namespace. */
  grantNamespaceWriter(principal: IPrincipal, namespace: string): RoleAssignment;
}

/** Sizing and placement of a node pool, shared by the system pool and user pools. */
export interface NodePoolOptions {
  /**
   * VM size of the nodes.
   * @default "Standard_D4ds_v5" - 4 vCPU, 16 GiB, a local temp disk large enough for an ephemeral OS disk
   */
  readonly vmSize?: string;
  /**
   * Whether the cluster autoscaler manages the node count between `minCount` and `maxCount`.
   * @default true
   */
  readonly autoScaling?: boolean;
  /**
   * Fewest nodes when autoscaling (0–1000; a system pool needs at least 1).
   * @default 3 - one per zone, so the pool survives a zone or node loss
   */
  readonly minCount?: number;
  /**
   * Most nodes when autoscaling (1–1000, at least `minCount`).
   * @default 6
   */
  readonly maxCount?: number;
  /**
   * Fixed node count when `autoScaling` is false (1–1000, 0 allowed on user pools).
   * @default 3
   */
  readonly nodeCount?: number;
  /**
   * Most pods per node (10–250; Azure CNI overlay allows up to 250).
   * @default 110 - the Kubernetes upstream default, which keeps per-node overhead predictable
   */
  readonly maxPods?: number;
  /**
   * Availability zones the nodes spread over.
   * @default - the cluster's `zones`
   */
  readonly zones?: AvailabilityZone[];
  /**
   * Node subnet.
   * @default - the cluster's `subnet`
   */
  readonly subnet?: ISubnet;
  /**
   * Node OS.
   * @default "AzureLinux" - Microsoft's minimal container host, smaller attack surface than Ubuntu
   */
  readonly osSku?: 'AzureLinux' | 'Ubuntu' | 'Ubuntu2204' | 'Ubuntu2404';
  /**
   * OS disk type. Ephemeral disks live on the VM's local storage: faster, and reimaged on upgrade.
   * @default "Ephemeral"
   */
  readonly osDiskType?: 'Ephemeral' | 'Managed';
  /**
   * OS disk size in GiB; with `Ephemeral` it must fit the VM's cache or temp disk.
   * @default 128
   */
  readonly osDiskSizeGb?: number;
  /**
   * Encryption at host (temp disks and caches encrypted too). Needs the subscription feature
   * `Microsoft.Compute/EncryptionAtHost` registered.
   * @default false - a fresh subscription lacks the feature and the deployment would fail
   */
  readonly hostEncryption?: boolean;
  /**
   * Extra nodes added during an upgrade, as a count or percentage.
   * @default "33%" - AKS's production recommendation: faster upgrades, bounded extra capacity
   */
  readonly maxSurge?: string;
  /**
   * Kubernetes labels on every node.
   * @default - none
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Kubernetes version of the pool.
   * @default - the cluster's version
   */
  readonly orchestratorVersion?: string;
}

/** Options of a user node pool created by {@link KubernetesCluster.addUserPool}. */
export interface UserNodePoolOptions extends NodePoolOptions {
  /**
   * Taints, `key=value:Effect`, so only tolerating pods land on the pool.
   * @default - none
   */
  readonly nodeTaints?: string[];
}

/** A planned maintenance window (`maintenance_window_auto_upgrade` / `_node_os`). */
export interface MaintenanceWindowOptions {
  /**
   * How often the window recurs.
   * @default "Weekly"
   */
  readonly frequency?: 'Daily' | 'Weekly' | 'AbsoluteMonthly' | 'RelativeMonthly';
  /**
   * Recurrence interval in units of `frequency` (every N weeks, ...).
   * @default 1
   */
  readonly interval?: number;
  /**
   * Length of the window in hours (4–24; AKS needs at least 4).
   * @default 4
   */
  readonly durationHours?: number;
  /**
   * Day of the week for weekly and relative-monthly windows.
   * @default "Sunday" for upgrades, "Saturday" for node OS
   */
  readonly dayOfWeek?:
    | 'Monday'
    | 'Tuesday'
    | 'Wednesday'
    | 'Thursday'
    | 'Friday'
    | 'Saturday'
    | 'Sunday';
  /**
   * Day of the month (1–31) of an `AbsoluteMonthly` window.
   * @default 1
   */
  readonly dayOfMonth?: number;
  /**
   * Week of the month of a `RelativeMonthly` window.
   * @default "First"
   */
  readonly weekIndex?: 'First' | 'Second' | 'Third' | 'Fourth' | 'Last';
  /**
   * Start time, `HH:mm`.
   * @default "01:00"
   */
  readonly startTime?: string;
  /**
   * UTC offset of `startTime`, `+HH:mm` / `-HH:mm`.
   * @default "+00:00"
   */
  readonly utcOffset?: string;
  /**
   * Periods (RFC 3339 start/end) with no maintenance, e.g. a release freeze.
   * @default - none
   */
  readonly notAllowed?: { readonly start: string; readonly end: string }[];
}

/** Cluster autoscaler tuning (`auto_scaler_profile`). */
export interface ClusterAutoscalerProfile {
  /**
   * Keep similar pools (the same pool's zones) balanced.
   * @default true - spreads nodes over zones
   */
  readonly balanceSimilarNodeGroups?: boolean;
  /**
   * How the autoscaler picks the pool to grow.
   * @default "least-waste"
   */
  readonly expander?: 'least-waste' | 'most-pods' | 'priority' | 'random';
  /**
   * How long a node stays unneeded before it is removed, e.g. `10m`.
   * @default - AKS's default (10m)
   */
  readonly scaleDownUnneeded?: string;
  /**
   * Wait after a scale-up before scale-down is considered, e.g. `10m`.
   * @default - AKS's default (10m)
   */
  readonly scaleDownDelayAfterAdd?: string;
  /**
   * Node utilisation below which a node may be removed, e.g. `0.5`.
   * @default - AKS's default (0.5)
   */
  readonly scaleDownUtilizationThreshold?: string;
}

/** The Istio-based service mesh add-on (`service_mesh_profile`). */
export interface ServiceMeshOptions {
  /**
   * Istio control-plane revisions, `asm-X-Y`; two during a canary upgrade. List what a region
   * offers with `az aks mesh get-revisions`.
   * @default ["asm-1-29"]
   */
  readonly revisions?: string[];
  /**
   * Istio ingress gateway on an internal load balancer (reached from the VNet, e.g. by APIM).
   * @default true
   */
  readonly internalIngressGateway?: boolean;
  /**
   * Istio ingress gateway on a public load balancer.
   * @default false - traffic enters through API Management, not straight from the internet
   */
  readonly externalIngressGateway?: boolean;
}

/** Props of {@link KubernetesCluster}. */
export interface KubernetesClusterProps extends AzureResourceProps {
  /** Cluster name: 1–63 letters, digits, underscores and hyphens. */
  readonly name: string;
  /**
   * Node subnet in your VNet. Azure CNI overlay places nodes there and pods on an overlay range.
   */
  readonly subnet: ISubnet;
  /**
   * DNS prefix of the API server's FQDN.
   * @default - the cluster name
   */
  readonly dnsPrefix?: string;
  /**
   * Kubernetes version, `1.33` (AKS picks the patch) or `1.33.2`.
   * @default - AKS's default version in the region
   */
  readonly kubernetesVersion?: string;
  /**
   * Control-plane tier. `Standard` and `Premium` carry the uptime SLA.
   * @default "Standard" - the SLA-backed control plane the well-architected guidance asks for
   */
  readonly skuTier?: 'Free' | 'Standard' | 'Premium';
  /**
   * Availability zones of the system pool and the default of user pools.
   * @default - no zones (single-zone); production passes ["1","2","3"]
   */
  readonly zones?: AvailabilityZone[];
  /**
   * The control-plane identity: a system-assigned one, or exactly one user-assigned identity.
   * A user-assigned identity is needed for `kubeletIdentity` and a custom private DNS zone, and
   * lets the construct grant it Network Contributor on the subnets before the cluster exists.
   * @default - system-assigned
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * User-assigned identity for the kubelet (image pulls). The construct grants the control-plane
   * identity `Managed Identity Operator` on it, as AKS requires.
   * @default - AKS creates one in the node resource group
   */
  readonly kubeletIdentity?: IUserAssignedIdentity;
  /**
   * Entra tenant whose users and groups authenticate to the cluster.
   * @default - the tenant of the azurerm provider
   */
  readonly tenantId?: string;
  /**
   * Entra groups that get cluster-admin. With local accounts off they are, with Azure RBAC role
   * assignments, the only way in.
   * @default - none; grant access with `grantClusterAdmin` / `grantNamespaceWriter`
   */
  readonly adminGroupObjectIds?: string[];
  /**
   * Private cluster: the API server has only a private address in the VNet. Exactly one of
   * `privateCluster` and `authorizedIpRanges` must be set.
   * @default false
   */
  readonly privateCluster?: boolean;
  /**
   * Private DNS zone of a private cluster's API server: `System` (AKS-managed) or your zone
   * `privatelink.<region>.azmk8s.io` (needs a user-assigned control-plane identity).
   * @default "System"
   */
  readonly privateDnsZone?: IPrivateDnsZone | 'System';
  /**
   * Public IPv4 CIDRs allowed to reach a public API server.
   * @default - none; set this or `privateCluster`
   */
  readonly authorizedIpRanges?: string[];
  /**
   * Network policy engine. `cilium` uses the Cilium eBPF dataplane.
   * @default "cilium" - Azure CNI powered by Cilium: network policy without iptables scale limits
   */
  readonly networkPolicy?: 'azure' | 'cilium' | 'calico';
  /**
   * Container Network Security of Advanced Container Networking Services
   * (`network_profile.advanced_networking.security_enabled`): FQDN filtering with
   * CiliumNetworkPolicy `toFQDNs`, the only way a pod's egress can name a host (Entra ID, a
   * webhook) rather than an IP range. Needs the Cilium dataplane; ACNS is billed per node.
   * @default - on with the Cilium dataplane, off otherwise
   */
  readonly containerNetworkSecurity?: boolean;
  /**
   * Overlay CIDR the pods get addresses from (not routed in the VNet).
   * @default "192.168.0.0/16"
   */
  readonly podCidr?: string;
  /**
   * CIDR of Kubernetes services; must not overlap the VNet or peered networks.
   * @default "172.16.0.0/16"
   */
  readonly serviceCidr?: string;
  /**
   * Address of cluster DNS, inside `serviceCidr`.
   * @default - the 10th address of `serviceCidr`
   */
  readonly dnsServiceIp?: string;
  /**
   * How nodes reach the internet.
   * @default "loadBalancer"
   */
  readonly outboundType?:
    | 'loadBalancer'
    | 'userDefinedRouting'
    | 'managedNATGateway'
    | 'userAssignedNATGateway';
  /**
   * The system pool, tainted `CriticalAddonsOnly=true:NoSchedule` so only system add-ons run on it.
   * @default - see {@link NodePoolOptions}
   */
  readonly systemPool?: NodePoolOptions & { readonly name?: string };
  /**
   * Cluster autoscaler tuning.
   * @default - see {@link ClusterAutoscalerProfile}
   */
  readonly autoScalerProfile?: ClusterAutoscalerProfile;
  /**
   * Istio service mesh add-on, or `false` for none.
   * @default - Istio on, see {@link ServiceMeshOptions}; the reference architecture puts the services behind a mesh
   */
  readonly serviceMesh?: ServiceMeshOptions | false;
  /**
   * KEDA, the event-driven workload autoscaler (scales consumers on Kafka lag).
   * @default true
   */
  readonly keda?: boolean;
  /**
   * Vertical Pod Autoscaler.
   * @default false
   */
  readonly verticalPodAutoscaler?: boolean;
  /**
   * Rotation interval of the Key Vault secrets store CSI driver, e.g. `2m`.
   * @default "2m"
   */
  readonly secretRotationInterval?: string;
  /**
   * Cluster upgrade channel.
   * @default "patch" - security patches within the pinned minor version, no surprise minors
   */
  readonly automaticUpgradeChannel?: 'patch' | 'rapid' | 'node-image' | 'stable' | 'none';
  /**
   * Node OS upgrade channel.
   * @default "NodeImage" - weekly patched node images, applied in the node OS window
   */
  readonly nodeOsUpgradeChannel?: 'None' | 'Unmanaged' | 'SecurityPatch' | 'NodeImage';
  /**
   * When cluster upgrades may run.
   * @default - weekly, Sunday 01:00 UTC, 4 hours
   */
  readonly maintenanceWindowAutoUpgrade?: MaintenanceWindowOptions;
  /**
   * When node OS upgrades may run.
   * @default - weekly, Saturday 01:00 UTC, 4 hours
   */
  readonly maintenanceWindowNodeOs?: MaintenanceWindowOptions;
  /**
   * Azure Policy add-on (Gatekeeper), enforcing pod security and other policies in-cluster.
   * @default true
   */
  readonly azurePolicy?: boolean;
  /**
   * Image cleaner: removes unused, vulnerable images from nodes.
   * @default true
   */
  readonly imageCleaner?: boolean;
  /**
   * Image cleaner interval in hours (24–2160).
   * @default 48
   */
  readonly imageCleanerIntervalHours?: number;
  /**
   * Log Analytics workspace for Container Insights (the monitoring agent authenticates with
   * managed identity, and the construct adds the data collection rule it needs).
   * @default - Container Insights off; the platform pattern always sets it
   */
  readonly containerInsightsWorkspace?: ILogAnalyticsWorkspace;
  /**
   * Log Analytics workspace for Microsoft Defender for Containers; set it to turn Defender on.
   * @default - Defender off (it is billed per core)
   */
  readonly defenderWorkspace?: ILogAnalyticsWorkspace;
  /**
   * Azure Monitor managed Prometheus (`monitor_metrics`): runs the ama-metrics add-on, which
   * scrapes the default targets and annotated pods and sends them through the data collection
   * rule associated with the cluster (the monitoring `ManagedPrometheus` construct creates it).
   * @default false - the add-on is useless without a workspace and data collection rule
   */
  readonly managedPrometheus?: boolean;
  /**
   * Disk encryption set (customer-managed key) for node OS and data disks.
   * @default - platform-managed keys
   */
  readonly diskEncryptionSet?: { readonly id: string };
  /**
   * `az aks command invoke` (runs kubectl through ARM, bypassing the private API server).
   * @default false - no path around the private network and Kubernetes RBAC
   */
  readonly runCommand?: boolean;
}

const DEFAULT_VM_SIZE = 'Standard_D4ds_v5';
const K8S_VERSION = /^1\.\d{1,2}(?:\.\d{1,2})?$/;
const ZONES: readonly AvailabilityZone[] = ['1', '2', '3'];

/**
 * An AKS cluster hardened the way the reference architecture runs it: Azure CNI overlay with
 * Cilium network policy, Entra ID with Azure RBAC and local accounts off, OIDC issuer and
 * workload identity, Key Vault secrets provider with rotation, the Istio add-on, KEDA, the
 * cluster autoscaler on a tainted system pool, planned maintenance, Azure Policy, Container
 * Insights, and a private API server or authorized IP ranges.
 *
 * @example
 * const aks = new KubernetesCluster(this, 'Aks', {
 *   name: 'aks-iot-prod-weu', resourceGroup: rg, subnet: network.subnet('aks-nodes'),
 *   privateCluster: true, zones: ['1', '2', '3'],
 *   managedIdentities: { userAssigned: [controlPlaneId] }, kubeletIdentity: kubeletId,
 *   containerInsightsWorkspace: monitoring.workspace,
 * });
 * aks.addUserPool('stream', { minCount: 3, maxCount: 12 });
 * registry.grantPull(aks.kubeletIdentity);
 */
export class KubernetesCluster extends Construct implements IKubernetesCluster {
  public readonly id: string;
  public readonly name: string;
  public readonly oidcIssuerUrl: string;
  public readonly kubeletIdentity: IKubeletIdentity;
  /** Resource group AKS creates for the nodes (`MC_...`). */
  public readonly nodeResourceGroup: string;
  /** Public FQDN of the API server (empty for a private cluster). */
  public readonly fqdn: string;
  /** Private FQDN of the API server (private clusters). */
  public readonly privateFqdn: string;
  /**
   * Identity of the Key Vault secrets provider add-on; `keyVault.grantSecretsRead(...)` it when
   * pods mount secrets through the CSI driver without workload identity.
   */
  public readonly secretsProviderIdentity: IKubeletIdentity;
  /** Principal id of the control-plane identity. */
  public readonly controlPlanePrincipalId: string;
  /** The `azurerm_kubernetes_cluster`. */
  public readonly resource: AzKubernetesCluster;

  private readonly props: KubernetesClusterProps;
  private readonly controlPlaneIdentity?: IUserAssignedIdentity;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, checkConstruct(scope, id, props));
    this.props = props;
    this.controlPlaneIdentity = this.validate(props);

    const location = props.location ?? props.resourceGroup.location;
    const sys = props.systemPool ?? {};
    const zones = props.zones;
    const mesh = props.serviceMesh === false ? undefined : (props.serviceMesh ?? {});
    const serviceCidr = props.serviceCidr ?? '172.16.0.0/16';
    const networkPolicy = props.networkPolicy ?? 'cilium';
    const upgradeChannel = props.automaticUpgradeChannel ?? 'patch';
    const privateDnsZone = props.privateDnsZone ?? 'System';
    const prerequisites = this.addPrerequisiteGrants(
      props,
      typeof privateDnsZone === 'string' ? undefined : privateDnsZone,
    );

    const config: KubernetesClusterConfig = {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      dnsPrefix: props.dnsPrefix ?? props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.skuTier ?? 'Standard',
      identity: this.controlPlaneIdentity
        ? { type: 'UserAssigned', identityIds: [this.controlPlaneIdentity.id] }
        : { type: 'SystemAssigned' },
      kubeletIdentity: props.kubeletIdentity
        ? {
            userAssignedIdentityId: props.kubeletIdentity.id,
            clientId: props.kubeletIdentity.clientId,
            objectId: props.kubeletIdentity.principalId,
          }
        : undefined,
      roleBasedAccessControlEnabled: true,
      localAccountDisabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: props.tenantId,
        adminGroupObjectIds: props.adminGroupObjectIds,
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      privateClusterEnabled: props.privateCluster === true,
      privateClusterPublicFqdnEnabled: props.privateCluster === true ? false : undefined,
      privateDnsZoneId:
        props.privateCluster === true
          ? typeof privateDnsZone === 'string'
            ? privateDnsZone
            : privateDnsZone.id
          : undefined,
      apiServerAccessProfile:
        props.authorizedIpRanges && props.authorizedIpRanges.length > 0
          ? { authorizedIpRanges: props.authorizedIpRanges }
          : undefined,
      runCommandEnabled: props.runCommand ?? false,
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkPolicy,
        networkDataPlane: networkPolicy === 'cilium' ? 'cilium' : 'azure',
        advancedNetworking:
          (props.containerNetworkSecurity ?? networkPolicy === 'cilium')
            ? { securityEnabled: true, observabilityEnabled: false }
            : undefined,
        podCidr: props.podCidr ?? '192.168.0.0/16',
        serviceCidr,
        dnsServiceIp:
          props.dnsServiceIp ?? (isUnresolved(serviceCidr) ? undefined : tenthAddress(serviceCidr)),
        outboundType: props.outboundType ?? 'loadBalancer',
        loadBalancerSku: 'standard',
      },
      defaultNodePool: {
        name: sys.name ?? 'system',
        onlyCriticalAddonsEnabled: true,
        temporaryNameForRotation: `${(sys.name ?? 'system').slice(0, 8)}tmp`,
        ...poolSizing(sys, zones, props.subnet, false),
      },
      autoScalerProfile: {
        balanceSimilarNodeGroups: props.autoScalerProfile?.balanceSimilarNodeGroups ?? true,
        expander: props.autoScalerProfile?.expander ?? 'least-waste',
        scaleDownUnneeded: props.autoScalerProfile?.scaleDownUnneeded,
        scaleDownDelayAfterAdd: props.autoScalerProfile?.scaleDownDelayAfterAdd,
        scaleDownUtilizationThreshold: props.autoScalerProfile?.scaleDownUtilizationThreshold,
      },
      serviceMeshProfile: mesh
        ? {
            mode: 'Istio',
            revisions: mesh.revisions ?? ['asm-1-29'],
            internalIngressGatewayEnabled: mesh.internalIngressGateway ?? true,
            externalIngressGatewayEnabled: mesh.externalIngressGateway ?? false,
          }
        : undefined,
      workloadAutoscalerProfile: {
        kedaEnabled: props.keda ?? true,
        verticalPodAutoscalerEnabled: props.verticalPodAutoscaler ?? false,
      },
      keyVaultSecretsProvider: {
        secretRotationEnabled: true,
        secretRotationInterval: props.secretRotationInterval ?? '2m',
      },
      automaticUpgradeChannel: upgradeChannel === 'none' ? undefined : upgradeChannel,
      nodeOsUpgradeChannel: props.nodeOsUpgradeChannel ?? 'NodeImage',
      maintenanceWindowAutoUpgrade:
        upgradeChannel === 'none'
          ? undefined
          : maintenanceWindow(props.maintenanceWindowAutoUpgrade, 'Sunday'),
      maintenanceWindowNodeOs: maintenanceWindow(props.maintenanceWindowNodeOs, 'Saturday'),
      azurePolicyEnabled: props.azurePolicy ?? true,
      imageCleanerEnabled: props.imageCleaner ?? true,
      imageCleanerIntervalHours:
        props.imageCleaner === false ? undefined : (props.imageCleanerIntervalHours ?? 48),
      omsAgent: props.containerInsightsWorkspace
        ? {
            logAnalyticsWorkspaceId: props.containerInsightsWorkspace.id,
            msiAuthForMonitoringEnabled: true,
          }
        : undefined,
      microsoftDefender: props.defenderWorkspace
        ? { logAnalyticsWorkspaceId: props.defenderWorkspace.id }
        : undefined,
      monitorMetrics: props.managedPrometheus ? {} : undefined,
      diskEncryptionSetId: props.diskEncryptionSet?.id,
      // The autoscaler owns the node count; Terraform must not fight it on every apply.
      lifecycle:
        (sys.autoScaling ?? true)
          ? { ignoreChanges: ['default_node_pool[0].node_count'] }
          : undefined,
      dependsOn: prerequisites.length > 0 ? prerequisites : undefined,
    };

    this.resource = new AzKubernetesCluster(this, 'Resource', config);
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.oidcIssuerUrl = this.resource.oidcIssuerUrl;
    this.nodeResourceGroup = this.resource.nodeResourceGroup;
    this.fqdn = this.resource.fqdn;
    this.privateFqdn = this.resource.privateFqdn;
    this.kubeletIdentity = props.kubeletIdentity
      ? {
          principalId: props.kubeletIdentity.principalId,
          clientId: props.kubeletIdentity.clientId,
          principalType: 'ServicePrincipal',
        }
      : {
          principalId: this.resource.kubeletIdentity.objectId,
          clientId: this.resource.kubeletIdentity.clientId,
          principalType: 'ServicePrincipal',
        };
    const secretIdentity = this.resource.keyVaultSecretsProvider.secretIdentity.get(0);
    this.secretsProviderIdentity = {
      principalId: secretIdentity.objectId,
      clientId: secretIdentity.clientId,
      principalType: 'ServicePrincipal',
    };
    this.controlPlanePrincipalId =
      this.controlPlaneIdentity?.principalId ?? this.resource.identity.principalId;

    if (!this.controlPlaneIdentity) {
      // A system-assigned identity exists only once the cluster does, so its subnet grant
      // follows the cluster; AKS retries load balancer placement until it lands.
      grantRole(this, 'ControlPlaneSubnet', {
        scope: props.subnet.id,
        roleDefinitionName: 'Network Contributor',
        principal: { principalId: this.controlPlanePrincipalId, principalType: 'ServicePrincipal' },
        description: `aks control plane of ${this.node.path} manages its node subnet`,
      });
    }
    if (props.containerInsightsWorkspace) {
      this.addContainerInsightsRule(props.containerInsightsWorkspace, location);
    }
    applyCommonInterfaces(this, this.resource, props, {
      privateEndpointSubresource: 'management',
    });
  }

  /**
   * Adds a user node pool (`azurerm_kubernetes_cluster_node_pool`, mode `User`) for workloads.
   * The pool inherits the cluster's subnet and zones unless given. Returns the pool.
   */
  public addUserPool(name: string, options: UserNodePoolOptions = {}): KubernetesClusterNodePool {
    validateName(this, `addUserPool(${name}).name`, name, NamingRules.aksNodePool);
    this.validatePool(`addUserPool(${name})`, options, true);
    (options.nodeTaints ?? []).forEach((t, i) => {
      if (
        !isUnresolved(t) &&
        !/^[\w./-]+(=[\w.-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/.test(t)
      ) {
        throw new ValidationError(
          this,
          `addUserPool(${name}).nodeTaints[${i}]`,
          t,
          'a taint is key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute',
        );
      }
    });
    const sizing = poolSizing(options, this.props.zones, this.props.subnet, true);
    return new KubernetesClusterNodePool(this, `Pool-${name}`, {
      name,
      kubernetesClusterId: this.id,
      mode: 'User',
      osType: 'Linux',
      nodeTaints: options.nodeTaints,
      temporaryNameForRotation: `${name.slice(0, 8)}tmp`,
      ...sizing,
      lifecycle: (options.autoScaling ?? true) ? { ignoreChanges: ['node_count'] } : undefined,
    });
  }

  /**
   * Federates a Kubernetes service account with a user-assigned identity (workload identity):
   * pods running as `namespace/serviceAccount` get Entra tokens of `identity`. Creates one
   * `azurerm_federated_identity_credential` on the identity and returns it.
   */
  public federatedIdentity(
    serviceAccount: string,
    namespace: string,
    identity: IUserAssignedIdentity & { readonly resourceGroupName?: string },
  ): FederatedIdentityCredential {
    const dnsLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
    const dnsSubdomain = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
    if (!isUnresolved(namespace) && !dnsLabel.test(namespace)) {
      throw new ValidationError(
        this,
        'federatedIdentity.namespace',
        namespace,
        'a kubernetes namespace is a dns label: 1–63 lower-case letters, digits and hyphens',
      );
    }
    if (!isUnresolved(serviceAccount) && !dnsSubdomain.test(serviceAccount)) {
      throw new ValidationError(
        this,
        'federatedIdentity.serviceAccount',
        serviceAccount,
        'a service account name is a dns subdomain: lower-case letters, digits, hyphens and periods',
      );
    }
    const name = `fic-${this.node.id}-${namespace}-${serviceAccount}`
      .replace(/[^a-zA-Z0-9_-]/g, '-')
      .slice(0, 120);
    return new FederatedIdentityCredential(this, `Federated-${namespace}-${serviceAccount}`, {
      name,
      // The credential lives on the identity; its resource group is the identity's, which
      // segment 4 of a managed identity's resource id names when the caller does not.
      resourceGroupName: identity.resourceGroupName ?? Fn.element(Fn.split('/', identity.id), 4),
      parentId: identity.id,
      audience: ['api://AzureADTokenExchange'],
      issuer: this.oidcIssuerUrl,
      subject: `system:serviceaccount:${namespace}:${serviceAccount}`,
    });
  }

  /**
   * Grants `Azure Kubernetes Service RBAC Cluster Admin` on the cluster: full Kubernetes access
   * through Entra ID. For platform operators only.
   */
  public grantClusterAdmin(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('ClusterAdmin', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
      principal,
      description: `kubernetes cluster admin on ${this.node.path}`,
    });
  }

  /**
   * Grants `Azure Kubernetes Service Cluster User Role`: fetch the (Entra-only) kubeconfig.
   * Grants no Kubernetes permission by itself; pair it with a Kubernetes RBAC grant.
   */
  public grantClusterUser(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('ClusterUser', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Azure Kubernetes Service Cluster User Role',
      principal,
      description: `kubeconfig of ${this.node.path}`,
    });
  }

  /**
   * Grants `Azure Kubernetes Service RBAC Writer` scoped to one namespace: deploy and change
   * workloads there, nothing cluster-wide and no roles or role bindings.
   */
  public grantNamespaceWriter(principal: IPrincipal, namespace: string): RoleAssignment {
    return grantRole(this, grantId(`NamespaceWriter-${namespace}`, this, principal), {
      scope: `${this.id}/namespaces/${namespace}`,
      roleDefinitionName: 'Azure Kubernetes Service RBAC Writer',
      principal,
      description: `write workloads in namespace ${namespace} of ${this.node.path}`,
    });
  }

  private validate(props: KubernetesClusterProps): IUserAssignedIdentity | undefined {
    validateName(this, 'name', props.name, NamingRules.kubernetesCluster);
    if (props.dnsPrefix !== undefined && !isUnresolved(props.dnsPrefix)) {
      if (!/^[a-zA-Z][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$/.test(props.dnsPrefix)) {
        throw new ValidationError(
          this,
          'dnsPrefix',
          props.dnsPrefix,
          'allowed is 2–54 letters, digits and hyphens, starting with a letter and ending with a letter or digit',
        );
      }
    } else if (
      !isUnresolved(props.name) &&
      !/^[a-zA-Z][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$/.test(props.name)
    ) {
      throw new ValidationError(
        this,
        'dnsPrefix',
        props.name,
        'the dns prefix defaults to the name, which is no valid prefix (2–54 letters, digits and hyphens, starting with a letter); set dnsPrefix',
      );
    }
    if (!props.subnet) {
      throw new ValidationError(
        this,
        'subnet',
        props.subnet,
        'azure cni places nodes in a subnet of your vnet: pass the node subnet',
      );
    }
    if (
      props.kubernetesVersion !== undefined &&
      !isUnresolved(props.kubernetesVersion) &&
      !K8S_VERSION.test(props.kubernetesVersion)
    ) {
      throw new ValidationError(
        this,
        'kubernetesVersion',
        props.kubernetesVersion,
        'allowed is a kubernetes version such as 1.33 or 1.33.2',
      );
    }
    validateOneOf(this, 'skuTier', props.skuTier, ['Free', 'Standard', 'Premium']);
    validateOneOf(this, 'networkPolicy', props.networkPolicy, ['azure', 'cilium', 'calico']);
    if (props.containerNetworkSecurity && (props.networkPolicy ?? 'cilium') !== 'cilium') {
      throw new ValidationError(
        this,
        'containerNetworkSecurity',
        props.containerNetworkSecurity,
        'container network security (FQDN filtering) needs networkPolicy "cilium"',
      );
    }
    validateOneOf(this, 'automaticUpgradeChannel', props.automaticUpgradeChannel, [
      'patch',
      'rapid',
      'node-image',
      'stable',
      'none',
    ]);
    validateOneOf(this, 'nodeOsUpgradeChannel', props.nodeOsUpgradeChannel, [
      'None',
      'Unmanaged',
      'SecurityPatch',
      'NodeImage',
    ]);
    validateOneOf(this, 'outboundType', props.outboundType, [
      'loadBalancer',
      'userDefinedRouting',
      'managedNATGateway',
      'userAssignedNATGateway',
    ]);
    this.validateZones('zones', props.zones);
    validateRange(this, 'imageCleanerIntervalHours', props.imageCleanerIntervalHours, 24, 2160, {
      unit: 'hours',
    });
    if (props.podCidr !== undefined) validateCidr(this, 'podCidr', props.podCidr);
    if (props.serviceCidr !== undefined) validateCidr(this, 'serviceCidr', props.serviceCidr);
    if (props.dnsServiceIp === undefined && isUnresolved(props.serviceCidr)) {
      throw new ValidationError(
        this,
        'dnsServiceIp',
        undefined,
        'serviceCidr is only known at apply time, so the dns address cannot be derived; set dnsServiceIp',
      );
    }
    if (props.dnsServiceIp !== undefined) {
      validateCidr(this, 'dnsServiceIp', props.dnsServiceIp, { allowBareIp: true });
      const cidr = props.serviceCidr ?? '172.16.0.0/16';
      if (
        !isUnresolved(props.dnsServiceIp) &&
        !isUnresolved(cidr) &&
        !inCidr(props.dnsServiceIp, cidr)
      ) {
        throw new ValidationError(
          this,
          'dnsServiceIp',
          props.dnsServiceIp,
          `the cluster dns address must lie inside serviceCidr ${cidr}`,
        );
      }
    }

    // API server exposure: exactly one of private cluster or authorized ranges, so the API
    // server is never open to the whole internet.
    const ranges = props.authorizedIpRanges ?? [];
    validateExclusive(
      this,
      'authorizedIpRanges',
      ranges.length > 0 ? ranges : undefined,
      'privateCluster: true (a private api server has no public ip to filter)',
      props.privateCluster === true,
    );
    if (props.privateCluster !== true && ranges.length === 0) {
      throw new ValidationError(
        this,
        'privateCluster',
        props.privateCluster,
        'a public api server needs authorizedIpRanges; set privateCluster: true or list the allowed cidrs',
      );
    }
    // A token list (a Terraform variable, a concat) is checked by Terraform, not here.
    if (!Token.isUnresolved(ranges)) {
      ranges.forEach((r, i) => validateCidr(this, `authorizedIpRanges[${i}]`, r));
    }
    if (props.privateCluster !== true && props.privateDnsZone !== undefined) {
      throw new ValidationError(
        this,
        'privateDnsZone',
        typeof props.privateDnsZone === 'string' ? props.privateDnsZone : props.privateDnsZone.name,
        'a private dns zone only applies with privateCluster: true',
      );
    }
    if (props.privateCluster !== true && entryCount(props.privateEndpoints) > 0) {
      throw new ValidationError(
        this,
        'privateEndpoints',
        entryCount(props.privateEndpoints),
        'private endpoints to the api server need privateCluster: true',
      );
    }

    const ids = props.managedIdentities;
    const userAssigned = ids?.userAssigned ?? [];
    if (userAssigned.length > 1 || (userAssigned.length === 1 && ids?.systemAssigned === true)) {
      throw new ValidationError(
        this,
        'managedIdentities',
        { systemAssigned: ids?.systemAssigned === true, userAssigned: userAssigned.length },
        'aks takes either a system-assigned identity or exactly one user-assigned identity',
      );
    }
    const controlPlane = userAssigned[0];
    if (props.kubeletIdentity && !controlPlane) {
      throw new ValidationError(
        this,
        'kubeletIdentity',
        props.kubeletIdentity.id,
        'a user-assigned kubelet identity needs a user-assigned control-plane identity (managedIdentities.userAssigned)',
      );
    }
    if (
      props.privateCluster === true &&
      typeof props.privateDnsZone === 'object' &&
      !controlPlane
    ) {
      throw new ValidationError(
        this,
        'privateDnsZone',
        props.privateDnsZone.name,
        'a custom private dns zone needs a user-assigned control-plane identity (managedIdentities.userAssigned)',
      );
    }
    if (props.serviceMesh) {
      const revisions = props.serviceMesh.revisions;
      if (revisions !== undefined) {
        if (revisions.length < 1 || revisions.length > 2) {
          throw new ValidationError(
            this,
            'serviceMesh.revisions',
            revisions,
            'allowed is one revision, or two during a canary upgrade',
          );
        }
        revisions.forEach((r, i) => {
          if (!isUnresolved(r) && !/^asm-\d+-\d+$/.test(r)) {
            throw new ValidationError(
              this,
              `serviceMesh.revisions[${i}]`,
              r,
              'an istio add-on revision looks like asm-1-29',
            );
          }
        });
      }
    }
    this.validateWindow('maintenanceWindowAutoUpgrade', props.maintenanceWindowAutoUpgrade);
    this.validateWindow('maintenanceWindowNodeOs', props.maintenanceWindowNodeOs);
    if (props.automaticUpgradeChannel === 'none' && props.maintenanceWindowAutoUpgrade) {
      throw new ValidationError(
        this,
        'maintenanceWindowAutoUpgrade',
        props.maintenanceWindowAutoUpgrade,
        'an upgrade window needs an automaticUpgradeChannel other than "none"',
      );
    }
    if (props.systemPool?.name !== undefined) {
      validateName(this, 'systemPool.name', props.systemPool.name, NamingRules.aksNodePool);
    }
    this.validatePool('systemPool', props.systemPool ?? {}, false);
    return controlPlane;
  }

  private validatePool(prefix: string, pool: NodePoolOptions, userPool: boolean): void {
    const minFloor = userPool ? 0 : 1;
    validateRange(this, `${prefix}.minCount`, pool.minCount, minFloor, 1000, { unit: 'nodes' });
    validateRange(this, `${prefix}.maxCount`, pool.maxCount, 1, 1000, { unit: 'nodes' });
    validateRange(this, `${prefix}.nodeCount`, pool.nodeCount, minFloor, 1000, { unit: 'nodes' });
    validateRange(this, `${prefix}.maxPods`, pool.maxPods, 10, 250, { unit: 'pods per node' });
    validateRange(this, `${prefix}.osDiskSizeGb`, pool.osDiskSizeGb, 30, 2048, { unit: 'GiB' });
    validateOneOf(this, `${prefix}.osSku`, pool.osSku, [
      'AzureLinux',
      'Ubuntu',
      'Ubuntu2204',
      'Ubuntu2404',
    ]);
    validateOneOf(this, `${prefix}.osDiskType`, pool.osDiskType, ['Ephemeral', 'Managed']);
    this.validateZones(`${prefix}.zones`, pool.zones);
    const autoScaling = pool.autoScaling ?? true;
    const min = pool.minCount ?? 3;
    const max = pool.maxCount ?? Math.max(6, min);
    if (autoScaling && min > max) {
      throw new ValidationError(
        this,
        `${prefix}.minCount`,
        min,
        `minCount must not exceed maxCount (${max})`,
      );
    }
    if (!autoScaling && (pool.minCount !== undefined || pool.maxCount !== undefined)) {
      throw new ValidationError(
        this,
        `${prefix}.autoScaling`,
        false,
        'minCount and maxCount only apply with autoScaling; set nodeCount instead',
      );
    }
    if (autoScaling && pool.nodeCount !== undefined) {
      throw new ValidationError(
        this,
        `${prefix}.nodeCount`,
        pool.nodeCount,
        'with autoScaling the autoscaler owns the node count; set minCount/maxCount or autoScaling: false',
      );
    }
    if (
      pool.maxSurge !== undefined &&
      !isUnresolved(pool.maxSurge) &&
      !/^(?:[1-9]\d*|(?:[1-9]\d?|100)%)$/.test(pool.maxSurge)
    ) {
      throw new ValidationError(
        this,
        `${prefix}.maxSurge`,
        pool.maxSurge,
        'allowed is a node count such as 1 or a percentage from 1% to 100%',
      );
    }
  }

  private validateZones(prop: string, zones: readonly string[] | undefined): void {
    if (zones === undefined) return;
    const bad = zones.some((z) => !ZONES.includes(z as AvailabilityZone));
    if (bad || new Set(zones).size !== zones.length) {
      throw new ValidationError(
        this,
        prop,
        zones,
        'allowed is a subset of "1", "2", "3" without repeats',
      );
    }
  }

  private validateWindow(prop: string, w: MaintenanceWindowOptions | undefined): void {
    if (!w) return;
    validateOneOf(this, `${prop}.frequency`, w.frequency, [
      'Daily',
      'Weekly',
      'AbsoluteMonthly',
      'RelativeMonthly',
    ]);
    validateRange(this, `${prop}.durationHours`, w.durationHours, 4, 24, { unit: 'hours' });
    // AKS bounds the recurrence per frequency: days 1–7, weeks 1–4, months 1–6.
    const maxInterval = { Daily: 7, Weekly: 4, AbsoluteMonthly: 6, RelativeMonthly: 6 };
    validateRange(this, `${prop}.interval`, w.interval, 1, maxInterval[w.frequency ?? 'Weekly']);
    validateRange(this, `${prop}.dayOfMonth`, w.dayOfMonth, 1, 31);
    validateOneOf(this, `${prop}.weekIndex`, w.weekIndex, [
      'First',
      'Second',
      'Third',
      'Fourth',
      'Last',
    ]);
    if (w.startTime !== undefined && !/^(?:[01]\d|2[0-3]):[0-5]\d$/.test(w.startTime)) {
      throw new ValidationError(this, `${prop}.startTime`, w.startTime, 'allowed is HH:mm');
    }
    if (w.utcOffset !== undefined && !/^[+-](?:0\d|1[0-4]):[0-5]\d$/.test(w.utcOffset)) {
      throw new ValidationError(
        this,
        `${prop}.utcOffset`,
        w.utcOffset,
        'allowed is +HH:mm or -HH:mm, e.g. +01:00',
      );
    }
  }

  /**
   * Role assignments AKS needs before it can manage its own network: the control-plane identity
   * joins nodes and load balancers to the subnet and registers the API server in a custom
   * private DNS zone. Only possible with a user-assigned identity, whose principal exists first.
   */
  private addPrerequisiteGrants(
    props: KubernetesClusterProps,
    dnsZone?: IPrivateDnsZone,
  ): RoleAssignment[] {
    const cp = this.controlPlaneIdentity;
    if (!cp) return [];
    const principal: IPrincipal = {
      principalId: cp.principalId,
      principalType: 'ServicePrincipal',
    };
    const grants: RoleAssignment[] = [
      grantRole(this, 'ControlPlaneSubnet', {
        scope: props.subnet.id,
        roleDefinitionName: 'Network Contributor',
        principal,
        description: `aks control plane of ${this.node.path} manages its node subnet`,
      }),
    ];
    if (props.kubeletIdentity) {
      grants.push(
        grantRole(this, 'ControlPlaneKubelet', {
          scope: props.kubeletIdentity.id,
          roleDefinitionName: 'Managed Identity Operator',
          principal,
          description: `aks control plane of ${this.node.path} assigns the kubelet identity`,
        }),
      );
    }
    if (dnsZone) {
      grants.push(
        grantRole(this, 'ControlPlaneDnsZone', {
          scope: dnsZone.id,
          roleDefinitionName: 'Private DNS Zone Contributor',
          principal,
          description: `aks control plane of ${this.node.path} registers its api server`,
        }),
      );
    }
    return grants;
  }

  /** The data collection rule Container Insights with managed-identity auth reads its config from. */
  private addContainerInsightsRule(workspace: ILogAnalyticsWorkspace, location: string): void {
    const rule = new MonitorDataCollectionRule(this, 'ContainerInsightsRule', {
      name: `MSCI-${location}-${this.props.name}`.slice(0, 64),
      location,
      resourceGroupName: this.props.resourceGroup.name,
      kind: 'Linux',
      description: `Container Insights for ${this.node.path}`,
      dataSources: {
        extension: [
          {
            name: 'ContainerInsightsExtension',
            extensionName: 'ContainerInsights',
            streams: ['Microsoft-ContainerInsights-Group-Default'],
            extensionJson: JSON.stringify({
              dataCollectionSettings: {
                interval: '1m',
                namespaceFilteringMode: 'Off',
                enableContainerLogV2: true,
              },
            }),
          },
        ],
      },
      destinations: { logAnalytics: [{ name: 'ciworkspace', workspaceResourceId: workspace.id }] },
      dataFlow: [
        {
          streams: ['Microsoft-ContainerInsights-Group-Default'],
          destinations: ['ciworkspace'],
        },
      ],
    });
    new MonitorDataCollectionRuleAssociation(this, 'ContainerInsightsRuleAssociation', {
      name: 'ContainerInsightsExtension',
      targetResourceId: this.id,
      dataCollectionRuleId: rule.id,
      description: 'Container Insights data collection for the cluster',
    });
  }
}

function poolSizing(
  pool: NodePoolOptions,
  clusterZones: readonly AvailabilityZone[] | undefined,
  clusterSubnet: ISubnet,
  userPool: boolean,
) {
  const autoScaling = pool.autoScaling ?? true;
  const min = pool.minCount ?? 3;
  const zones = pool.zones ?? clusterZones;
  return {
    vmSize: pool.vmSize ?? DEFAULT_VM_SIZE,
    autoScalingEnabled: autoScaling,
    minCount: autoScaling ? min : undefined,
    maxCount: autoScaling ? (pool.maxCount ?? Math.max(6, min)) : undefined,
    nodeCount: autoScaling ? undefined : (pool.nodeCount ?? (userPool ? 0 : 3)),
    maxPods: pool.maxPods ?? 110,
    zones: zones && zones.length > 0 ? [...zones] : undefined,
    vnetSubnetId: (pool.subnet ?? clusterSubnet).id,
    osSku: pool.osSku ?? 'AzureLinux',
    osDiskType: pool.osDiskType ?? 'Ephemeral',
    osDiskSizeGb: pool.osDiskSizeGb ?? 128,
    hostEncryptionEnabled: pool.hostEncryption ?? false,
    nodePublicIpEnabled: false,
    nodeLabels: pool.nodeLabels,
    orchestratorVersion: pool.orchestratorVersion,
    upgradeSettings: { maxSurge: pool.maxSurge ?? '33%' },
  };
}

function maintenanceWindow(w: MaintenanceWindowOptions | undefined, defaultDay: string) {
  const frequency = w?.frequency ?? 'Weekly';
  return {
    frequency,
    interval: w?.interval ?? 1,
    duration: w?.durationHours ?? 4,
    dayOfWeek:
      frequency === 'Weekly' || frequency === 'RelativeMonthly'
        ? (w?.dayOfWeek ?? defaultDay)
        : undefined,
    dayOfMonth: frequency === 'AbsoluteMonthly' ? (w?.dayOfMonth ?? 1) : undefined,
    weekIndex: frequency === 'RelativeMonthly' ? (w?.weekIndex ?? 'First') : undefined,
    startTime: w?.startTime ?? '01:00',
    utcOffset: w?.utcOffset ?? '+00:00',
    notAllowed: w?.notAllowed?.map((n) => ({ start: n.start, end: n.end })),
  };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const addr = ipToInt(ip);
  return addr >= start && addr < start + size;
}

function tenthAddress(cidr: string): string {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const n = Math.floor(ipToInt(base) / size) * size + 10;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
