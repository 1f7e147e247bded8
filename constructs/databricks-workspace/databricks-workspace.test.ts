import { Testing } from 'cdktf';
import { DatabricksWorkspace as AzDatabricksWorkspace } from '@cdktf/provider-azurerm/lib/databricks-workspace';
import { DatabricksAccessConnector } from '@cdktf/provider-azurerm/lib/databricks-access-connector';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { ValidationError, grantRole } from '../core';
import { DatabricksWorkspace } from './databricks-workspace';
import type { DatabricksWorkspaceProps } from './databricks-workspace';
import { testScope } from '../../test/construct-helpers';

function make(props: Partial<DatabricksWorkspaceProps> = {}) {
  const { stack, rg } = testScope();
  const dbw = new DatabricksWorkspace(stack, 'Databricks', {
    name: 'dbw-iot-test',
    resourceGroup: rg,
    virtualNetwork: { id: 'vnet-id', name: 'vnet' },
    hostSubnet: {
      subnet: { id: 'host-id', name: 'databricks-host' },
      networkSecurityGroupAssociation: { id: 'host-assoc-id' },
    },
    containerSubnet: {
      subnet: { id: 'container-id', name: 'databricks-container' },
      networkSecurityGroupAssociation: { id: 'container-assoc-id' },
    },
    ...props,
  });
  return { stack, dbw };
}

const synth = (props: Partial<DatabricksWorkspaceProps> = {}) => Testing.synth(make(props).stack);

const resources = (out: string, type: string): Record<string, Record<string, unknown>> =>
  (JSON.parse(out) as { resource: Record<string, Record<string, Record<string, unknown>>> })
    .resource[type] ?? {};

const cmk = {
  key: { id: 'https://kv.vault.azure.net/keys/dbw/1', versionlessId: 'https://kv/keys/dbw' },
  keyVault: { id: 'kv-id' },
  azureDatabricksPrincipal: { principalId: '11111111-1111-1111-1111-111111111111' },
};

