import type { Construct } from 'constructs';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { keyedEntries, moveFromLegacyId } from './addresses';
import { ValidationError } from './errors';
import type { IPrivateDnsZone, IResourceGroup, ISubnet } from './interfaces';
import { isUnresolved } from './validation';

/**
 * Private endpoints by key, as Azure Verified Modules keys its `private_endpoints` map: the key
 * names the endpoint's construct id (`PrivateEndpoint-<key>`), so adding or removing one leaves
 * the others' Terraform addresses alone. Keys: 1–63 letters, digits, hyphens and underscores.
 *
 * @example
 * privateEndpoints: { vault: { subnet: endpoints, privateDnsZones: [vaultZone] } }
 */
export type PrivateEndpoints = Readonly<Record<string, PrivateEndpointProps>>;

/** A private endpoint for a resource (an entry of the AVM `privateEndpoints` map). */
export interface PrivateEndpointProps {
  /** Subnet the endpoint's network interface is placed in. */
  readonly subnet: ISubnet;
  /**
   * Private DNS zones the endpoint registers its records in (a private DNS zone group), so the
   * service's public name resolves to the private address inside the network.
   */
  readonly privateDnsZones: IPrivateDnsZone[];
  /**
   * Azure name of the endpoint; two endpoints of one resource need different names.
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
 * `PrivateEndpoint-<key>` of `scope`. Returns the endpoints by key.
 *
 * Until 2026-12 the endpoints were a list and their ids positions (`PrivateEndpoint<i>`); each
 * endpoint gets a `moved` block from the id its entry's position would have had, so a deployment
 * made then keeps its endpoints (see docs/adr/0012-brands-and-name-keyed-addresses.md).
 */
export function addPrivateEndpoints(
  scope: Construct,
  target: PrivateEndpointTarget,
  endpoints: PrivateEndpoints | undefined,
  defaultSubresource: string,
): Record<string, PrivateEndpoint> {
  const entries = keyedEntries(scope, 'privateEndpoints', endpoints);
  const names = new Map<string, string>();
  const created: Record<string, PrivateEndpoint> = {};
  entries.forEach(([key, pe], i) => {
    const prop = `privateEndpoints.${key}`;
    validateEndpoint(scope, prop, pe);
    const subresource = pe.subresource ?? defaultSubresource;
    const name = pe.name ?? `pe-${target.name}-${subresource.toLowerCase()}`;
    if (!isUnresolved(name)) {
      const other = names.get(name);
      if (other !== undefined) {
        throw new ValidationError(
          scope,
          `${prop}.name`,
          name,
          `a name no other endpoint of the resource has ("${other}" has it; set name on one of them)`,
        );
      }
      names.set(name, key);
    }
    const endpoint = new PrivateEndpoint(scope, `PrivateEndpoint-${key}`, {
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
    moveFromLegacyId(endpoint, `PrivateEndpoint${i}`);
    created[key] = endpoint;
  });
  return created;
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
