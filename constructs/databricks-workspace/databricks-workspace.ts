import { Construct } from 'constructs';
import { DatabricksWorkspace as AzDatabricksWorkspace } from '@cdktf/provider-azurerm/lib/databricks-workspace';
import { DatabricksAccessConnector } from '@cdktf/provider-azurerm/lib/databricks-access-connector';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  IKeyVaultKey,
  IPrincipal,
  ISubnet,
  IVirtualNetwork,
  ManagedIdentitiesProps,
} from '../core';
import {
  mapDiagnosticSettings,
  ValidationError,
  applyCommonInterfaces,
  grantRole,
  identityBlock,
  isUnresolved,
  validateName,
  validateOneOf,
} from '../core';

/** The sub-resources a Databricks workspace's private endpoints connect to. */
export const DATABRICKS_PRIVATE_ENDPOINT_SUBRESOURCES = [
  'databricks_ui_api',
  'browser_authentication',
] as const;

/** One of the two subnets a VNet-injected workspace's clusters run in. */
export interface DatabricksSubnet {
  /** The subnet, delegated to `Microsoft.Databricks/workspaces`. */
  readonly subnet: ISubnet;
  /**
   * The subnet's NSG association (`Network.networkSecurityGroupAssociations[name]`). Azure
   * requires an NSG on both subnets; taking the association orders the workspace after it.
   */
  readonly networkSecurityGroupAssociation: { readonly id: string };
}

/** Customer-managed keys for a workspace's managed services and managed disks. */
export interface DatabricksCustomerManagedKeyProps {
  /** The Key Vault key (RSA 2048+); its versioned id is used. */
  readonly key: IKeyVaultKey;
  /** The vault holding the key: the grants below are made on it (RBAC vault). */
  readonly keyVault: { readonly id: string };
  /**
   * The `AzureDatabricks` enterprise application of the tenant (application id
   * `2ff814a6-3304-4ab8-85cb-cd0e6f879c1d`; its object id differs per tenant:
   * `az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv`). It wraps and
   * unwraps the managed-services key, so it needs the key before the workspace is created.
   */
  readonly azureDatabricksPrincipal: IPrincipal;
  /**
   * Encrypt managed services (notebooks, queries, secrets in the control plane) with the key.
   * @default true
   */
  readonly managedServices?: boolean;
  /**
   * Encrypt the clusters' managed disks with the key (a disk encryption set the workspace
   * creates, whose identity is granted on the vault after creation); follows key rotation.
   * @default true
   */
  readonly managedDisks?: boolean;
}

