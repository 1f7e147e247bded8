import { TerraformOutput, Testing } from 'cdktf';
import type { TerraformStack } from 'cdktf';
import { ApiManagement as AzApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { ApiManagementBackend } from '@cdktf/provider-azurerm/lib/api-management-backend';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { ApiManagementProduct } from '@cdktf/provider-azurerm/lib/api-management-product';
import { ApiManagementProductApi } from '@cdktf/provider-azurerm/lib/api-management-product-api';
import { ApiManagementSubscription } from '@cdktf/provider-azurerm/lib/api-management-subscription';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { testScope } from '../../test/construct-helpers';
import { ApiManagement } from './api-management';
import type { ApiManagementProps, IApiManagement } from './api-management';

function make(props: Partial<ApiManagementProps> = {}) {
  const { stack, rg } = testScope();
  const apim = new ApiManagement(stack, 'Apim', {
    name: 'apim-iot-test',
    resourceGroup: rg,
    publisherName: 'Contoso IoT',
    publisherEmail: 'iot@contoso.com',
    ...props,
  });
  return { stack, apim, out: () => Testing.synth(stack) };
}

const openApiJson = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'telemetry', version: '1' },
  paths: { '/readings': { post: { responses: { '202': { description: 'accepted' } } } } },
});
const openApiYaml = `openapi: 3.0.3
info:
  title: telemetry
  version: "1"
paths: {}
`;

type Json = Record<string, Record<string, Record<string, unknown>>>;
const resources = (out: string, type: string) =>
  Object.values((JSON.parse(out) as { resource: Json }).resource[type] ?? {});

function outputValue(stack: TerraformStack, value: string): string {
  const id = `probe${stack.node.children.length}`;
  new TerraformOutput(stack, id, { value });
  return (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> }).output[
    id
  ].value;
}

