import type { TerraformStack } from 'cdktf';
import { Fn, Op, TerraformOutput, TerraformVariable, Testing } from 'cdktf';
import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { KeyVault } from './key-vault';
import type { IKeyVault, KeyVaultProps } from './key-vault';
import { testScope } from '../../test/construct-helpers';

function synth(
  props: Partial<KeyVaultProps> = {},
  extra?: (kv: KeyVault, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const kv = new KeyVault(stack, 'KeyVault', {
    name: 'kv-iot-test',
    resourceGroup: rg,
    tenantId: '00000000-0000-0000-0000-000000000000',
    ...props,
  });
  extra?.(kv, stack);
  return Testing.synth(stack);
}

describe('KeyVault', () => {
  it('is secure by default: rbac, purge protection, 90-day soft delete, no public access, deny firewall', () => {
    expect(synth()).toHaveResourceWithProperties(AzKeyVault, {
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'AzureServices' },
    });
  });

  it('creates a private endpoint with a dns zone group, diagnostics and a lock when asked', () => {
    const out = synth({
      privateEndpoints: {
        main: {
          subnet: { id: 'snet-id', name: 'snet' },
          privateDnsZones: [{ id: 'zone-id', name: 'privatelink.vaultcore.azure.net' }],
        },
      },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      subnet_id: 'snet-id',
      private_service_connection: expect.objectContaining({
        subresource_names: ['vault'],
        is_manual_connection: false,
      }),
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone-id'] },
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      log_analytics_workspace_id: 'law-id',
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
  });

  it('propagates tags to the vault and its children', () => {
    const out = synth({
      tags: { env: 'test' },
      privateEndpoints: { main: { subnet: { id: 's', name: 's' }, privateDnsZones: [] } },
    });
    expect(out).toHaveResourceWithProperties(AzKeyVault, { tags: { env: 'test' } });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, { tags: { env: 'test' } });
  });

  it.each([
    ['name', { name: 'kv' }, /invalid name "kv": a key vault name is 3 to 24/],
    ['name', { name: '1kv-iot' }, /invalid name "1kv-iot": a key vault name allows/],
    ['name', { name: 'kv--iot' }, /invalid name "kv--iot"/],
    [
      'softDeleteRetentionDays',
      { softDeleteRetentionDays: 5 },
      /invalid softDeleteRetentionDays 5: allowed is an integer from 7 to 90 days/,
    ],
    [
      'sku',
      { sku: 'gold' as never },
      /invalid sku "gold": allowed values are "standard", "premium"/,
    ],
    [
      'allowedIpRanges',
      { publicNetworkAccess: true, allowedIpRanges: ['300.1.1.1'] },
      /invalid allowedIpRanges\[0\] "300.1.1.1"/,
    ],
    [
      'allowedIpRanges',
      { allowedIpRanges: ['1.2.3.4'] },
      /ip rules only apply with publicNetworkAccess: true/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('opens the firewall to a token list (a terraform variable) under an expression for public access', () => {
    const { stack, rg } = testScope();
    const ranges = new TerraformVariable(stack, 'deployer_ranges', { type: 'list(string)' })
      .listValue;
    new KeyVault(stack, 'KeyVault', {
      name: 'kv-iot-test',
      resourceGroup: rg,
      tenantId: 't',
      publicNetworkAccess: Op.gte(Fn.lengthOf(ranges), 1),
      allowedIpRanges: ranges,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AzKeyVault, {
      public_network_access_enabled: '${(length(var.deployer_ranges) >= 1)}',
      network_acls: {
        default_action: 'Deny',
        bypass: 'AzureServices',
        ip_rules: '${var.deployer_ranges}',
      },
    });
  });

  it('rejects a token list of ip rules while public access is literally off', () => {
    const { stack, rg } = testScope();
    const ranges = new TerraformVariable(stack, 'deployer_ranges', { type: 'list(string)' })
      .listValue;
    expect(
      () =>
        new KeyVault(stack, 'KeyVault', {
          name: 'kv-iot-test',
          resourceGroup: rg,
          tenantId: 't',
          allowedIpRanges: ranges,
        }),
    ).toThrow(/ip rules only apply with publicNetworkAccess: true or an expression/);
  });

  it('still checks literal ip rules when public access is an expression', () => {
    const { stack, rg } = testScope();
    const flag = new TerraformVariable(stack, 'open', { type: 'bool' });
    expect(
      () =>
        new KeyVault(stack, 'KeyVault', {
          name: 'kv-iot-test',
          resourceGroup: rg,
          tenantId: 't',
          publicNetworkAccess: flag.booleanValue,
          allowedIpRanges: ['20.61.14.0/28', '10.0.0.300'],
        }),
    ).toThrow(/invalid allowedIpRanges\[1\] "10.0.0.300"/);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'x' })).toThrow(/^test\/KeyVault: invalid name/);
  });

  it('grants exactly Key Vault Secrets User on the vault for secrets read', () => {
    const out = synth({}, (kv) => {
      const ra = kv.grantSecretsRead({ principalId: 'p-1', principalType: 'ServicePrincipal' });
      expect(ra).toBeInstanceOf(RoleAssignment);
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets User',
      principal_id: 'p-1',
      scope: expect.stringMatching(/^\$\{azurerm_key_vault\.KeyVault_[0-9A-F]+\.id\}$/),
    });
  });

  it('grants Key Vault Certificates Officer on the vault to a deployer', () => {
    const out = synth({}, (kv) => kv.grantCertificatesManage({ principalId: 'deployer' }));
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Certificates Officer',
      principal_id: 'deployer',
      scope: expect.stringMatching(/^\$\{azurerm_key_vault\.KeyVault_[0-9A-F]+\.id\}$/),
    });
  });

  it('stores secrets only from terraform tokens and never a literal', () => {
    expect(() =>
      synth({}, (kv) => kv.addSecret('db-password', { value: 'hunter2hunter2' })),
    ).toThrow(/a secret value must be a terraform token/);
    const out = synth({}, (kv, stack) => {
      const other = new AzKeyVault(stack, 'Other', {
        name: 'kv-other',
        location: 'x',
        resourceGroupName: 'rg',
        skuName: 'standard',
        tenantId: 't',
      });
      kv.addSecret('other-uri', { value: other.vaultUri });
    });
    expect(out).toHaveResourceWithProperties(KeyVaultSecret, {
      name: 'other-uri',
      value: '${azurerm_key_vault.Other.vault_uri}',
    });
    expect(out).not.toContain('hunter2');
  });
});