/** Props of {@link DatabricksWorkspace}. */
export interface DatabricksWorkspaceProps extends AzureResourceProps {
  /** Workspace name: 3–64 letters, digits, underscores and hyphens. */
  readonly name: string;
  /** The VNet the clusters are injected into (it holds both subnets). */
  readonly virtualNetwork: IVirtualNetwork;
  /** The "public" (host) subnet; with secure cluster connectivity no node gets a public IP. */
  readonly hostSubnet: DatabricksSubnet;
  /** The "private" (container) subnet. */
  readonly containerSubnet: DatabricksSubnet;
  /**
   * Whether the workspace's web UI and REST API answer on the public internet.
   * @default false - users and deployers come in through the `databricks_ui_api` private
   * endpoint, and clusters reach the control plane through it too (`NoAzureDatabricksRules`)
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Name of the resource group Azure creates for the workspace's managed resources.
   * @default "<resource group name>-dbw-<name>"
   */
  readonly managedResourceGroupName?: string;
  /**
   * A second layer of encryption (platform keys) on the workspace's root storage; fixed at
   * creation.
   * @default true
   */
  readonly infrastructureEncryption?: boolean;
  /**
   * Customer-managed keys for managed services and managed disks.
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: DatabricksCustomerManagedKeyProps;
  /**
   * Name of the access connector (the managed identity Unity Catalog reaches storage and
   * services with).
   * @default "<name>-connector"
   */
  readonly accessConnectorName?: string;
  /**
   * Identities of the access connector.
   * @default { systemAssigned: true } - an identity that lives and dies with the connector
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
}

/** A Databricks workspace as other constructs take it. */
export interface IDatabricksWorkspace {
  /** Azure resource id. */
  readonly id: string;
  readonly name: string;
  /** `adb-<workspace id>.<n>.azuredatabricks.net` (no scheme). */
  readonly workspaceUrl: string;
  /** The access connector's resource id, for Unity Catalog credentials. */
  readonly accessConnectorId: string;
  /** The identity Unity Catalog acts as: grant it on storage and services. */
  readonly accessConnectorPrincipal: IPrincipal;
}

const CRYPTO_USER = 'Key Vault Crypto Service Encryption User';

/**
 * An Azure Databricks workspace, secure by default: Premium, clusters injected into two
 * delegated subnets of your VNet with secure cluster connectivity (no public IP on any node),
 * public network access off with the control plane reached through private endpoints
 * (`databricks_ui_api` front and back end, `browser_authentication` for SSO), infrastructure
 * encryption, optional customer-managed keys, and an access connector whose managed identity
 * Unity Catalog uses for storage and Event Hubs.
 *
 * @example
 * const dbw = new DatabricksWorkspace(this, 'Databricks', {
 *   name: 'dbw-iot-dev', resourceGroup: rg, virtualNetwork: network,
 *   hostSubnet: { subnet: network.subnet('databricks-host'), networkSecurityGroupAssociation: network.networkSecurityGroupAssociations['databricks-host'] },
 *   containerSubnet: { subnet: network.subnet('databricks-container'), networkSecurityGroupAssociation: network.networkSecurityGroupAssociations['databricks-container'] },
 *   privateEndpoints: { ui: { subnet: network.subnet('private-endpoints'), privateDnsZones: [network.dnsZone('databricks')] } },
 * });
 * lake.grantReadWrite(dbw.accessConnectorPrincipal);
 */
export class DatabricksWorkspace extends Construct implements IDatabricksWorkspace {
  public readonly id: string;
  public readonly name: string;
  public readonly workspaceUrl: string;
  public readonly accessConnectorId: string;
  public readonly accessConnectorPrincipal: IPrincipal;
  /** The `azurerm_databricks_workspace`. */
  public readonly resource: AzDatabricksWorkspace;
  /** The `azurerm_databricks_access_connector`. */
  public readonly accessConnector: DatabricksAccessConnector;
  /** Key Vault grants of the customer-managed key (the Databricks app's, the disk set's). */
  public readonly keyGrants: RoleAssignment[] = [];

