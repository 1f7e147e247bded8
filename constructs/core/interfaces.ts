/**
 * The small structural interfaces constructs take instead of id strings. The azurerm provider
 * classes satisfy them as they are (an `azurerm` `ResourceGroup` is an `IResourceGroup`), and so
 * do this library's constructs, so either can be passed.
 */

/** A resource group to create resources in. */
export interface IResourceGroup {
  readonly id: string;
  readonly name: string;
  readonly location: string;
}

/** A subnet, for private endpoints, VNet integration and node pools. */
export interface ISubnet {
  readonly id: string;
  readonly name: string;
}

/** A virtual network. */
export interface IVirtualNetwork {
  readonly id: string;
  readonly name: string;
}

/** A private DNS zone, e.g. `privatelink.vaultcore.azure.net`. */
export interface IPrivateDnsZone {
  readonly id: string;
  readonly name: string;
}

/** A Log Analytics workspace, the destination of diagnostic settings and Container Insights. */
export interface ILogAnalyticsWorkspace {
  readonly id: string;
}

/** Someone a role can be granted to: a managed identity, service principal, user or group. */
export interface IPrincipal {
  /** Object id of the principal in Entra ID. */
  readonly principalId: string;
  /**
   * Kind of principal. Setting it lets Azure skip the directory look-up that fails for
   * identities created moments earlier.
   * @default - Azure looks it up
   */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

/** A user-assigned managed identity (the azurerm `UserAssignedIdentity` satisfies it). */
export interface IUserAssignedIdentity {
  readonly id: string;
  readonly principalId: string;
  readonly clientId: string;
}

/** A Key Vault key, for customer-managed keys. */
export interface IKeyVaultKey {
  readonly id: string;
  /** The key id without version, so the service follows key rotation. */
  readonly versionlessId: string;
}
