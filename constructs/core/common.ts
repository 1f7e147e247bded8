import type { Construct } from 'constructs';
import type { DiagnosticSettings } from './diagnostics';
import { addDiagnosticSettings } from './diagnostics';
import type { IKeyVaultKey, IResourceGroup, IUserAssignedIdentity } from './interfaces';
import type { LockProps } from './lock';
import { addLock } from './lock';
import type { PrivateEndpoints } from './private-endpoint';
import { addPrivateEndpoints } from './private-endpoint';
import { Tags } from './tags';

/** The props every service construct shares (the Azure Verified Modules interface set). */
export interface AzureResourceProps {
  /** Resource group the resources are created in. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Azure region.
   * @default - the resource group's location
   */
  readonly location?: string;
  /**
   * Tags for every taggable resource the construct creates; tags set on an inner construct or
   * directly on a resource win.
   * @default - none
   */
  readonly tags?: Record<string, string>;
  /**
   * Management lock on the main resource.
   * @default - no lock
   */
  readonly lock?: LockProps;
  /**
   * Diagnostic settings sending all logs and metrics to Log Analytics, keyed by a name that
   * fixes each one's Terraform address (`{ law: { workspace } }`).
   * @default - none; the platform pattern always sets one
   */
  readonly diagnosticSettings?: DiagnosticSettings;
  /**
   * Private endpoints, each with a private DNS zone group, keyed by a name that fixes each
   * one's Terraform address (`{ vault: { subnet, privateDnsZones: [zone] } }`).
   * @default - none
   */
  readonly privateEndpoints?: PrivateEndpoints;
}

/** A customer-managed key for encryption at rest (the AVM `customerManagedKey`). */
export interface CustomerManagedKeyProps {
  /** The Key Vault key; its versionless id is used so rotation needs no redeploy. */
  readonly key: IKeyVaultKey;
  /** Identity the service uses to reach the key; it needs `Key Vault Crypto Service Encryption User`. */
  readonly identity: IUserAssignedIdentity;
}

/** The main resource of a construct, as the shared interfaces need it. */
export interface MainResource {
  readonly id: string;
  readonly name: string;
}

/**
 * Applies tags, lock, diagnostic settings and private endpoints of `props` to a construct's main
 * resource. Service constructs call it once, after creating the resource.
 */
export function applyCommonInterfaces(
  scope: Construct,
  resource: MainResource,
  props: AzureResourceProps,
  opts: { privateEndpointSubresource?: string; diagnostics?: boolean } = {},
): void {
  if (props.tags) Tags.add(scope, props.tags);
  addLock(scope, resource.id, props.lock);
  if (opts.diagnostics !== false)
    addDiagnosticSettings(scope, resource.id, props.diagnosticSettings);
  if (opts.privateEndpointSubresource !== undefined) {
    addPrivateEndpoints(
      scope,
      {
        id: resource.id,
        name: resource.name,
        resourceGroup: props.resourceGroup,
        location: props.location ?? props.resourceGroup.location,
      },
      props.privateEndpoints,
      opts.privateEndpointSubresource,
    );
  }
}
