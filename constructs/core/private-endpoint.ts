import type { Construct } from 'constructs';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import type { IPrivateDnsZone, IResourceGroup, ISubnet } from './interfaces';

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
