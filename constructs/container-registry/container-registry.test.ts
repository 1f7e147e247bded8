import { TerraformOutput, Testing } from 'cdktf';
import type { TerraformStack } from 'cdktf';
import { ContainerRegistry as AzContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { testScope } from '../../test/construct-helpers';
import { ContainerRegistry } from './container-registry';
import type { ContainerRegistryProps, IContainerRegistry } from './container-registry';

function synth(
  props: Partial<ContainerRegistryProps> = {},
  extra?: (acr: ContainerRegistry, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const acr = new ContainerRegistry(stack, 'Registry', {
    name: 'acriottest',
    resourceGroup: rg,
    ...props,
  });
  extra?.(acr, stack);
  return Testing.synth(stack);
}

const cmkIdentity = { id: 'uai-id', principalId: 'uai-p', clientId: 'uai-client' };
const cmk = { key: { id: 'key-v1', versionlessId: 'key' }, identity: cmkIdentity };

describe('ContainerRegistry', () => {
  it('is premium and private by default: no admin, no anonymous pull, deny firewall, export off', () => {
    expect(synth()).toHaveResourceWithProperties(AzContainerRegistry, {
      name: 'acriottest',
      sku: 'Premium',
      admin_enabled: false,
      anonymous_pull_enabled: false,
      public_network_access_enabled: false,
      network_rule_bypass_option: 'AzureServices',
      network_rule_set: [{ default_action: 'Deny', ip_rule: [] }],
      export_policy_enabled: false,
      data_endpoint_enabled: true,
      retention_policy_in_days: 7,
      zone_redundancy_enabled: false,
      trust_policy_enabled: false,
      quarantine_policy_enabled: false,
    });
  });

  it('turns on zone redundancy, geo-replicas, retention and ip rules when asked', () => {
    const out = synth({
      zoneRedundancy: true,
      retentionDays: 30,
      geoReplications: [{ location: 'northeurope', zoneRedundancy: true }],
      publicNetworkAccess: true,
      allowedIpRanges: ['203.0.113.0/24'],
      allowTrustedAzureServices: false,
    });
    expect(out).toHaveResourceWithProperties(AzContainerRegistry, {
      zone_redundancy_enabled: true,
      retention_policy_in_days: 30,
      georeplications: [{ location: 'northeurope', zone_redundancy_enabled: true }],
      public_network_access_enabled: true,
      export_policy_enabled: true,
      network_rule_bypass_option: 'None',
      network_rule_set: [
        { default_action: 'Deny', ip_rule: [{ action: 'Allow', ip_range: '203.0.113.0/24' }] },
      ],
    });
  });

  it('encrypts with a customer-managed key through its user-assigned identity', () => {
    const out = synth({ customerManagedKey: cmk, managedIdentities: { systemAssigned: true } });
    expect(out).toHaveResourceWithProperties(AzContainerRegistry, {
      encryption: [{ key_vault_key_id: 'key', identity_client_id: 'uai-client' }],
      identity: { type: 'SystemAssigned, UserAssigned', identity_ids: ['uai-id'] },
    });
  });

  it('exposes the login server and the system identity principal id', () => {
    const { stack, rg } = testScope();
    const acr = new ContainerRegistry(stack, 'Registry', {
      name: 'acriottest',
      resourceGroup: rg,
      managedIdentities: { systemAssigned: true },
    });
    const plain = new ContainerRegistry(stack, 'Plain', { name: 'acrplain', resourceGroup: rg });
    expect(plain.principalId).toBeUndefined();
    new TerraformOutput(stack, 'login', { value: acr.loginServer });
    new TerraformOutput(stack, 'principal', { value: acr.principalId });
    const outputs = (
      JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> }
    ).output;
    expect(outputs.login.value).toMatch(
      /^\$\{azurerm_container_registry\.Registry_[0-9A-F]+\.login_server\}$/,
    );
    expect(outputs.principal.value).toMatch(
      /^\$\{azurerm_container_registry\.Registry_[0-9A-F]+\.identity\[0\]\.principal_id\}$/,
    );
  });

  it('creates a registry private endpoint with its dns zone group, diagnostics, lock and tags', () => {
    const out = synth({
      privateEndpoints: {
        main: {
          subnet: { id: 'snet-id', name: 'endpoints' },
          privateDnsZones: [{ id: 'zone-id', name: 'privatelink.azurecr.io' }],
        },
      },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({ subresource_names: ['registry'] }),
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone-id'] },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      log_analytics_workspace_id: 'law-id',
      enabled_log: [{ category_group: 'allLogs' }],
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    expect(out).toHaveResourceWithProperties(AzContainerRegistry, { tags: { env: 'test' } });
  });

  it('leaves premium-only settings out for a basic registry that is explicitly public', () => {
    const out = synth({ sku: 'Basic', publicNetworkAccess: true });
    const acr = Object.values(
      (JSON.parse(out) as { resource: Record<string, Record<string, Record<string, unknown>>> })
        .resource.azurerm_container_registry,
    )[0];
    expect(acr).toMatchObject({
      sku: 'Basic',
      admin_enabled: false,
      anonymous_pull_enabled: false,
    });
    for (const k of [
      'network_rule_set',
      'retention_policy_in_days',
      'zone_redundancy_enabled',
      'data_endpoint_enabled',
      'export_policy_enabled',
    ]) {
      expect(acr[k]).toBeUndefined();
    }
  });

  it('grants exactly AcrPull and AcrPush on the registry', () => {
    const out = synth({}, (acr, stack) => {
      const kubelet = new UserAssignedIdentity(stack, 'Kubelet', {
        name: 'kubelet',
        location: 'westeurope',
        resourceGroupName: 'rg',
      });
      expect(acr.grantPull(kubelet)).toBeInstanceOf(RoleAssignment);
      acr.grantPush({ principalId: 'ci', principalType: 'ServicePrincipal' });
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'AcrPull',
      principal_id: '${azurerm_user_assigned_identity.Kubelet.principal_id}',
      scope: expect.stringMatching(/^\$\{azurerm_container_registry\.Registry_[0-9A-F]+\.id\}$/),
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'AcrPush',
      principal_id: 'ci',
      skip_service_principal_aad_check: true,
    });
  });

  it('grants task runs (az acr build) through a role of its own on this registry only', () => {
    const out = synth({}, (acr) => {
      acr.grantRunBuilds({ principalId: 'ci', principalType: 'ServicePrincipal' });
    });
    const defs = Object.values(
      (JSON.parse(out) as { resource: { azurerm_role_definition: Record<string, unknown> } })
        .resource.azurerm_role_definition,
    );
    expect(defs).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(/ task runner$/),
        permissions: [
          {
            actions: expect.arrayContaining([
              'Microsoft.ContainerRegistry/registries/scheduleRun/action',
              'Microsoft.ContainerRegistry/registries/listBuildSourceUploadUrl/action',
            ]),
          },
        ],
      }),
    ]);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      principal_id: 'ci',
      role_definition_id: expect.stringMatching(
        /TaskRunRole_[0-9A-F]+\.role_definition_resource_id/,
      ),
    });
  });

  it('grants image locking through a role of metadata read/write on this registry only, once', () => {
    const out = synth({}, (acr) => {
      const ci = { principalId: 'ci', principalType: 'ServicePrincipal' as const };
      expect(acr.grantLockImages(ci)).toBe(acr.grantLockImages(ci));
      acr.grantLockImages({ principalId: 'other', principalType: 'ServicePrincipal' });
    });
    const registry = expect.stringMatching(
      /^\$\{azurerm_container_registry\.Registry_[0-9A-F]+\.id\}$/,
    );
    const json = JSON.parse(out) as {
      resource: {
        azurerm_role_definition: Record<string, unknown>;
        azurerm_role_assignment: Record<string, unknown>;
      };
    };
    expect(Object.values(json.resource.azurerm_role_definition)).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(
          /^\$\{azurerm_container_registry\.Registry_[0-9A-F]+\.name\} image locker$/,
        ),
        scope: registry,
        assignable_scopes: [registry],
        permissions: [
          {
            actions: [
              'Microsoft.ContainerRegistry/registries/metadata/read',
              'Microsoft.ContainerRegistry/registries/metadata/write',
            ],
          },
        ],
      }),
    ]);
    expect(Object.values(json.resource.azurerm_role_assignment)).toHaveLength(2);
    expect(Object.values(json.resource.azurerm_role_assignment)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal_id: 'ci',
          scope: registry,
          role_definition_id: expect.stringMatching(
            /^\$\{azurerm_role_definition\.Registry_ImageLockRole_[0-9A-F]+\.role_definition_resource_id\}$/,
          ),
        }),
        expect.objectContaining({ principal_id: 'other' }),
      ]),
    );
  });

  it.each<[string, Partial<ContainerRegistryProps>, RegExp]>([
    [
      'name',
      { name: 'acr-iot' },
      /invalid name "acr-iot": a container registry name allows letters and digits only/,
    ],
    ['name', { name: 'acr' }, /invalid name "acr": a container registry name is 5 to 50/],
    [
      'sku',
      { sku: 'Gold' as never },
      /invalid sku "Gold": allowed values are "Basic", "Standard", "Premium"/,
    ],
    [
      'retentionDays',
      { retentionDays: 400 },
      /invalid retentionDays 400: allowed is an integer from 0 to 365 days/,
    ],
    [
      'allowedIpRanges',
      { publicNetworkAccess: true, allowedIpRanges: ['1.2.3.999'] },
      /invalid allowedIpRanges\[0\] "1.2.3.999"/,
    ],
    [
      'allowedIpRanges',
      { allowedIpRanges: ['1.2.3.4'] },
      /ip rules only apply with publicNetworkAccess: true/,
    ],
    [
      'exportPolicy',
      { publicNetworkAccess: true, exportPolicy: false },
      /invalid exportPolicy false: azure allows turning the export policy off only with publicNetworkAccess: false/,
    ],
    [
      'contentTrust',
      { contentTrust: true, customerManagedKey: cmk },
      /invalid contentTrust true: content trust cannot be combined with customerManagedKey/,
    ],
    [
      'geoReplications',
      { geoReplications: [{ location: 'West Europe' }] },
      /invalid geoReplications\[0\].location "West Europe": a region other than the registry's own/,
    ],
    [
      'publicNetworkAccess',
      { sku: 'Standard' },
      /invalid publicNetworkAccess \(undefined\): sku Standard cannot be private/,
    ],
    [
      'zoneRedundancy',
      { sku: 'Standard', publicNetworkAccess: true, zoneRedundancy: true },
      /invalid zoneRedundancy "set with sku Standard": zoneRedundancy needs sku "Premium"/,
    ],
    [
      'privateEndpoints',
      {
        sku: 'Basic',
        publicNetworkAccess: true,
        privateEndpoints: { main: { subnet: { id: 's', name: 's' }, privateDnsZones: [] } },
      },
      /invalid privateEndpoints "set with sku Basic": privateEndpoints needs sku "Premium"/,
    ],
    [
      'customerManagedKey',
      { sku: 'Basic', publicNetworkAccess: true, customerManagedKey: cmk },
      /customerManagedKey needs sku "Premium"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'x' })).toThrow(/^test\/Registry: invalid name/);
  });
});

describe('ContainerRegistry.fromId', () => {
  it('grants pull and push on a registry created elsewhere through IContainerRegistry', () => {
    const { stack } = testScope();
    const acrId =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrshared';
    const acr: IContainerRegistry = ContainerRegistry.fromId(stack, 'Shared', {
      resourceId: acrId,
    });
    expect(acr.loginServer).toBe('acrshared.azurecr.io');
    const principal = { principalId: 'kubelet', principalType: 'ServicePrincipal' as const };
    const pull = acr.grantPull(principal);
    expect(acr.grantPull(principal)).toBe(pull);
    acr.grantPush({ principalId: 'ci' });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: acrId,
      role_definition_name: 'AcrPull',
      principal_id: 'kubelet',
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: acrId,
      role_definition_name: 'AcrPush',
      principal_id: 'ci',
    });
    expect(() =>
      ContainerRegistry.fromId(stack, 'Bad', { resourceId: '/subscriptions/s/acr' }),
    ).toThrow(/test\/Bad: invalid resourceId "\/subscriptions\/s\/acr"/);
  });
});
