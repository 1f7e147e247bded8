import { TerraformOutput, Testing } from 'cdktf';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ValidationError } from '../core';
import { DataLake } from './data-lake';
import type { DataLakeProps, IDataLake } from './data-lake';
import { testScope } from '../../test/construct-helpers';

function make(props: Partial<DataLakeProps> = {}) {
  const { stack, rg } = testScope();
  const lake = new DataLake(stack, 'Lake', { name: 'stlaketest', resourceGroup: rg, ...props });
  return { stack, lake };
}

const resources = (out: string, type: string): Array<Record<string, unknown>> =>
  Object.values(
    (JSON.parse(out) as { resource: Record<string, Record<string, Record<string, unknown>>> })
      .resource[type] ?? {},
  );

describe('DataLake', () => {
  it('is an hns account with no shared key, no public access, tls 1.2 and double encryption', () => {
    const out = Testing.synth(make().stack);
    expect(out).toHaveResourceWithProperties(StorageAccount, {
      is_hns_enabled: true,
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      public_network_access_enabled: false,
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      cross_tenant_replication_enabled: false,
      infrastructure_encryption_enabled: true,
      account_replication_type: 'ZRS',
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
      blob_properties: {
        delete_retention_policy: { days: 7 },
        container_delete_retention_policy: { days: 7 },
      },
    });
  });

  it('creates the medallion containers and checkpoints through the management plane', () => {
    const out = Testing.synth(make().stack);
    const containers = resources(out, 'azurerm_storage_container');
    expect(containers.map((c) => c.name).sort()).toEqual([
      'bronze',
      'checkpoints',
      'gold',
      'silver',
    ]);
    expect(out).toHaveResourceWithProperties(StorageContainer, {
      storage_account_id: expect.stringMatching(/azurerm_storage_account\.\w+\.id/),
      container_access_type: 'private',
    });
  });

  it('builds abfss urls for its own containers only', () => {
    const { lake, stack } = make({ containers: ['lakehouse'] });
    new TerraformOutput(stack, 'url', { value: lake.abfssUrl('lakehouse', '/tables') });
    const out = JSON.parse(Testing.synth(stack)) as { output: { url: { value: string } } };
    expect(out.output.url.value).toMatch(
      /^abfss:\/\/lakehouse@\$\{azurerm_storage_account\.\w+\.name\}\.dfs\.core\.windows\.net\/tables$/,
    );
    expect(() => lake.abfssUrl('gold')).toThrow(ValidationError);
  });

  it('grants blob data contributor and reader, once per principal', () => {
    const { stack, lake: account } = make();
    const lake: IDataLake = account; // declared on the interface
    const p = { principalId: 'p-1', principalType: 'ServicePrincipal' as const };
    lake.grantReadWrite(p);
    lake.grantReadWrite(p);
    lake.grantRead({ principalId: 'p-2' });
    const out = Testing.synth(stack);
    expect(resources(out, 'azurerm_role_assignment').map((r) => r.role_definition_name)).toEqual([
      'Storage Blob Data Contributor',
      'Storage Blob Data Reader',
    ]);
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      principal_id: 'p-1',
      principal_type: 'ServicePrincipal',
      scope: expect.stringMatching(/azurerm_storage_account\.\w+\.id/),
    });
  });

  it('puts dfs and blob private endpoints, account metrics and blob logs in place', () => {
    const out = Testing.synth(
      make({
        privateEndpoints: Object.fromEntries(
          (['dfs', 'blob'] as const).map((z) => [
            z,
            {
              subnet: { id: 'pe-id', name: 'pe' },
              privateDnsZones: [{ id: `${z}-zone`, name: z }],
              subresource: z,
            },
          ]),
        ),
        diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      }).stack,
    );
    const subresources = resources(out, 'azurerm_private_endpoint').map(
      (pe) => (pe.private_service_connection as { subresource_names: string[] }).subresource_names,
    );
    expect(subresources.flat().sort()).toEqual(['blob', 'dfs']);
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringMatching(/blobServices\/default$/),
      enabled_log: [{ category_group: 'allLogs' }],
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringMatching(/^\$\{azurerm_storage_account\.\w+\.id\}$/),
      enabled_metric: [{ category: 'Transaction' }],
    });
  });

  it('encrypts with a customer-managed key through its user-assigned identity', () => {
    const out = Testing.synth(
      make({
        customerManagedKey: {
          key: { id: 'https://kv/keys/k/1', versionlessId: 'https://kv/keys/k' },
          identity: { id: 'uai-id', principalId: 'p', clientId: 'c' },
        },
      }).stack,
    );
    expect(out).toHaveResourceWithProperties(StorageAccount, {
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
      customer_managed_key: {
        key_vault_key_id: 'https://kv/keys/k',
        user_assigned_identity_id: 'uai-id',
      },
    });
  });

  describe('validation', () => {
    const invalid = (props: Partial<DataLakeProps>, prop: string) => {
      let error: unknown;
      try {
        make(props);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).prop).toBe(prop);
    };
    it('rejects a storage account name azure does not allow', () =>
      invalid({ name: 'St-Lake' }, 'name'));
    it('rejects unknown replication', () =>
      invalid({ replication: 'XRS' as unknown as 'LRS' }, 'replication'));
    it('rejects soft delete outside 1-365 days', () =>
      invalid({ softDeleteRetentionDays: 0 }, 'softDeleteRetentionDays'));
    it('rejects no containers, a bad container name and a repeated one', () => {
      invalid({ containers: [] }, 'containers');
      invalid({ containers: ['Bronze'] }, 'containers[0]');
      invalid({ containers: ['gold', 'gold'] }, 'containers');
    });
  });
});
