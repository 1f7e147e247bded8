import { testRule } from '../../testing';
import { productionNoDocumentationAddresses } from './production-no-documentation-addresses';

const PROD_RG = { 'azurerm_resource_group.rg': { name: 'rg', tags: { environment: 'prod' } } };
const DEV_RG = { 'azurerm_resource_group.rg': { name: 'rg', tags: { environment: 'dev' } } };
const RULE = 'azurerm_network_security_rule.r';
const rule = (source: string | string[]) => ({
  name: 'r1',
  priority: 100,
  direction: 'Inbound',
  access: 'Allow',
  protocol: 'Tcp',
  ...(Array.isArray(source)
    ? { source_address_prefixes: source }
    : { source_address_prefix: source }),
  destination_address_prefix: 'VirtualNetwork',
  destination_port_range: '443',
});
const aks = (ranges: unknown, environment = 'prod') => ({
  'azurerm_kubernetes_cluster.aks': {
    tags: { environment },
    api_server_access_profile: [{ authorized_ip_ranges: ranges }],
  },
});
const apim = (email: string) => ({
  'azurerm_api_management.apim': { tags: { environment: 'prod' }, publisher_email: email },
});
const actionGroup = (...emails: string[]) => ({
  'azurerm_monitor_action_group.ag': {
    tags: { environment: 'production' },
    email_receiver: emails.map((e, i) => ({ name: `r${i}`, email_address: e })),
  },
});

testRule(productionNoDocumentationAddresses, {
  compliant: [
    { ...PROD_RG, [RULE]: rule('10.50.11.0/27') },
    { ...PROD_RG, [RULE]: rule('Internet') },
    aks(['198.18.0.0/24', '20.50.1.7/32']),
    apim('iot-platform@contoso.com'),
    actionGroup('oncall@contoso.com', 'iot@examples.org'),
    {
      ...PROD_RG,
      'azurerm_key_vault.kv': { network_acls: [{ ip_rules: ['52.1.2.3'] }] },
    },
    {
      ...PROD_RG,
      'azurerm_postgresql_flexible_server_firewall_rule.fw': {
        start_ip_address: '52.1.2.3',
        end_ip_address: '52.1.2.9',
      },
    },
  ],
  nonCompliant: [
    // 1: the documentation range dev used to authorize, in prod
    aks(['203.0.113.0/24']),
    // 2: an NSG rule in a prod stack (resource group tagged prod) with TEST-NET-1
    { ...PROD_RG, [RULE]: rule(['10.0.0.0/8', '192.0.2.10']) },
    // 3: a supernet that contains TEST-NET-2
    { ...PROD_RG, [RULE]: rule('198.0.0.0/8') },
    // 4: the IPv6 documentation prefix
    { ...PROD_RG, [RULE]: rule('2001:db8:10::/48') },
    // 5, 6: example domains as publisher and alert receiver
    apim('iot-platform@example.com'),
    actionGroup('oncall@contoso.com', 'iot-platform-oncall@alerts.example.org'),
    // 7: a reserved TLD
    actionGroup('oncall@ops.test'),
    // 8: inline rules of an NSG
    {
      'azurerm_network_security_group.nsg': {
        tags: { environment: 'prod' },
        security_rule: [rule('198.51.100.0/24')],
      },
    },
    // 9: a service firewall
    {
      ...PROD_RG,
      'azurerm_storage_account.st': { network_rules: [{ ip_rules: ['203.0.113.5'] }] },
    },
  ],
  unknown: [
    // a deploy-time input: its variable's validation decides at plan time
    aks('${var.aks_authorized_ip_ranges}'),
    apim('${var.apim_publisher_email}'),
  ],
  notApplicable: [
    aks(['203.0.113.0/24'], 'dev'),
    { ...DEV_RG, [RULE]: rule('192.0.2.0/24') },
    { [RULE]: rule('192.0.2.0/24') },
    { ...PROD_RG, 'azurerm_key_vault.kv': { name: 'kv' } },
  ],
});