describe('DatabricksWorkspace', () => {
  it('is premium, vnet-injected with secure cluster connectivity and private-only by default', () => {
    expect(synth()).toHaveResourceWithProperties(AzDatabricksWorkspace, {
      sku: 'premium',
      public_network_access_enabled: false,
      network_security_group_rules_required: 'NoAzureDatabricksRules',
      infrastructure_encryption_enabled: true,
      managed_resource_group_name: 'rg-test-dbw-dbw-iot-test',
      custom_parameters: {
        no_public_ip: true,
        virtual_network_id: 'vnet-id',
        public_subnet_name: 'databricks-host',
        private_subnet_name: 'databricks-container',
        public_subnet_network_security_group_association_id: 'host-assoc-id',
        private_subnet_network_security_group_association_id: 'container-assoc-id',
      },
    });
  });

  it('needs all azure databricks nsg rules only when the public endpoint is opened', () => {
    expect(synth({ publicNetworkAccess: true })).toHaveResourceWithProperties(
      AzDatabricksWorkspace,
      { public_network_access_enabled: true, network_security_group_rules_required: 'AllRules' },
    );
  });

  it('creates an access connector with a system-assigned identity and exposes it as a principal', () => {
    const { stack, dbw } = make();
    grantRole(stack, 'Probe', {
      scope: 'lake-id',
      roleDefinitionName: 'Storage Blob Data Contributor',
      principal: dbw.accessConnectorPrincipal,
    });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(DatabricksAccessConnector, {
      name: 'dbw-iot-test-connector',
      identity: { type: 'SystemAssigned' },
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      principal_id: expect.stringMatching(
        /azurerm_databricks_access_connector\.\w+\.identity\[0\]\.principal_id/,
      ),
      principal_type: 'ServicePrincipal',
    });
  });

  it('takes a user-assigned identity for the access connector', () => {
    const { stack, dbw } = make({
      managedIdentities: { userAssigned: [{ id: 'uai-id', principalId: 'uai-p', clientId: 'c' }] },
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DatabricksAccessConnector, {
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
    });
    expect(dbw.accessConnectorPrincipal.principalId).toBe('uai-p');
  });

  it('creates front/back-end and browser-authentication private endpoints, logs-only diagnostics and a lock', () => {
    const zone = { id: 'zone-id', name: 'privatelink.azuredatabricks.net' };
    const out = synth({
      privateEndpoints: {
        ui: { subnet: { id: 'pe-id', name: 'pe' }, privateDnsZones: [zone] },
        auth: {
          subnet: { id: 'pe-id', name: 'pe' },
          privateDnsZones: [zone],
          subresource: 'browser_authentication',
        },
      },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
    });
    const subresources = Object.values(resources(out, 'azurerm_private_endpoint')).map(
      (pe) => (pe.private_service_connection as { subresource_names: string[] }).subresource_names,
    );
    expect(subresources.flat().sort()).toEqual(['browser_authentication', 'databricks_ui_api']);
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone-id'] },
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      enabled_log: [{ category_group: 'allLogs' }],
      log_analytics_workspace_id: 'law-id',
    });
    const diag = Object.values(resources(out, 'azurerm_monitor_diagnostic_setting'))[0];
    expect(diag.enabled_metric ?? []).toEqual([]);
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
  });

  it('encrypts managed services and disks with a customer-managed key, granting the databricks app first and the disk set after', () => {
    const out = synth({ customerManagedKey: cmk });
    expect(out).toHaveResourceWithProperties(AzDatabricksWorkspace, {
      managed_services_cmk_key_vault_key_id: cmk.key.id,
      managed_disk_cmk_key_vault_key_id: cmk.key.id,
      managed_disk_cmk_rotation_to_latest_version_enabled: true,
    });
    const grants = Object.values(resources(out, 'azurerm_role_assignment'));
    expect(grants.map((g) => g.role_definition_name)).toEqual([
      'Key Vault Crypto Service Encryption User',
      'Key Vault Crypto Service Encryption User',
    ]);
    expect(grants.map((g) => g.principal_id)).toEqual([
      cmk.azureDatabricksPrincipal.principalId,
      expect.stringMatching(/managed_disk_identity\[0\]\.principal_id/),
    ]);
    const workspace = Object.values(resources(out, 'azurerm_databricks_workspace'))[0];
    expect(workspace.depends_on).toEqual([
      expect.stringMatching(/^azurerm_role_assignment\.Databricks_KeyAzureDatabricks/),
    ]);
  });

  it('leaves the disks on platform keys when only managed services take the key', () => {
    const out = synth({ customerManagedKey: { ...cmk, managedDisks: false } });
    const workspace = Object.values(resources(out, 'azurerm_databricks_workspace'))[0];
    expect(workspace.managed_services_cmk_key_vault_key_id).toBe(cmk.key.id);
    expect(workspace.managed_disk_cmk_key_vault_key_id).toBeUndefined();
    expect(Object.keys(resources(out, 'azurerm_role_assignment'))).toHaveLength(1);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      principal_id: cmk.azureDatabricksPrincipal.principalId,
    });
  });

  describe('validation', () => {
    const invalid = (props: Partial<DatabricksWorkspaceProps>, prop: string) => {
      let error: unknown;
      try {
        make(props);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).prop).toBe(prop);
      expect((error as ValidationError).constructPath).toBe('test/Databricks');
    };

    it('rejects a name azure does not allow', () => {
      invalid({ name: 'db' }, 'name');
      invalid({ name: 'dbw iot' }, 'name');
    });

    it('rejects the same subnet for host and container', () => {
      invalid(
        {
          containerSubnet: {
            subnet: { id: 'host-id', name: 'databricks-host' },
            networkSecurityGroupAssociation: { id: 'host-assoc-id' },
          },
        },
        'containerSubnet',
      );
    });

    it('rejects a private endpoint sub-resource a workspace does not have', () => {
      invalid(
        {
          privateEndpoints: {
            main: { subnet: { id: 'pe', name: 'pe' }, privateDnsZones: [], subresource: 'blob' },
          },
        },
        'privateEndpoints.main.subresource',
      );
    });

    it('rejects an access connector without an identity', () => {
      invalid({ managedIdentities: { systemAssigned: false } }, 'managedIdentities');
    });

    it('rejects a customer-managed key that encrypts nothing', () => {
      invalid(
        { customerManagedKey: { ...cmk, managedServices: false, managedDisks: false } },
        'customerManagedKey',
      );
    });
  });
});