describe('KeyVault.fromId', () => {
  const vaultId =
    '/subscriptions/s/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared';

  it('grants on a vault created elsewhere through the IKeyVault interface', () => {
    const { stack } = testScope();
    const vault: IKeyVault = KeyVault.fromId(stack, 'Shared', { resourceId: vaultId });
    expect(vault).toMatchObject({
      name: 'kv-shared',
      vaultUri: 'https://kv-shared.vault.azure.net/',
    });
    const principal = { principalId: 'p-1', principalType: 'ServicePrincipal' as const };
    const first = vault.grantSecretsRead(principal);
    expect(vault.grantSecretsRead(principal)).toBe(first);
    vault.grantEncryptionUser(principal);
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: vaultId,
      role_definition_name: 'Key Vault Secrets User',
      principal_id: 'p-1',
      principal_type: 'ServicePrincipal',
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      scope: vaultId,
      role_definition_name: 'Key Vault Crypto Service Encryption User',
    });
    expect(out).not.toHaveResource(AzKeyVault);
  });

  it('takes a terraform reference and lets terraform split the name out', () => {
    const { stack } = testScope();
    const id = new TerraformVariable(stack, 'vault_id', { type: 'string' }).stringValue;
    const vault = KeyVault.fromId(stack, 'Shared', { resourceId: id });
    new TerraformOutput(stack, 'vault_name', { value: vault.name });
    vault.grantSecretsManage({ principalId: 'p' });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(RoleAssignment, { scope: '${var.vault_id}' });
    expect((JSON.parse(out) as { output: Record<string, { value: string }> }).output).toEqual({
      vault_name: { value: '${element(split("/", var.vault_id), 8)}' },
    });
  });

  it('rejects a literal id that is not a key vault id', () => {
    const { stack } = testScope();
    expect(() =>
      KeyVault.fromId(stack, 'Shared', {
        resourceId:
          '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
      }),
    ).toThrow(
      /test\/Shared: invalid resourceId ".*storageAccounts\/st": a resource id \/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft.KeyVault\/vaults\/<name>/,
    );
  });
});
