import { Construct } from 'constructs';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import type {
  AzureResourceProps,
  IPrivateDnsZone,
  ISubnet,
  IVirtualNetwork,
  Ipv4Range,
} from '../core';
import {
  checkConstruct,
  entryCount,
  mapDiagnosticSettings,
  ValidationError,
  addDiagnosticSettings,
  applyCommonInterfaces,
  cidrContains,
  cidrsOverlap,
  isUnresolved,
  NamingRules,
  parseCidr,
  validateCidr,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';
import type { NsgRule } from './nsg-rules';
import type { PrivateDnsZoneKey } from './private-dns-zones';
import { PrivateDnsZones, privateDnsZoneName } from './private-dns-zones';

/**
 * Subnet delegations the platform uses, with the actions Azure records for each. The actions
 * must match Azure's exactly, or every plan shows a diff.
 */
export const SubnetDelegations = {
  'Microsoft.DBforPostgreSQL/flexibleServers': [
    'Microsoft.Network/virtualNetworks/subnets/join/action',
  ],
  'Microsoft.Web/serverFarms': ['Microsoft.Network/virtualNetworks/subnets/action'],
  'Microsoft.Web/hostingEnvironments': ['Microsoft.Network/virtualNetworks/subnets/action'],
  'Microsoft.ContainerInstance/containerGroups': [
    'Microsoft.Network/virtualNetworks/subnets/action',
  ],
  'Microsoft.Databricks/workspaces': [
    'Microsoft.Network/virtualNetworks/subnets/join/action',
    'Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action',
    'Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action',
  ],
} as const;

/** A service name of {@link SubnetDelegations}. */
export type SubnetDelegationService = keyof typeof SubnetDelegations;

/** Subnets Azure forbids an NSG on; the construct creates none for them. */
const NO_NSG_SUBNETS = [
  'GatewaySubnet',
  'AzureFirewallSubnet',
  'AzureFirewallManagementSubnet',
  'RouteServerSubnet',
];

/** One subnet of the network. */
export interface SubnetSpec {
  /** Subnet name, unique in the network; `subnet(name)` returns it. */
  readonly name: string;
  /** IPv4 CIDR inside the network's address space, overlapping no other subnet. */
  readonly addressPrefix: string;
  /**
   * Delegation of the subnet to one service: a well-known service name (its actions are filled
   * in) or a service with explicit actions.
   * @default - not delegated
   */
  readonly delegation?: SubnetDelegationService | { service: string; actions: string[] };
  /**
   * Service endpoints, e.g. `Microsoft.Storage`, `Microsoft.KeyVault`.
   * @default - none; private endpoints are the library's way in
   */
  readonly serviceEndpoints?: string[];
  /**
   * Network policies applied to private endpoints in the subnet.
   * @default "Enabled" - NSGs and route tables apply to private endpoints too
   */
  readonly privateEndpointNetworkPolicies?:
    | 'Enabled'
    | 'Disabled'
    | 'NetworkSecurityGroupEnabled'
    | 'RouteTableEnabled';
  /**
   * Rules of the subnet's NSG, in addition to Azure's defaults (allow VNet and load balancer
   * inbound, deny the rest) and the construct's `DenyInternetInbound` at priority 4096.
   * @default - none
   */
  readonly securityRules?: NsgRule[];
  /**
   * Whether the subnet gets an NSG at all.
   * @default true - except for GatewaySubnet, AzureFirewallSubnet, AzureFirewallManagementSubnet
   * and RouteServerSubnet, where Azure forbids one
   */
  readonly networkSecurityGroup?: boolean;
  /**
   * Azure's implicit default outbound internet access for VMs in the subnet.
   * @default false - outbound goes through an explicit path (NAT gateway, firewall, LB), as
   * Azure retires default outbound access
   */
  readonly defaultOutboundAccess?: boolean;
  /**
   * Route the subnet's outbound internet traffic through the network's NAT gateway (one
   * Standard NAT gateway with one static public IP, created when a subnet asks for it). Needed
   * where a service must reach the internet or Azure's public endpoints while default outbound
   * access is off, e.g. HDInsight with Private Link (its nodes reach the resource provider
   * outbound).
   * @default false - no outbound internet path besides what the subnet's other settings give
   */
  readonly natGateway?: boolean;
}

/** Props of {@link Network}. */
export interface NetworkProps extends AzureResourceProps {
  /** Virtual network name: 2–64 letters, digits, underscores, periods and hyphens. */
  readonly name: string;
  /** IPv4 address space of the VNet, e.g. `["10.20.0.0/16"]`. */
  readonly addressSpace: string[];
  /** The subnets, each with its own NSG. */
  readonly subnets: SubnetSpec[];
  /**
   * Private DNS zones to create and link to the VNet, by well-known key.
   * @default - none
   */
  readonly privateDnsZones?: PrivateDnsZoneKey[];
  /**
   * Resource group of the private DNS zones (hub-and-spoke setups keep them central).
   * @default - the network's resource group
   */
  readonly privateDnsZonesResourceGroup?: AzureResourceProps['resourceGroup'];
  /**
   * Custom DNS servers for the VNet.
   * @default - Azure-provided DNS, which resolves the linked private DNS zones
   */
  readonly dnsServers?: string[];
  /**
   * DDoS Network Protection plan to attach.
   * @default - none (Azure's infrastructure protection only)
   */
  readonly ddosProtectionPlanId?: string;
}

/** A virtual network as other constructs take it, with its subnets and DNS zones. */
export interface INetwork extends IVirtualNetwork {
  /** The subnet named `name`. */
  subnet(name: string): ISubnet;
  /** The private DNS zone created for `key`. */
  dnsZone(key: PrivateDnsZoneKey): IPrivateDnsZone;
}

/**
 * A virtual network whose subnets each get their own NSG (deny internet inbound by default,
 * custom rules as data), delegations and service endpoints, plus the private DNS zones each
 * private-link service needs, linked to the VNet. Address plans are checked: subnets must sit
 * inside the address space and must not overlap.
 *
 * @example
 * const network = new Network(this, 'Network', {
 *   name: 'vnet-iot-dev-weu', resourceGroup: rg, addressSpace: ['10.20.0.0/16'],
 *   subnets: [
 *     { name: 'aks-nodes', addressPrefix: '10.20.0.0/22' },
 *     { name: 'endpoints', addressPrefix: '10.20.8.0/24' },
 *     { name: 'postgres', addressPrefix: '10.20.9.0/28', delegation: 'Microsoft.DBforPostgreSQL/flexibleServers' },
 *   ],
 *   privateDnsZones: ['vault', 'registry', 'cosmosSql'],
 * });
 * network.subnet('endpoints'); network.dnsZone('vault');
 */
export class Network extends Construct implements INetwork {
  public readonly id: string;
  public readonly name: string;
  /** The `azurerm_virtual_network`. */
  public readonly resource: VirtualNetwork;
  /** Subnets by name. */
  public readonly subnets: Readonly<Record<string, Subnet>>;
  /** NSGs by subnet name (subnets without an NSG are absent). */
  public readonly networkSecurityGroups: Readonly<Record<string, NetworkSecurityGroup>>;
  /**
   * NSG associations by subnet name (subnets without an NSG are absent): services injected into
   * a subnet, such as Databricks, take the association so they are created after it.
   */
  public readonly networkSecurityGroupAssociations: Readonly<
    Record<string, SubnetNetworkSecurityGroupAssociation>
  >;
  /** Private DNS zones by key. */
  public readonly privateDnsZones: Readonly<Partial<Record<PrivateDnsZoneKey, PrivateDnsZone>>>;
  /** The NAT gateway, when a subnet asked for one (`natGateway: true`). */
  public readonly natGateway?: NatGateway;
  /** The NAT gateway's static public IP (what downstream allow lists see), when there is one. */
  public readonly natPublicIp?: PublicIp;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, checkConstruct(scope, id, props));
    validateName(this, 'name', props.name, NamingRules.virtualNetwork);
    if (entryCount(props.privateEndpoints) > 0) {
      throw new ValidationError(
        this,
        'privateEndpoints',
        `${entryCount(props.privateEndpoints)} endpoint(s)`,
        'a virtual network takes no private endpoint',
      );
    }
    const location = props.location ?? props.resourceGroup.location;
    this.validateAddressPlan(props);
    const zoneKeys = props.privateDnsZones ?? [];
    zoneKeys.forEach((k, i) =>
      validateOneOf(
        this,
        `privateDnsZones[${i}]`,
        k,
        Object.keys(PrivateDnsZones) as PrivateDnsZoneKey[],
      ),
    );
    if (new Set(zoneKeys).size !== zoneKeys.length) {
      throw new ValidationError(this, 'privateDnsZones', zoneKeys, 'each zone key at most once');
    }
    if (zoneKeys.includes('aks') && isUnresolved(location)) {
      throw new ValidationError(
        this,
        'location',
        '<token>',
        'the aks private dns zone is regional: pass location as a literal region such as "westeurope"',
      );
    }

    this.resource = new VirtualNetwork(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      addressSpace: props.addressSpace,
      dnsServers: props.dnsServers,
      ddosProtectionPlan: props.ddosProtectionPlanId
        ? { id: props.ddosProtectionPlanId, enable: true }
        : undefined,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;

    if (props.subnets.some((s) => s.natGateway === true)) {
      const nat = new Construct(this, 'NatGateway');
      this.natPublicIp = new PublicIp(nat, 'PublicIp', {
        name: `pip-${props.name}-nat`,
        location,
        resourceGroupName: props.resourceGroup.name,
        allocationMethod: 'Static',
        sku: 'Standard',
      });
      this.natGateway = new NatGateway(nat, 'Resource', {
        name: `ng-${props.name}`,
        location,
        resourceGroupName: props.resourceGroup.name,
        skuName: 'Standard',
        idleTimeoutInMinutes: 4,
      });
      new NatGatewayPublicIpAssociation(nat, 'PublicIpAssociation', {
        natGatewayId: this.natGateway.id,
        publicIpAddressId: this.natPublicIp.id,
      });
    }

    const subnets: Record<string, Subnet> = {};
    const nsgs: Record<string, NetworkSecurityGroup> = {};
    const associations: Record<string, SubnetNetworkSecurityGroupAssociation> = {};
    for (const spec of props.subnets) {
      const holder = new Construct(this, `Subnet-${spec.name}`);
      const subnet = new Subnet(holder, 'Resource', {
        name: spec.name,
        resourceGroupName: props.resourceGroup.name,
        virtualNetworkName: this.resource.name,
        addressPrefixes: [spec.addressPrefix],
        serviceEndpoints: spec.serviceEndpoints,
        privateEndpointNetworkPolicies: spec.privateEndpointNetworkPolicies ?? 'Enabled',
        defaultOutboundAccessEnabled: spec.defaultOutboundAccess ?? false,
        delegation: this.delegationBlock(spec),
      });
      subnets[spec.name] = subnet;
      if (spec.natGateway === true && this.natGateway) {
        new SubnetNatGatewayAssociation(holder, 'NatGatewayAssociation', {
          subnetId: subnet.id,
          natGatewayId: this.natGateway.id,
        });
      }
      const wantsNsg = spec.networkSecurityGroup ?? !NO_NSG_SUBNETS.includes(spec.name);
      if (!wantsNsg) continue;
      const nsg = new NetworkSecurityGroup(holder, 'Nsg', {
        name: `nsg-${props.name}-${spec.name}`,
        location,
        resourceGroupName: props.resourceGroup.name,
      });
      nsgs[spec.name] = nsg;
      for (const rule of [...(spec.securityRules ?? []), denyInternetInbound]) {
        new NetworkSecurityRule(holder, `Rule-${rule.name}`, {
          ...ruleFields(rule),
          networkSecurityGroupName: nsg.name,
          resourceGroupName: props.resourceGroup.name,
        });
      }
      associations[spec.name] = new SubnetNetworkSecurityGroupAssociation(
        holder,
        'NsgAssociation',
        { subnetId: subnet.id, networkSecurityGroupId: nsg.id },
      );
      // NSGs have flow-event logs but no metrics: sending AllMetrics would fail the deployment.
      addDiagnosticSettings(
        holder,
        nsg.id,
        mapDiagnosticSettings(props.diagnosticSettings, (d) => ({ ...d, metricCategories: [] })),
      );
    }
    this.subnets = subnets;
    this.networkSecurityGroups = nsgs;
    this.networkSecurityGroupAssociations = associations;

    const zones: Partial<Record<PrivateDnsZoneKey, PrivateDnsZone>> = {};
    const zoneRg = props.privateDnsZonesResourceGroup ?? props.resourceGroup;
    for (const key of zoneKeys) {
      // Azure region names in DNS are the short form: "West Europe" -> "westeurope".
      const zoneName = privateDnsZoneName(key, location.toLowerCase().replace(/\s+/g, ''));
      const holder = new Construct(this, `DnsZone-${key}`);
      const zone = new PrivateDnsZone(holder, 'Resource', {
        name: zoneName,
        resourceGroupName: zoneRg.name,
      });
      new PrivateDnsZoneVirtualNetworkLink(holder, 'Link', {
        name: `link-${props.name}`,
        privateDnsZoneName: zone.name,
        resourceGroupName: zoneRg.name,
        virtualNetworkId: this.resource.id,
        // Private endpoints register their records through DNS zone groups; VM auto-registration
        // would let any VM in the VNet write into a service's zone.
        registrationEnabled: false,
      });
      zones[key] = zone;
    }
    this.privateDnsZones = zones;

    applyCommonInterfaces(this, this.resource, props);
  }

  /** The subnet named `name`; throws a ValidationError naming it when there is none. */
  public subnet(name: string): ISubnet {
    const s = this.subnets[name];
    if (!s) {
      throw new ValidationError(
        this,
        'subnet',
        name,
        `known subnets are ${Object.keys(this.subnets)
          .map((n) => JSON.stringify(n))
          .join(', ')}`,
      );
    }
    return s;
  }

  /** The private DNS zone of `key`; throws a ValidationError when it was not asked for. */
  public dnsZone(key: PrivateDnsZoneKey): IPrivateDnsZone {
    const z = this.privateDnsZones[key];
    if (!z) {
      throw new ValidationError(
        this,
        'dnsZone',
        key,
        `add it to privateDnsZones; created zones are ${
          Object.keys(this.privateDnsZones)
            .map((n) => JSON.stringify(n))
            .join(', ') || 'none'
        }`,
      );
    }
    return z;
  }

  private validateAddressPlan(props: NetworkProps): void {
    if (props.addressSpace.length === 0) {
      throw new ValidationError(this, 'addressSpace', [], 'at least one ipv4 cidr');
    }
    props.addressSpace.forEach((c, i) => validateCidr(this, `addressSpace[${i}]`, c));
    const spaces = props.addressSpace.map(parseCidr).filter((r): r is Ipv4Range => !!r);
    const seen: Array<{ name: string; range: Ipv4Range }> = [];
    const names = new Set<string>();
    props.subnets.forEach((s, i) => {
      const at = `subnets[${i}]`;
      validateName(this, `${at}.name`, s.name, NamingRules.subnet);
      if (names.has(s.name)) {
        throw new ValidationError(this, `${at}.name`, s.name, 'subnet names must be unique');
      }
      names.add(s.name);
      validateCidr(this, `${at}.addressPrefix`, s.addressPrefix);
      validateOneOf(
        this,
        `${at}.privateEndpointNetworkPolicies`,
        s.privateEndpointNetworkPolicies,
        ['Enabled', 'Disabled', 'NetworkSecurityGroupEnabled', 'RouteTableEnabled'],
      );
      (s.serviceEndpoints ?? []).forEach((e, j) => {
        if (!isUnresolved(e) && !/^Microsoft\.[A-Za-z]+(\.[A-Za-z]+)?$/.test(e)) {
          throw new ValidationError(
            this,
            `${at}.serviceEndpoints[${j}]`,
            e,
            'a service endpoint such as "Microsoft.Storage" or "Microsoft.KeyVault"',
          );
        }
      });
      if (typeof s.delegation === 'string' && !(s.delegation in SubnetDelegations)) {
        throw new ValidationError(
          this,
          `${at}.delegation`,
          s.delegation,
          `a well-known service (${Object.keys(SubnetDelegations).join(', ')}) or { service, actions }`,
        );
      }
      if (s.networkSecurityGroup === true && NO_NSG_SUBNETS.includes(s.name)) {
        throw new ValidationError(
          this,
          `${at}.networkSecurityGroup`,
          true,
          `azure forbids an nsg on ${s.name}`,
        );
      }
      this.validateRules(`${at}.securityRules`, s.securityRules ?? []);
      const range = parseCidr(s.addressPrefix);
      if (!range || spaces.length !== props.addressSpace.length) return;
      if (!spaces.some((sp) => cidrContains(sp, range))) {
        throw new ValidationError(
          this,
          `${at}.addressPrefix`,
          s.addressPrefix,
          `a range inside the address space ${props.addressSpace.join(', ')}`,
        );
      }
      const clash = seen.find((o) => cidrsOverlap(o.range, range));
      if (clash) {
        throw new ValidationError(
          this,
          `${at}.addressPrefix`,
          s.addressPrefix,
          `a range that does not overlap subnet "${clash.name}" (${clash.range.cidr})`,
        );
      }
      seen.push({ name: s.name, range });
    });
  }

  private validateRules(at: string, rules: readonly NsgRule[]): void {
    const names = new Set<string>();
    const priorities = new Set<string>();
    rules.forEach((r, i) => {
      const p = `${at}[${i}]`;
      validateName(this, `${p}.name`, r.name, NamingRules.generic);
      if (names.has(r.name) || r.name === denyInternetInbound.name) {
        throw new ValidationError(
          this,
          `${p}.name`,
          r.name,
          'rule names must be unique in the nsg',
        );
      }
      names.add(r.name);
      validateRange(this, `${p}.priority`, r.priority, 100, 4095);
      const key = `${r.direction}/${r.priority}`;
      if (priorities.has(key)) {
        throw new ValidationError(
          this,
          `${p}.priority`,
          r.priority,
          `a priority no other ${r.direction.toLowerCase()} rule uses`,
        );
      }
      priorities.add(key);
      validateOneOf(this, `${p}.direction`, r.direction, ['Inbound', 'Outbound']);
      validateOneOf(this, `${p}.access`, r.access, ['Allow', 'Deny']);
      validateOneOf(this, `${p}.protocol`, r.protocol, ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*']);
      if (r.destinationPortRanges.length === 0) {
        throw new ValidationError(
          this,
          `${p}.destinationPortRanges`,
          [],
          'at least one port or "*"',
        );
      }
      r.destinationPortRanges.forEach((port, j) => {
        if (!/^(\*|\d{1,5}(-\d{1,5})?)$/.test(port)) {
          throw new ValidationError(
            this,
            `${p}.destinationPortRanges[${j}]`,
            port,
            'a port, a range such as "8000-8100", or "*"',
          );
        }
      });
      for (const field of ['sourceAddressPrefixes', 'destinationAddressPrefixes'] as const) {
        const prefixes = r[field] ?? [];
        // Azure accepts service tags (and "*") only as a single prefix, not in a list.
        if (prefixes.length > 1 && prefixes.some((x) => !/^[\d./]+$/.test(x))) {
          throw new ValidationError(
            this,
            `${p}.${field}`,
            prefixes,
            'a service tag or "*" must be the only prefix; lists take ip addresses and cidrs',
          );
        }
      }
    });
  }

  private delegationBlock(spec: SubnetSpec) {
    if (!spec.delegation) return undefined;
    const { service, actions } =
      typeof spec.delegation === 'string'
        ? { service: spec.delegation, actions: [...SubnetDelegations[spec.delegation]] }
        : spec.delegation;
    return [{ name: 'delegation', serviceDelegation: { name: service, actions } }];
  }
}

/**
 * Explicit deny of internet inbound at the lowest custom priority: Azure's defaults already deny
 * it, but an explicit rule survives someone adding a broad allow above 4096 by accident and shows
 * auditors the intent in the NSG itself.
 */
const denyInternetInbound: NsgRule = {
  name: 'DenyInternetInbound',
  priority: 4096,
  direction: 'Inbound',
  access: 'Deny',
  protocol: '*',
  sourceAddressPrefixes: ['Internet'],
  destinationAddressPrefixes: ['*'],
  destinationPortRanges: ['*'],
  description: 'deny by default: only rules above open inbound paths from the internet',
};

function ruleFields(rule: NsgRule) {
  // Terraform has a singular and a plural field for each; a single entry goes in the singular
  // one because Azure takes service tags and "*" only there.
  const one = (list: string[]) => list.length === 1;
  const orAny = (list: string[] | undefined) => (list && list.length > 0 ? list : ['*']);
  const src = orAny(rule.sourceAddressPrefixes);
  const dst = orAny(rule.destinationAddressPrefixes);
  const sport = orAny(rule.sourcePortRanges);
  const dport = rule.destinationPortRanges;
  return {
    name: rule.name,
    priority: rule.priority,
    direction: rule.direction,
    access: rule.access,
    protocol: rule.protocol,
    description: rule.description,
    sourceAddressPrefix: one(src) ? src[0] : undefined,
    sourceAddressPrefixes: one(src) ? undefined : src,
    destinationAddressPrefix: one(dst) ? dst[0] : undefined,
    destinationAddressPrefixes: one(dst) ? undefined : dst,
    sourcePortRange: one(sport) ? sport[0] : undefined,
    sourcePortRanges: one(sport) ? undefined : sport,
    destinationPortRange: one(dport) ? dport[0] : undefined,
    destinationPortRanges: one(dport) ? undefined : dport,
  };
}
