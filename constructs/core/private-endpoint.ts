import type { Construct } from 'constructs';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ValidationError } from './errors';
import type { IPrivateDnsZone, IResourceGroup, ISubnet } from './interfaces';
import { isUnresolved } from './validation';

/** A private endpoint for a resource (the AVM `privateEndpoints`). */
export interface PrivateEndpointProps {
  /** Subnet the endpoint's network interface is placed in. */
  readonly subnet: ISubnet;
  /**
   * Private DNS zones the endpoint registers its records in (a private DNS zone group), so the
   * service's public name resolves to the private address inside the network.
   */
  readonly privateDnsZones: IPrivateDnsZone[];
  /**
   * Name of the endpoint.
   * @default "pe-<resource name>-<subresource>"
   */
  readonly name?: string;
  /**
   * Sub-resource (group id) the endpoint connects to, e.g. `vault`, `registry`, `Sql`.
   * @default - the construct's main sub-resource
   */
  readonly subresource?: string;
  /**
   * Resource group of the endpoint.
   * @default - the resource's resource group
   */
  readonly resourceGroup?: IResourceGroup;
}

/** Where the target of a private endpoint lives. */
export interface PrivateEndpointTarget {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: IResourceGroup;
  readonly location: string;
}

/**
 * Creates a private endpoint with a private DNS zone group per entry, as children
 * `PrivateEndpoint<i>` of `scope`. Returns the endpoints.
 */
export function addPrivateEndpoints(
  scope: Construct,
  target: PrivateEndpointTarget,
  endpoints: readonly PrivateEndpointProps[] | undefined,
  defaultSubresource: string,
): PrivateEndpoint[] {
  return (endpoints ?? []).map((pe, i) => {
    validateEndpoint(scope, `privateEndpoints[${i}]`, pe);
    const subresource = pe.subresource ?? defaultSubresource;
    const name = pe.name ?? `pe-${target.name}-${subresource.toLowerCase()}`;
    return new PrivateEndpoint(scope, `PrivateEndpoint${i}`, {
      name,
      location: target.location,
      resourceGroupName: (pe.resourceGroup ?? target.resourceGroup).name,
      subnetId: pe.subnet.id,
      customNetworkInterfaceName: `${name}-nic`,
      privateServiceConnection: {
        name: `${name}-connection`,
        isManualConnection: false,
        privateConnectionResourceId: target.id,
        subresourceNames: [subresource],
      },
      privateDnsZoneGroup:
        pe.privateDnsZones.length > 0
          ? { name: 'default', privateDnsZoneIds: pe.privateDnsZones.map((z) => z.id) }
          : undefined,
    });
  });
}

/** Whether a value is a string that names nothing: empty or only whitespace. */
function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || (!isUnresolved(value) && value.trim() === '');
}

/**
 * Rejects an endpoint whose subnet id or one of whose private DNS zone ids is empty: Terraform
 * would only fail at plan (or Azure at apply), far from the line that caused it. Ids given as
 * tokens (resources created elsewhere) are Azure's to check.
 */
function validateEndpoint(scope: Construct, prop: string, pe: PrivateEndpointProps): void {
  if (isBlank(pe.subnet?.id)) {
    throw new ValidationError(
      scope,
      `${prop}.subnet.id`,
      pe.subnet?.id,
      'a subnet resource id (a subnet construct or "/subscriptions/.../subnets/<name>"), not empty',
    );
  }
  (pe.privateDnsZones ?? []).forEach((zone, j) => {
    if (isBlank(zone?.id)) {
      throw new ValidationError(
        scope,
        `${prop}.privateDnsZones[${j}].id`,
        zone?.id,
        'a private DNS zone resource id (a zone construct or "/subscriptions/.../privateDnsZones/<name>"), not empty',
      );
    }
  });
}
