import type { TerraformStack } from 'cdktf';
import { TerraformOutput, Testing } from 'cdktf';
import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { grantRole } from '../core';
import { WebApp } from './web-app';
import type { WebAppProps } from './web-app';
import { testScope } from '../../test/construct-helpers';

const registry = { loginServer: 'acriottest.azurecr.io' };
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '66666666-7777-8888-9999-000000000000';
const signIn = { clientId: CLIENT, tenantId: TENANT };

function synth(
  props: Partial<WebAppProps> = {},
  extra?: (app: WebApp, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const app = new WebApp(stack, 'Web', {
    name: 'app-iot-test',
    resourceGroup: rg,
    container: { registry, image: 'iot/web:1.0.0' },
    authentication: signIn,
    ...props,
  });
  extra?.(app, stack);
  return Testing.synth(stack);
}

function resources(out: string, type: string): Record<string, unknown>[] {
  return Object.values(JSON.parse(out).resource[type] ?? {});
}

describe('WebApp', () => {
  it('runs a linux P0v3 plan with one worker and no zone balancing by default', () => {
    expect(synth()).toHaveResourceWithProperties(ServicePlan, {
      name: 'asp-app-iot-test',
      os_type: 'Linux',
      sku_name: 'P0v3',
      worker_count: 1,
      zone_balancing_enabled: false,
    });
  });

  it('is secure by default: https only, tls 1.2, no ftps, no basic auth, no public access, no remote debugging', () => {
    expect(synth()).toHaveResourceWithProperties(LinuxWebApp, {
      name: 'app-iot-test',
      https_only: true,
      public_network_access_enabled: false,
      ftp_publish_basic_authentication_enabled: false,
      webdeploy_publish_basic_authentication_enabled: false,
      client_certificate_enabled: false,
      client_affinity_enabled: false,
      site_config: expect.objectContaining({
        always_on: true,
        http2_enabled: true,
        ftps_state: 'Disabled',
        minimum_tls_version: '1.2',
        scm_minimum_tls_version: '1.2',
        remote_debugging_enabled: false,
        health_check_path: '/readyz',
        health_check_eviction_time_in_min: 5,
      }),
      logs: {
        detailed_error_messages: false,
        failed_request_tracing: false,
        application_logs: { file_system_level: 'Information' },
        http_logs: { file_system: { retention_in_days: 7, retention_in_mb: 35 } },
      },
    });
  });

  it('pulls its image from the registry with its own user-assigned identity', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(UserAssignedIdentity, { name: 'id-app-iot-test' });
    const [app] = resources(out, 'azurerm_linux_web_app') as Record<string, never>[];
    expect(app.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [
        expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.Web_Identity_[0-9A-F]+\.id\}$/),
      ],
    });
    expect(app.key_vault_reference_identity_id).toMatch(
      /^\$\{azurerm_user_assigned_identity\.Web_Identity_[0-9A-F]+\.id\}$/,
    );
    expect(app.site_config).toMatchObject({
      container_registry_use_managed_identity: true,
      container_registry_managed_identity_client_id: expect.stringMatching(
        /Web_Identity_[0-9A-F]+\.client_id\}$/,
      ),
      application_stack: {
        docker_image_name: 'iot/web:1.0.0',
        docker_registry_url: 'https://acriottest.azurecr.io',
      },
    });
  });

  it('uses a given identity instead of creating one, and exposes it for grants', () => {
    const { stack, rg } = testScope();
    const id = new UserAssignedIdentity(stack, 'Shared', {
      name: 'id-shared',
      location: 'westeurope',
      resourceGroupName: 'rg-test',
    });
    const app = new WebApp(stack, 'Web', {
      name: 'app-iot-test',
      resourceGroup: rg,
      authentication: signIn,
      container: { registry, image: 'iot/web:1.0.0' },
      identity: id,
    });
    expect(app.identity).toBe(id);
    // the wiring ContainerRegistry.grantPull does: a role assignment to the app's identity
    const ra = grantRole(stack, 'AcrPull', {
      scope: 'acr-id',
      roleDefinitionName: 'AcrPull',
      principal: app.identity,
    });
    expect(ra).toBeInstanceOf(RoleAssignment);
    const synthOut = Testing.synth(stack);
    expect(resources(synthOut, 'azurerm_user_assigned_identity')).toHaveLength(1);
    expect(synthOut).toHaveResourceWithProperties(LinuxWebApp, {
      identity: {
        type: 'UserAssigned',
        identity_ids: ['${azurerm_user_assigned_identity.Shared.id}'],
      },
      key_vault_reference_identity_id: '${azurerm_user_assigned_identity.Shared.id}',
    });
    expect(synthOut).toHaveResourceWithProperties(RoleAssignment, {
      principal_id: '${azurerm_user_assigned_identity.Shared.principal_id}',
      role_definition_name: 'AcrPull',
    });
  });

  it('writes secrets as key vault references read with the identity, and plain settings as given', () => {
    const out = synth({
      appSettings: { LOG_LEVEL: 'info', REDIS_HOST: 'redis.example' },
      container: { registry, image: 'iot/web:1.0.0', port: 8080 },
    });
    const [app] = resources(out, 'azurerm_linux_web_app') as Record<
      string,
      Record<string, string>
    >[];
    expect(app.app_settings).toMatchObject({
      LOG_LEVEL: 'info',
      REDIS_HOST: 'redis.example',
      WEBSITES_PORT: '8080',
      WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false',
      AZURE_CLIENT_ID: expect.stringMatching(/Web_Identity_[0-9A-F]+\.client_id\}$/),
    });

    const { stack, rg } = testScope();
    const secret = new KeyVaultSecret(stack, 'DbPassword', {
      name: 'db-password',
      keyVaultId: 'kv-id',
      value: new UserAssignedIdentity(stack, 'X', {
        name: 'x',
        location: 'westeurope',
        resourceGroupName: 'rg',
      }).clientId,
    });
    new WebApp(stack, 'Web', {
      name: 'app-iot-test',
      resourceGroup: rg,
      authentication: signIn,
      container: { registry, image: 'iot/web:1.0.0' },
      keyVaultSecrets: { DATABASE_PASSWORD: secret },
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LinuxWebApp, {
      app_settings: expect.objectContaining({
        DATABASE_PASSWORD:
          '@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.DbPassword.versionless_id})',
      }),
    });
  });

  it('accepts secret-like setting names when the value is a terraform token or a key vault reference', () => {
    expect(() =>
      synth({}, (_a, stack) => {
        const { rg } = testScope();
        const id = new UserAssignedIdentity(stack, 'T', {
          name: 't',
          location: 'x',
          resourceGroupName: 'rg',
        });
        new WebApp(stack, 'Other', {
          name: 'app-other',
          resourceGroup: rg,
          authentication: signIn,
          container: { registry, image: 'iot/web:1.0.0' },
          appSettings: {
            APPLICATIONINSIGHTS_CONNECTION_STRING: id.clientId,
            API_KEY: '@Microsoft.KeyVault(VaultName=kv;SecretName=api-key)',
          },
        });
      }),
    ).not.toThrow();
  });

  it('requires entra sign-in for every request, redeemed with its own identity and no secret', () => {
    const out = synth();
    const [app] = resources(out, 'azurerm_linux_web_app') as Record<string, never>[];
    expect(app.auth_settings_v2).toEqual({
      auth_enabled: true,
      require_authentication: true,
      require_https: true,
      unauthenticated_action: 'RedirectToLoginPage',
      default_provider: 'azureactivedirectory',
      active_directory_v2: {
        client_id: CLIENT,
        tenant_auth_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        client_secret_setting_name: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID',
      },
      login: { token_store_enabled: false },
    });
    expect(app.app_settings).toMatchObject({
      OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: expect.stringMatching(
        /Web_Identity_[0-9A-F]+\.client_id\}$/,
      ),
    });
    expect(app.app_settings).not.toHaveProperty('MICROSOFT_PROVIDER_AUTHENTICATION_SECRET');
  });

  it('reads a client secret from key vault when one is given, and limits sign-in to groups', () => {
    const out = synth({
      authentication: {
        ...signIn,
        clientSecret: { versionlessId: 'https://kv.vault.azure.net/secrets/web-signin' },
        allowedGroupObjectIds: [TENANT],
        unauthenticatedAction: 'Return401',
        excludedPaths: ['/livez'],
      },
    });
    const [app] = resources(out, 'azurerm_linux_web_app') as Record<string, never>[];
    expect(app.auth_settings_v2).toMatchObject({
      unauthenticated_action: 'Return401',
      excluded_paths: ['/livez'],
      active_directory_v2: {
        client_secret_setting_name: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET',
        allowed_groups: [TENANT],
      },
    });
    expect(app.app_settings).toMatchObject({
      MICROSOFT_PROVIDER_AUTHENTICATION_SECRET:
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/web-signin)',
    });
    expect(app.app_settings).not.toHaveProperty('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
  });

  it('turns sign-in off only when told so explicitly', () => {
    const [app] = resources(synth({ authentication: 'disabled' }), 'azurerm_linux_web_app');
    expect(app).not.toHaveProperty('auth_settings_v2');
    expect(app.app_settings).not.toHaveProperty('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
  });

  it('integrates with a vnet, routing all traffic and the image pull through it', () => {
    expect(
      synth({ vnetIntegrationSubnet: { id: 'snet-app-id', name: 'snet-app' } }),
    ).toHaveResourceWithProperties(LinuxWebApp, {
      virtual_network_subnet_id: 'snet-app-id',
      vnet_image_pull_enabled: true,
      site_config: expect.objectContaining({ vnet_route_all_enabled: true }),
    });
  });

  it('balances a premium plan across zones with three workers when asked', () => {
    expect(synth({ zoneBalancing: true, sku: 'P1v3' })).toHaveResourceWithProperties(ServicePlan, {
      sku_name: 'P1v3',
      zone_balancing_enabled: true,
      worker_count: 3,
    });
  });

  it('restricts a public app to the allowed sources, the scm site included', () => {
    const out = synth({
      publicNetworkAccess: true,
      allowedSources: [
        { name: 'apim', serviceTag: 'ApiManagement' },
        { name: 'office', ipRange: '203.0.113.7' },
        { name: 'gateway', subnet: { id: 'snet-gw', name: 'gw' } },
      ],
    });
    expect(out).toHaveResourceWithProperties(LinuxWebApp, {
      public_network_access_enabled: true,
      site_config: expect.objectContaining({
        ip_restriction_default_action: 'Deny',
        scm_use_main_ip_restriction: true,
        scm_ip_restriction_default_action: 'Deny',
        ip_restriction: [
          { name: 'apim', action: 'Allow', priority: 100, service_tag: 'ApiManagement' },
          { name: 'office', action: 'Allow', priority: 110, ip_address: '203.0.113.7/32' },
          { name: 'gateway', action: 'Allow', priority: 120, virtual_network_subnet_id: 'snet-gw' },
        ],
      }),
    });
  });

  it('requires client certificates when a mode is set', () => {
    expect(synth({ clientCertificateMode: 'Required' })).toHaveResourceWithProperties(LinuxWebApp, {
      client_certificate_enabled: true,
      client_certificate_mode: 'Required',
    });
  });

  it('creates a sites private endpoint, a lock, and diagnostics on the app (logs + metrics) and plan (metrics)', () => {
    const out = synth({
      privateEndpoints: {
        main: {
          subnet: { id: 'snet-pe', name: 'pe' },
          privateDnsZones: [{ id: 'zone-id', name: 'privatelink.azurewebsites.net' }],
        },
      },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({ subresource_names: ['sites'] }),
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    const diags = resources(out, 'azurerm_monitor_diagnostic_setting');
    expect(diags).toHaveLength(2);
    expect(diags).toContainEqual(
      expect.objectContaining({
        target_resource_id: expect.stringMatching(
          /^\$\{azurerm_linux_web_app\.Web_[0-9A-F]+\.id\}$/,
        ),
        enabled_log: [{ category_group: 'allLogs' }],
        enabled_metric: [{ category: 'AllMetrics' }],
      }),
    );
    expect(diags).toContainEqual(
      expect.objectContaining({
        target_resource_id: expect.stringMatching(
          /^\$\{azurerm_service_plan\.Web_Plan_[0-9A-F]+\.id\}$/,
        ),
        enabled_log: [],
        enabled_metric: [{ category: 'AllMetrics' }],
      }),
    );
    for (const type of [
      'azurerm_service_plan',
      'azurerm_linux_web_app',
      'azurerm_user_assigned_identity',
    ]) {
      expect(resources(out, type)[0]).toMatchObject({ tags: { env: 'test' } });
    }
  });

  it('exposes the default hostname, url and outbound addresses', () => {
    const { stack, rg } = testScope();
    const app = new WebApp(stack, 'Web', {
      name: 'app-iot-test',
      resourceGroup: rg,
      authentication: signIn,
      container: { registry, image: 'iot/web@sha256:' + 'a'.repeat(64) },
    });
    new TerraformOutput(stack, 'host', { value: app.defaultHostname });
    new TerraformOutput(stack, 'url', { value: app.url });
    new TerraformOutput(stack, 'ips', { value: app.outboundIpAddresses });
    new TerraformOutput(stack, 'possible', { value: app.possibleOutboundIpAddresses });
    const out = JSON.parse(Testing.synth(stack)).output;
    expect(out.host.value).toMatch(
      /^\$\{azurerm_linux_web_app\.Web_[0-9A-F]+\.default_hostname\}$/,
    );
    expect(out.url.value).toMatch(
      /^https:\/\/\$\{azurerm_linux_web_app\.Web_[0-9A-F]+\.default_hostname\}$/,
    );
    expect(out.ips.value).toMatch(/outbound_ip_address_list\}$/);
    expect(out.possible.value).toMatch(/possible_outbound_ip_address_list\}$/);
  });
});