  constructor(scope: Construct, id: string, props: DatabricksWorkspaceProps) {
    super(scope, id);
    this.validate(props);
    const location = props.location ?? props.resourceGroup.location;
    const publicAccess = props.publicNetworkAccess ?? false;

    const identities = props.managedIdentities ?? { systemAssigned: true };
    this.accessConnector = new DatabricksAccessConnector(this, 'AccessConnector', {
      name: props.accessConnectorName ?? `${props.name}-connector`,
      location,
      resourceGroupName: props.resourceGroup.name,
      identity: identityBlock(identities),
    });
    this.accessConnectorId = this.accessConnector.id;
    this.accessConnectorPrincipal =
      identities.systemAssigned === true
        ? {
            principalId: this.accessConnector.identity.principalId,
            principalType: 'ServicePrincipal',
          }
        : {
            principalId: identities.userAssigned![0].principalId,
            principalType: 'ServicePrincipal',
          };

    const cmk = props.customerManagedKey;
    const servicesKey = cmk && cmk.managedServices !== false ? cmk : undefined;
    const disksKey = cmk && cmk.managedDisks !== false ? cmk : undefined;
    if (cmk) {
      // The Databricks application wraps the managed-services key and sets up the disk
      // encryption set at creation: it needs the key before the workspace exists.
      this.keyGrants.push(
        grantRole(this, 'KeyAzureDatabricks', {
          scope: cmk.keyVault.id,
          roleDefinitionName: CRYPTO_USER,
          principal: cmk.azureDatabricksPrincipal,
          description: `customer-managed key of ${this.node.path} (AzureDatabricks application)`,
        }),
      );
    }

    this.resource = new AzDatabricksWorkspace(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      sku: 'premium',
      managedResourceGroupName:
        props.managedResourceGroupName ?? `${props.resourceGroup.name}-dbw-${props.name}`,
      publicNetworkAccessEnabled: publicAccess,
      // With the back-end private endpoint, clusters reach the control plane privately and
      // need no Azure Databricks NSG rules for it.
      networkSecurityGroupRulesRequired: publicAccess ? 'AllRules' : 'NoAzureDatabricksRules',
      infrastructureEncryptionEnabled: props.infrastructureEncryption ?? true,
      customParameters: {
        noPublicIp: true,
        virtualNetworkId: props.virtualNetwork.id,
        publicSubnetName: props.hostSubnet.subnet.name,
        privateSubnetName: props.containerSubnet.subnet.name,
        publicSubnetNetworkSecurityGroupAssociationId:
          props.hostSubnet.networkSecurityGroupAssociation.id,
        privateSubnetNetworkSecurityGroupAssociationId:
          props.containerSubnet.networkSecurityGroupAssociation.id,
      },
      managedServicesCmkKeyVaultKeyId: servicesKey?.key.id,
      managedDiskCmkKeyVaultKeyId: disksKey?.key.id,
      managedDiskCmkRotationToLatestVersionEnabled: disksKey ? true : undefined,
      dependsOn: this.keyGrants.length > 0 ? [...this.keyGrants] : undefined,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.workspaceUrl = this.resource.workspaceUrl;

    if (disksKey) {
      // The disk encryption set's identity exists only once the workspace does.
      this.keyGrants.push(
        grantRole(this, 'KeyManagedDisks', {
          scope: disksKey.keyVault.id,
          roleDefinitionName: CRYPTO_USER,
          principal: {
            principalId: this.resource.managedDiskIdentity.get(0).principalId,
            principalType: 'ServicePrincipal',
          },
          description: `customer-managed key of ${this.node.path} (managed disks)`,
        }),
      );
    }

    applyCommonInterfaces(
      this,
      this.resource,
      {
        ...props,
        // A workspace publishes logs only: asking for metrics fails the deployment.
        diagnosticSettings: mapDiagnosticSettings(props.diagnosticSettings, (d) => ({
          ...d,
          metricCategories: [],
        })),
      },
      { privateEndpointSubresource: 'databricks_ui_api' },
    );
  }

  private validate(props: DatabricksWorkspaceProps): void {
    validateName(this, 'name', props.name, {
      resource: 'databricks workspace',
      minLength: 3,
      maxLength: 64,
      pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
      patternDescription:
        'letters, digits, underscores and hyphens, starting with a letter or digit',
    });
    if (props.accessConnectorName !== undefined) {
      validateName(this, 'accessConnectorName', props.accessConnectorName, {
        resource: 'databricks access connector',
        minLength: 1,
        maxLength: 64,
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
        patternDescription: 'letters, digits, underscores, periods and hyphens',
      });
    }
    const host = props.hostSubnet.subnet.name;
    const container = props.containerSubnet.subnet.name;
    if (!isUnresolved(host) && !isUnresolved(container) && host === container) {
      throw new ValidationError(
        this,
        'containerSubnet',
        container,
        'a subnet other than hostSubnet: databricks needs two subnets',
      );
    }
    Object.entries(props.privateEndpoints ?? {}).forEach(([key, pe]) =>
      validateOneOf(
        this,
        `privateEndpoints.${key}.subresource`,
        pe.subresource,
        DATABRICKS_PRIVATE_ENDPOINT_SUBRESOURCES,
      ),
    );
    const ids = props.managedIdentities;
    if (ids && ids.systemAssigned !== true && (ids.userAssigned ?? []).length === 0) {
      throw new ValidationError(
        this,
        'managedIdentities',
        ids,
        'the access connector needs an identity: systemAssigned: true or at least one userAssigned',
      );
    }
    const cmk = props.customerManagedKey;
    if (cmk && cmk.managedServices === false && cmk.managedDisks === false) {
      throw new ValidationError(
        this,
        'customerManagedKey',
        { managedServices: false, managedDisks: false },
        'at least one of managedServices and managedDisks; leave customerManagedKey out for Microsoft-managed keys',
      );
    }
  }
}