describe('ApiManagement', () => {
  it('hardens protocols and ciphers: no ssl 3, tls 1.0/1.1, 3des or weak suites on either side', () => {
    const out = make().out();
    const security = (resources(out, 'azurerm_api_management')[0] as { security: object }).security;
    expect(Object.keys(security).length).toBeGreaterThanOrEqual(17);
    for (const [k, v] of Object.entries(security)) expect([k, v]).toEqual([k, false]);
    expect(security).toMatchObject({
      frontend_ssl30_enabled: false,
      frontend_tls10_enabled: false,
      frontend_tls11_enabled: false,
      backend_ssl30_enabled: false,
      backend_tls10_enabled: false,
      backend_tls11_enabled: false,
      triple_des_ciphers_enabled: false,
      tls_rsa_with_aes128_gcm_sha256_ciphers_enabled: false,
      tls_ecdhe_rsa_with_aes256_cbc_sha_ciphers_enabled: false,
    });
  });

  it('defaults to developer_1 with a system identity, a current min api version and no tenant access', () => {
    expect(make().out()).toHaveResourceWithProperties(AzApiManagement, {
      sku_name: 'Developer_1',
      publisher_name: 'Contoso IoT',
      publisher_email: 'iot@contoso.com',
      identity: { type: 'SystemAssigned' },
      min_api_version: '2021-08-01',
      virtual_network_type: 'None',
      public_network_access_enabled: true,
      protocols: { http2_enabled: true },
      tenant_access: { enabled: false },
    });
  });

  it('turns back on only the legacy ciphers asked for', () => {
    const out = make({ legacyCiphers: ['TLS_RSA_WITH_AES_128_GCM_SHA256'] }).out();
    expect(out).toHaveResourceWithProperties(AzApiManagement, {
      security: expect.objectContaining({
        tls_rsa_with_aes128_gcm_sha256_ciphers_enabled: true,
        tls_rsa_with_aes256_gcm_sha384_ciphers_enabled: false,
        triple_des_ciphers_enabled: false,
      }),
    });
  });

  it('runs premium across zones, injected into a vnet subnet', () => {
    const out = make({
      sku: 'Premium',
      capacity: 3,
      zones: ['1', '2', '3'],
      virtualNetwork: { type: 'Internal', subnet: { id: 'snet-apim', name: 'apim' } },
    }).out();
    expect(out).toHaveResourceWithProperties(AzApiManagement, {
      sku_name: 'Premium_3',
      zones: ['1', '2', '3'],
      virtual_network_type: 'Internal',
      virtual_network_configuration: { subnet_id: 'snet-apim' },
    });
  });

  it('takes a gateway private endpoint and can then turn public access off', () => {
    const out = make({
      sku: 'StandardV2',
      publicNetworkAccess: false,
      privateEndpoints: {
        main: {
          subnet: { id: 'snet-pe', name: 'endpoints' },
          privateDnsZones: [{ id: 'zone', name: 'privatelink.azure-api.net' }],
        },
      },
    }).out();
    expect(out).toHaveResourceWithProperties(AzApiManagement, {
      sku_name: 'StandardV2_1',
      public_network_access_enabled: false,
    });
    expect(resources(out, 'azurerm_api_management')[0].tenant_access).toBeUndefined();
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({ subresource_names: ['Gateway'] }),
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone'] },
    });
  });

  it('sends diagnostics, takes a lock and tags its children', () => {
    const { apim, out } = make({
      diagnosticSettings: { law: { workspace: { id: 'law' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    apim.addNamedValue({ name: 'region', value: 'westeurope' });
    const s = out();
    expect(s).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      log_analytics_workspace_id: 'law',
      target_resource_id: expect.stringMatching(/azurerm_api_management\.Apim_/),
    });
    expect(s).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    expect(s).toHaveResourceWithProperties(AzApiManagement, { tags: { env: 'test' } });
  });

  it('exposes the gateway url and the system identity as a principal', () => {
    const { stack, apim } = make();
    expect(apim.principal?.principalType).toBe('ServicePrincipal');
    expect(outputValue(stack, apim.gatewayUrl)).toMatch(
      /^\$\{azurerm_api_management\.Apim_[0-9A-F]+\.gateway_url\}$/,
    );
    expect(outputValue(stack, apim.principal!.principalId)).toMatch(
      /^\$\{azurerm_api_management\.Apim_[0-9A-F]+\.identity\[0\]\.principal_id\}$/,
    );
    const userOnly = make({
      managedIdentities: { userAssigned: [{ id: 'u', principalId: 'p', clientId: 'c' }] },
    });
    expect(userOnly.apim.principal).toBeUndefined();
    expect(userOnly.out()).toHaveResourceWithProperties(AzApiManagement, {
      identity: { type: 'UserAssigned', identity_ids: ['u'] },
    });
  });

  describe('addApi', () => {
    it('imports json and yaml openapi documents and links, https only, subscription required', () => {
      const { apim, out } = make();
      apim.addApi({ name: 'telemetry', path: 'telemetry/v1', openApiDocument: openApiJson });
      apim.addApi({ name: 'admin', path: 'admin', openApiDocument: openApiYaml });
      apim.addApi({
        name: 'linked',
        path: 'linked',
        openApiDocument: 'https://example.com/spec.json',
      });
      apim.addApi({
        name: 'swagger',
        path: 'swagger',
        openApiDocument: JSON.stringify({ swagger: '2.0', info: {}, paths: {} }),
      });
      const s = out();
      expect(s).toHaveResourceWithProperties(ApiManagementApi, {
        name: 'telemetry',
        path: 'telemetry/v1',
        protocols: ['https'],
        subscription_required: true,
        revision: '1',
        import: { content_format: 'openapi+json', content_value: openApiJson },
      });
      const formats = Object.fromEntries(
        resources(s, 'azurerm_api_management_api').map((a) => [
          a.name,
          (a.import as { content_format: string }).content_format,
        ]),
      );
      expect(formats).toEqual({
        telemetry: 'openapi+json',
        admin: 'openapi',
        linked: 'openapi+json-link',
        swagger: 'swagger-json',
      });
    });

    it('routes to a backend through a set-backend-service policy', () => {
      const { apim, out } = make();
      const backend = apim.addBackend({ name: 'ingest', url: 'https://ingest.iot.internal' });
      apim.addApi({ name: 'telemetry', path: 'telemetry', openApiDocument: openApiJson, backend });
      expect(out()).toHaveResourceWithProperties(ApiManagementApiPolicy, {
        xml_content: expect.stringMatching(
          /<set-backend-service backend-id="\$\{azurerm_api_management_backend\.Apim_Backend-ingest_[0-9A-F]+\.name\}" \/>/,
        ),
      });
    });

    it.each<[string, object, RegExp]>([
      [
        'http link',
        { openApiDocument: 'http://example.com/spec.json' },
        /openApiDocument "http:\/\/example.com\/spec.json": a link must use https/,
      ],
      [
        'broken json',
        { openApiDocument: '{"openapi": ' },
        /invalid addApi\(api\)\.openApiDocument .*: valid json \(/,
      ],
      ['not openapi', { openApiDocument: 'hello: world' }, /an openapi document \(json or yaml/],
      [
        'http protocol',
        { protocols: ['http'] },
        /invalid addApi\(api\).protocols\[0\] "http": allowed values are "https", "wss"/,
      ],
      [
        'path',
        { path: '/leading' },
        /invalid addApi\(api\).path "\/leading": a relative url suffix/,
      ],
      ['name', { name: 'bad name' }, /invalid addApi\(bad name\).name "bad name"/],
    ])('rejects a bad %s', (_what, opts, message) => {
      const { apim } = make();
      expect(() =>
        apim.addApi({ name: 'api', path: 'api', openApiDocument: openApiJson, ...opts }),
      ).toThrow(message);
    });
  });

  it('renders the policy options into the api policy, with or without a backend', () => {
    const { apim, out } = make();
    apim.addApi({
      name: 'telemetry',
      path: 'telemetry',
      openApiDocument: openApiJson,
      policy: { rateLimit: { calls: 10, periodSeconds: 1 }, maxRequestBodyBytes: 1024 },
    });
    const xml = (
      resources(out(), 'azurerm_api_management_api_policy')[0] as { xml_content: string }
    ).xml_content;
    expect(xml).toContain('counter-key="@(context.Subscription.Id)"');
    expect(xml).toContain('&gt; 1024)');
    expect(xml).not.toContain('set-backend-service');
  });

  it('rejects a bad policy with the api in the path', () => {
    const { apim } = make();
    expect(() =>
      apim.addApi({
        name: 'telemetry',
        path: 'telemetry',
        openApiDocument: openApiJson,
        policy: { quota: { calls: 1, periodSeconds: 0 } },
      }),
    ).toThrow(/invalid addApi\(telemetry\).policy.quota.periodSeconds 0/);
  });

  describe('addProduct', () => {
    it('requires subscription and approval by default and links its apis', () => {
      const { apim, out } = make();
      const api = apim.addApi({
        name: 'telemetry',
        path: 'telemetry',
        openApiDocument: openApiJson,
      });
      apim.addProduct({ id: 'devices', displayName: 'Devices', apis: [api] });
      const s = out();
      expect(s).toHaveResourceWithProperties(ApiManagementProduct, {
        product_id: 'devices',
        display_name: 'Devices',
        subscription_required: true,
        approval_required: true,
        published: true,
      });
      expect(s).toHaveResourceWithProperties(ApiManagementProductApi, {
        api_name: expect.stringMatching(
          /azurerm_api_management_api\.Apim_Api-telemetry_[0-9A-F]+\.name/,
        ),
        product_id: expect.stringMatching(/azurerm_api_management_product/),
      });
    });

    it('rejects approval without subscriptions', () => {
      const { apim } = make();
      expect(() =>
        apim.addProduct({
          id: 'open',
          displayName: 'Open',
          subscriptionRequired: false,
          approvalRequired: true,
        }),
      ).toThrow(
        /invalid addProduct\(open\).approvalRequired true: approval applies only with subscriptionRequired: true/,
      );
    });
  });

  describe('addSubscription', () => {
    it('adds an active subscription to the product, tracing off', () => {
      const { apim, out } = make();
      const product = apim.addProduct({ id: 'devices', displayName: 'Devices' });
      apim.addSubscription({ name: 'fleet', displayName: 'Device fleet', product });
      expect(out()).toHaveResourceWithProperties(ApiManagementSubscription, {
        subscription_id: 'fleet',
        display_name: 'Device fleet',
        product_id: expect.stringMatching(
          /azurerm_api_management_product\.Apim_Product-devices_[0-9A-F]+\.id/,
        ),
        state: 'active',
        allow_tracing: false,
      });
    });

    it('rejects an unknown state', () => {
      const { apim } = make();
      const product = apim.addProduct({ id: 'devices', displayName: 'Devices' });
      expect(() =>
        apim.addSubscription({
          name: 'fleet',
          displayName: 'Fleet',
          product,
          state: 'open' as 'active',
        }),
      ).toThrow(/invalid addSubscription\(fleet\).state "open"/);
    });
  });

  describe('trustedRootCertificates', () => {
    it('installs them in the root store so private backends validate', () => {
      const out = make({ trustedRootCertificates: ['MIIBszCCAVmgAwIBAgIU'] }).out();
      expect(out).toHaveResourceWithProperties(AzApiManagement, {
        certificate: [{ encoded_certificate: 'MIIBszCCAVmgAwIBAgIU', store_name: 'Root' }],
      });
    });

    it('rejects pem text and v2 tiers', () => {
      expect(() => make({ trustedRootCertificates: ['-----BEGIN CERTIFICATE-----'] })).toThrow(
        /invalid trustedRootCertificates\[0\] .*: a base64-encoded der certificate/,
      );
      expect(() => make({ sku: 'StandardV2', trustedRootCertificates: ['MIIB'] })).toThrow(
        /invalid trustedRootCertificates .*need a classic tier/,
      );
    });
  });

  describe('addNamedValue', () => {
    it('reads secrets from key vault through the identity and never holds a literal', () => {
      const { apim, out, stack } = make();
      const secret = new KeyVaultSecret(stack, 'Secret', {
        name: 'ingest-key',
        keyVaultId: 'kv',
        value: '${random_password.x.result}',
      });
      apim.addNamedValue({ name: 'ingest-key', keyVaultSecretId: secret.versionlessId });
      apim.addNamedValue({
        name: 'literal-id',
        keyVaultSecretId: 'https://kv-iot.vault.azure.net/secrets/other',
        identityClientId: 'client-1',
      });
      apim.addNamedValue({ name: 'region', value: 'westeurope' });
      const s = out();
      expect(s).toHaveResourceWithProperties(ApiManagementNamedValue, {
        name: 'ingest-key',
        secret: true,
        value_from_key_vault: {
          secret_id: expect.stringMatching(/azurerm_key_vault_secret\.Secret\.versionless_id/),
        },
      });
      expect(s).toHaveResourceWithProperties(ApiManagementNamedValue, {
        name: 'literal-id',
        value_from_key_vault: {
          secret_id: 'https://kv-iot.vault.azure.net/secrets/other',
          identity_client_id: 'client-1',
        },
      });
      expect(s).toHaveResourceWithProperties(ApiManagementNamedValue, {
        name: 'region',
        secret: false,
        value: 'westeurope',
      });
    });

    it('rejects a secret id that is not a key vault secret and a missing identity', () => {
      const { apim } = make();
      expect(() => apim.addNamedValue({ name: 'x', keyVaultSecretId: 'hunter2' })).toThrow(
        /invalid addNamedValue\(x\).keyVaultSecretId "hunter2": a versionless key vault secret id/,
      );
      const noSystem = make({
        managedIdentities: { userAssigned: [{ id: 'u', principalId: 'p', clientId: 'c' }] },
      });
      expect(() =>
        noSystem.apim.addNamedValue({
          name: 'y',
          keyVaultSecretId: 'https://kv-iot.vault.azure.net/secrets/y',
        }),
      ).toThrow(
        /invalid addNamedValue\(y\).identityClientId \(undefined\): the service has no system-assigned identity/,
      );
    });
  });

  describe('addBackend', () => {
    it('validates certificate chain and name by default', () => {
      const { apim, out } = make();
      apim.addBackend({ name: 'ingest', url: 'https://ingest.iot.internal' });
      expect(out()).toHaveResourceWithProperties(ApiManagementBackend, {
        name: 'ingest',
        protocol: 'http',
        url: 'https://ingest.iot.internal',
        tls: { validate_certificate_chain: true, validate_certificate_name: true },
      });
    });

    it('puts a circuit breaker on the backend: 5xx failures trip it, retry-after honoured', () => {
      const { apim, out } = make();
      apim.addBackend({
        name: 'ingest',
        url: 'https://ingest.iot.internal',
        circuitBreaker: { failureCount: 10 },
      });
      expect(out()).toHaveResourceWithProperties(ApiManagementBackend, {
        circuit_breaker_rule: {
          name: 'ingest-breaker',
          trip_duration: 'PT30S',
          accept_retry_after_enabled: true,
          failure_condition: {
            count: 10,
            interval_duration: 'PT60S',
            status_code_range: [{ min: 500, max: 599 }],
          },
        },
      });
    });

    it('has no circuit breaker unless asked, and rejects an inverted status range', () => {
      const { apim, out } = make();
      apim.addBackend({ name: 'plain', url: 'https://plain.iot.internal' });
      expect(
        resources(out(), 'azurerm_api_management_backend')[0].circuit_breaker_rule,
      ).toBeUndefined();
      expect(() =>
        apim.addBackend({
          name: 'bad',
          url: 'https://bad.iot.internal',
          circuitBreaker: { statusCodeRanges: [{ min: 599, max: 500 }] },
        }),
      ).toThrow(/invalid addBackend\(bad\).circuitBreaker.statusCodeRanges\[0\].max 500/);
    });

    it('accepts clear-text http only when said explicitly', () => {
      const { apim, out } = make();
      expect(() => apim.addBackend({ name: 'mesh', url: 'http://ingest.iot.svc' })).toThrow(
        /invalid addBackend\(mesh\).url "http:\/\/ingest.iot.svc": an https url, or set allowInsecureHttp: true/,
      );
      apim.addBackend({ name: 'mesh', url: 'http://ingest.iot.svc', allowInsecureHttp: true });
      expect(out()).toHaveResourceWithProperties(ApiManagementBackend, {
        url: 'http://ingest.iot.svc',
      });
      expect(() => apim.addBackend({ name: 'bad', url: 'ingest' })).toThrow(
        /invalid addBackend\(bad\).url "ingest": an absolute http\(s\) url/,
      );
    });
  });

  it('grants service read and manage roles on the service, through IApiManagement too', () => {
    const { apim: service, out } = make();
    const apim: IApiManagement = service;
    expect(apim.grantServiceRead({ principalId: 'ops', principalType: 'Group' })).toBeInstanceOf(
      RoleAssignment,
    );
    apim.grantServiceManage({ principalId: 'ci', principalType: 'ServicePrincipal' });
    const s = out();
    expect(s).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'API Management Service Reader Role',
      principal_id: 'ops',
      scope: expect.stringMatching(/^\$\{azurerm_api_management\.Apim_[0-9A-F]+\.id\}$/),
    });
    expect(s).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'API Management Service Contributor',
      principal_id: 'ci',
    });
  });

  it.each<[string, Partial<ApiManagementProps>, RegExp]>([
    ['name', { name: '1apim' }, /invalid name "1apim": a api management service name allows/],
    [
      'publisherName',
      { publisherName: '' },
      /invalid publisherName "": a publisher name is 1 to 100/,
    ],
    [
      'publisherEmail',
      { publisherEmail: 'not-an-email' },
      /invalid publisherEmail "not-an-email": an email address/,
    ],
    [
      'sku',
      { sku: 'Consumption' as never },
      /invalid sku "Consumption": allowed values are "Developer", "Basic"/,
    ],
    [
      'capacity',
      { capacity: 2 },
      /invalid capacity 2: allowed is an integer from 1 to 1 units for sku Developer/,
    ],
    [
      'capacity',
      { sku: 'Premium', capacity: 40 },
      /invalid capacity 40: allowed is an integer from 1 to 31/,
    ],
    [
      'zones',
      { zones: ['1', '2'] },
      /invalid zones \["1","2"\]: zones need sku "Premium" \(got "Developer"\)/,
    ],
    ['zones', { sku: 'Premium', capacity: 2, zones: ['1', '4'] }, /invalid zones\[1\] "4"/],
    [
      'capacity per zone',
      { sku: 'Premium', capacity: 2, zones: ['1', '2', '3'] },
      /invalid capacity 2: at least one unit per zone/,
    ],
    [
      'virtualNetwork',
      { sku: 'StandardV2', virtualNetwork: { type: 'External', subnet: { id: 's', name: 's' } } },
      /invalid virtualNetwork "External": vnet injection needs sku "Developer" or "Premium" \(got "StandardV2"\)/,
    ],
    [
      'privateEndpoints',
      {
        sku: 'Premium',
        virtualNetwork: { type: 'Internal', subnet: { id: 's', name: 's' } },
        privateEndpoints: { main: { subnet: { id: 'p', name: 'p' }, privateDnsZones: [] } },
      },
      /invalid privateEndpoints "1 endpoint\(s\)": a private endpoint cannot be combined with virtualNetwork type "Internal"/,
    ],
    [
      'privateEndpoints',
      {
        sku: 'BasicV2',
        privateEndpoints: { main: { subnet: { id: 'p', name: 'p' }, privateDnsZones: [] } },
      },
      /sku "BasicV2" takes no private endpoint/,
    ],
    [
      'publicNetworkAccess',
      { publicNetworkAccess: false },
      /invalid publicNetworkAccess false: turning public access off needs a private endpoint/,
    ],
    [
      'publicIpAddressId',
      { publicIpAddressId: 'pip' },
      /invalid publicIpAddressId "pip": a public ip applies only with virtualNetwork/,
    ],
    [
      'minApiVersion',
      { minApiVersion: 'latest' },
      /invalid minApiVersion "latest": an api version such as "2021-08-01"/,
    ],
    [
      'legacyCiphers',
      { legacyCiphers: ['TLS_RSA_WITH_3DES_EDE_CBC_SHA' as never] },
      /invalid legacyCiphers\[0\] "TLS_RSA_WITH_3DES_EDE_CBC_SHA"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => make(props)).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => make({ name: '-' })).toThrow(/^test\/Apim: invalid name/);
  });
});