describe('WebApp validation', () => {
  it.each([
    ['name', { name: '-app' }, /invalid name "-app": a web app name allows/],
    [
      'authentication',
      { authentication: undefined as never },
      /invalid authentication \(undefined\): user sign-in is on by default: pass \{ clientId, tenantId \}/,
    ],
    [
      'authentication.clientId',
      { authentication: { ...signIn, clientId: 'my-app' } },
      /invalid authentication.clientId "my-app": allowed is a guid or a terraform reference/,
    ],
    [
      'authentication.tenantId',
      { authentication: { ...signIn, tenantId: 'contoso.onmicrosoft.com' } },
      /invalid authentication.tenantId "contoso.onmicrosoft.com": allowed is a guid/,
    ],
    [
      'authentication.excludedPaths',
      { authentication: { ...signIn, excludedPaths: ['livez'] } },
      /invalid authentication.excludedPaths\[0\] "livez": allowed is an absolute path/,
    ],
    [
      'appSettings',
      { appSettings: { OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: 'x' } },
      /invalid appSettings.OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID .*configure it through authentication/,
    ],
    ['name', { name: 'a' }, /invalid name "a": a web app name is 2 to 60 characters long/],
    [
      'planName',
      { planName: 'asp_iot' },
      /invalid planName "asp_iot": a app service plan name allows/,
    ],
    ['sku', { sku: 'F1' as never }, /invalid sku "F1": allowed values are "B1"/],
    [
      'sku',
      { sku: 'S1' as const, zoneBalancing: true },
      /invalid sku "S1": zoneBalancing needs a Premium/,
    ],
    [
      'workerCount',
      { zoneBalancing: true, workerCount: 1 },
      /invalid workerCount 1: zoneBalancing needs at least 2 workers/,
    ],
    [
      'workerCount',
      { workerCount: 0 },
      /invalid workerCount 0: allowed is an integer from 1 to 30/,
    ],
    [
      'healthCheckEvictionMinutes',
      { healthCheckEvictionMinutes: 1 },
      /invalid healthCheckEvictionMinutes 1: allowed is an integer from 2 to 10 minutes/,
    ],
    [
      'healthCheckPath',
      { healthCheckPath: 'readyz' },
      /invalid healthCheckPath "readyz": allowed is an absolute path/,
    ],
    [
      'httpLogsRetentionMb',
      { httpLogsRetentionMb: 200 },
      /invalid httpLogsRetentionMb 200: allowed is an integer from 25 to 100 MB/,
    ],
    [
      'container.image',
      { container: { registry, image: 'iot/web:latest' } },
      /invalid container.image "iot\/web:latest": allowed is <repository>:<tag>/,
    ],
    [
      'container.image',
      { container: { registry, image: 'iot/web' } },
      /invalid container.image "iot\/web"/,
    ],
    [
      'container.image',
      { container: { registry, image: 'acriottest.azurecr.io/iot/web:1.0.0' } },
      /without the registry host/,
    ],
    [
      'container.port',
      { container: { registry, image: 'iot/web:1', port: 70000 } },
      /invalid container.port 70000/,
    ],
    [
      'appSettings',
      { appSettings: { DB_PASSWORD: 'hunter2' } },
      /invalid appSettings.DB_PASSWORD "<literal redacted>": a setting named like a secret must not hold a literal/,
    ],
    [
      'appSettings',
      { appSettings: { ConnectionStrings__Main: 'Server=x' } },
      /invalid appSettings.ConnectionStrings__Main/,
    ],
    [
      'appSettings',
      { appSettings: { 'MY-SETTING': 'x' } },
      /invalid appSettings.MY-SETTING "MY-SETTING": app setting names on linux allow/,
    ],
    [
      'keyVaultSecrets',
      {
        appSettings: { SECRET_REF: '@Microsoft.KeyVault(SecretUri=https://kv/secrets/a)' },
        keyVaultSecrets: { SECRET_REF: { versionlessId: 'https://kv/secrets/a' } },
      },
      /invalid keyVaultSecrets.SECRET_REF "SECRET_REF": a setting cannot be both/,
    ],
    [
      'allowedSources',
      { allowedSources: [{ name: 'apim', serviceTag: 'ApiManagement' }] },
      /invalid allowedSources \["apim"\]: access restrictions only apply with publicNetworkAccess: true/,
    ],
    [
      'allowedSources',
      {
        publicNetworkAccess: true,
        allowedSources: [{ name: 'both', serviceTag: 'ApiManagement', ipRange: '1.2.3.4' }],
      },
      /invalid allowedSources\[0\] "both": set exactly one of ipRange, serviceTag, subnet/,
    ],
    [
      'allowedSources',
      { publicNetworkAccess: true, allowedSources: [{ name: 'bad', ipRange: '1.2.3' }] },
      /invalid allowedSources\[0\].ipRange "1.2.3"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('carries the construct path and never echoes a literal secret', () => {
    expect(() => synth({ appSettings: { API_TOKEN: 'tok-123456' } })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^test\/Web: invalid appSettings.API_TOKEN/),
      }),
    );
    expect(() => synth({ appSettings: { API_TOKEN: 'tok-123456' } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('tok-123456') }),
    );
  });
});
