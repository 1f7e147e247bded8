/**
 * Network security rules as data: the `Network` construct turns each entry into a rule of the
 * subnet's NSG, so the pattern (or an app team) can pass a service's required rules without
 * touching NSG resources.
 */
export interface NsgRule {
  /** Rule name, unique within the NSG. */
  readonly name: string;
  /**
   * Priority, 100–4095 (lower wins). 4096 is taken by the construct's `DenyInternetInbound`.
   */
  readonly priority: number;
  /** Traffic direction the rule matches. */
  readonly direction: 'Inbound' | 'Outbound';
  /** Whether matching traffic is allowed or denied. */
  readonly access: 'Allow' | 'Deny';
  /** Protocol. */
  readonly protocol: 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*';
  /**
   * Source address prefixes: CIDRs, IPs or service tags (`Internet`, `ApiManagement`, ...).
   * @default ["*"]
   */
  readonly sourceAddressPrefixes?: string[];
  /**
   * Source ports.
   * @default ["*"] - clients use ephemeral ports
   */
  readonly sourcePortRanges?: string[];
  /**
   * Destination address prefixes: CIDRs, IPs or service tags.
   * @default ["*"]
   */
  readonly destinationAddressPrefixes?: string[];
  /** Destination ports or ranges (`443`, `1433`, `8000-8100`, `*`). */
  readonly destinationPortRanges: string[];
  /**
   * Why the rule exists, shown in the portal.
   * @default - none
   */
  readonly description?: string;
}

/**
 * The NSG rules API Management needs in its subnet when injected into a VNet (classic Developer
 * and Premium tiers), from Azure's "virtual network configuration reference": the management
 * endpoint on 3443 from the `ApiManagement` service tag (without it deployment fails and the
 * service degrades), the load balancer's health probe on 6390, clients on 443 in External mode,
 * and the outbound dependencies (Storage, SQL, Key Vault, Azure Monitor). Priorities 100–199.
 */
export function apiManagementNsgRules(mode: 'External' | 'Internal'): NsgRule[] {
  const rules: NsgRule[] = [
    {
      name: 'AllowApimManagementInbound',
      priority: 100,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefixes: ['ApiManagement'],
      destinationAddressPrefixes: ['VirtualNetwork'],
      destinationPortRanges: ['3443'],
      description: 'management endpoint for the azure portal and powershell',
    },
    {
      name: 'AllowApimLoadBalancerInbound',
      priority: 110,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefixes: ['AzureLoadBalancer'],
      destinationAddressPrefixes: ['VirtualNetwork'],
      destinationPortRanges: ['6390'],
      description: 'azure infrastructure load balancer health probe',
    },
  ];
  if (mode === 'External') {
    rules.push({
      name: 'AllowApimClientsInbound',
      priority: 120,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefixes: ['Internet'],
      destinationAddressPrefixes: ['VirtualNetwork'],
      destinationPortRanges: ['443'],
      description: 'client traffic to the public gateway (external mode)',
    });
  }
  const outbound: Array<[string, string, string[]]> = [
    ['AllowApimStorageOutbound', 'Storage', ['443']],
    ['AllowApimSqlOutbound', 'Sql', ['1433']],
    ['AllowApimKeyVaultOutbound', 'AzureKeyVault', ['443']],
    ['AllowApimMonitorOutbound', 'AzureMonitor', ['1886', '443']],
  ];
  outbound.forEach(([name, tag, ports], i) =>
    rules.push({
      name,
      priority: 100 + i * 10,
      direction: 'Outbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefixes: ['VirtualNetwork'],
      destinationAddressPrefixes: [tag],
      destinationPortRanges: ports,
      description: `api management dependency on ${tag}`,
    }),
  );
  return rules;
}
