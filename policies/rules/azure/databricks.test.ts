import { testRule } from '../../testing';
import { databricksClusterIsolatedAccessMode } from './databricks-cluster-isolated-access-mode';
import { databricksClusterSecretsReferenced } from './databricks-cluster-secrets-referenced';
import { databricksSecretScopeKeyVaultBacked } from './databricks-secret-scope-key-vault-backed';
import { databricksWorkspaceCustomerManagedKey } from './databricks-workspace-customer-managed-key';
import { databricksWorkspaceNoPublicIp } from './databricks-workspace-no-public-ip';
import { databricksWorkspacePremium } from './databricks-workspace-premium';
import { databricksWorkspacePrivateEndpointAttached } from './databricks-workspace-private-endpoint-attached';
import { databricksWorkspacePublicNetworkDisabled } from './databricks-workspace-public-network-disabled';
import { databricksWorkspaceVnetInjected } from './databricks-workspace-vnet-injected';
import { storageAccountLakehouseHierarchicalNamespace } from './storage-account-lakehouse-hierarchical-namespace';

const DBW = 'azurerm_databricks_workspace.w';

testRule(databricksWorkspacePublicNetworkDisabled, {
  compliant: [{ [DBW]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [DBW]: {} }, { [DBW]: { public_network_access_enabled: true } }],
  unknown: [{ [DBW]: { public_network_access_enabled: '${var.open}' } }],
});

testRule(databricksWorkspaceNoPublicIp, {
  compliant: [
    { [DBW]: { custom_parameters: { no_public_ip: true } } },
    // azurerm 3.104+ default
    { [DBW]: { custom_parameters: { virtual_network_id: '${azurerm_virtual_network.v.id}' } } },
  ],
  nonCompliant: [{ [DBW]: { custom_parameters: { no_public_ip: false } } }],
});

testRule(databricksWorkspaceVnetInjected, {
  compliant: [
    { [DBW]: { custom_parameters: { virtual_network_id: '${azurerm_virtual_network.v.id}' } } },
  ],
  nonCompliant: [{ [DBW]: {} }, { [DBW]: { custom_parameters: { no_public_ip: true } } }],
});

testRule(databricksWorkspacePremium, {
  compliant: [{ [DBW]: { sku: 'premium' } }],
  nonCompliant: [{ [DBW]: { sku: 'standard' } }, { [DBW]: { sku: 'trial' } }, { [DBW]: {} }],
});

testRule(databricksWorkspacePrivateEndpointAttached, {
  compliant: [
    {
      [DBW]: {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_databricks_workspace.w.id}',
          subresource_names: ['databricks_ui_api'],
        },
      },
    },
  ],
  nonCompliant: [{ [DBW]: {} }],
});

testRule(databricksWorkspaceCustomerManagedKey, {
  compliant: [
    {
      [DBW]: {
        managed_services_cmk_key_vault_key_id: '${azurerm_key_vault_key.k.id}',
        managed_disk_cmk_key_vault_key_id: '${azurerm_key_vault_key.k.id}',
      },
    },
  ],
  nonCompliant: [
    { [DBW]: {} },
    { [DBW]: { managed_services_cmk_key_vault_key_id: '${azurerm_key_vault_key.k.id}' } },
  ],
});

const LAKE = 'azurerm_storage_account.lake';
const connector = {
  'azurerm_databricks_access_connector.c': { identity: { type: 'SystemAssigned' } },
};
const grant = {
  'azurerm_role_assignment.g': {
    scope: '${azurerm_storage_account.lake.id}',
    role_definition_name: 'Storage Blob Data Contributor',
    principal_id: '${azurerm_databricks_access_connector.c.identity[0].principal_id}',
  },
};

testRule(storageAccountLakehouseHierarchicalNamespace, {
  compliant: [{ [LAKE]: { is_hns_enabled: true }, ...connector, ...grant }],
  nonCompliant: [
    { [LAKE]: {}, ...connector, ...grant },
    { [LAKE]: { is_hns_enabled: false }, ...connector, ...grant },
  ],
  notApplicable: [
    // an account no access connector is granted on (e.g. a function app's)
    { [LAKE]: {} },
    {
      [LAKE]: {},
      'azurerm_user_assigned_identity.u': {},
      'azurerm_role_assignment.g': {
        scope: '${azurerm_storage_account.lake.id}',
        role_definition_name: 'Storage Blob Data Contributor',
        principal_id: '${azurerm_user_assigned_identity.u.principal_id}',
      },
    },
  ],
});

const JOB = 'databricks_job.j';
const cluster = (extra: Record<string, unknown> = {}) => ({
  spark_version: '17.3.x-scala2.13',
  node_type_id: 'Standard_D4ds_v5',
  num_workers: 1,
  ...extra,
});

testRule(databricksClusterIsolatedAccessMode, {
  compliant: [
    {
      [JOB]: {
        job_cluster: [
          { job_cluster_key: 'main', new_cluster: cluster({ data_security_mode: 'SINGLE_USER' }) },
        ],
      },
    },
    {
      [JOB]: {
        task: [
          {
            task_key: 'a',
            new_cluster: cluster({ data_security_mode: 'DATA_SECURITY_MODE_STANDARD' }),
          },
          { task_key: 'b', new_cluster: cluster({ data_security_mode: 'USER_ISOLATION' }) },
        ],
      },
    },
    { 'databricks_cluster.c': cluster({ data_security_mode: 'DATA_SECURITY_MODE_DEDICATED' }) },
  ],
  nonCompliant: [
    { [JOB]: { job_cluster: [{ job_cluster_key: 'main', new_cluster: cluster() }] } },
    {
      [JOB]: {
        job_cluster: [
          { job_cluster_key: 'main', new_cluster: cluster({ data_security_mode: 'NONE' }) },
        ],
      },
    },
    { [JOB]: { new_cluster: cluster({ data_security_mode: 'LEGACY_PASSTHROUGH' }) } },
    {
      // one isolated task cluster does not excuse the other
      [JOB]: {
        task: [
          { task_key: 'a', new_cluster: cluster({ data_security_mode: 'SINGLE_USER' }) },
          {
            task_key: 'b',
            new_cluster: cluster({ data_security_mode: 'DATA_SECURITY_MODE_AUTO' }),
          },
        ],
      },
    },
    { 'databricks_cluster.c': cluster() },
  ],
  unknown: [
    {
      [JOB]: {
        job_cluster: [
          { job_cluster_key: 'main', new_cluster: cluster({ data_security_mode: '${var.mode}' }) },
        ],
      },
    },
    { [JOB]: { job_cluster: '${var.clusters}' } },
  ],
  notApplicable: [{ [JOB]: { task: [{ task_key: 'a', existing_cluster_id: 'x' }] } }],
});

testRule(databricksClusterSecretsReferenced, {
  compliant: [
    {
      [JOB]: {
        job_cluster: [
          {
            job_cluster_key: 'main',
            new_cluster: cluster({
              spark_env_vars: {
                KAFKA_PASSWORD: '{{secrets/iot-platform/kafka-password}}',
                LOG_LEVEL: 'info',
              },
              spark_conf: {
                'fs.azure.account.key.lake.dfs.core.windows.net': '{{secrets/s/lake-key}}',
              },
            }),
          },
        ],
      },
    },
  ],
  nonCompliant: [
    {
      [JOB]: {
        job_cluster: [
          {
            job_cluster_key: 'main',
            new_cluster: cluster({
              spark_env_vars: {
                EVENTHUBS_CONNECTION_STRING: 'Endpoint=sb://x/;SharedAccessKey=abc',
              },
            }),
          },
        ],
      },
    },
    {
      'databricks_cluster.c': cluster({
        spark_conf: { 'spark.hadoop.fs.azure.account.oauth2.client.secret': '${var.secret}' },
      }),
    },
    {
      [JOB]: {
        task: [
          { task_key: 'a', new_cluster: cluster({ spark_env_vars: { API_TOKEN: 'dapi123' } }) },
        ],
      },
    },
    {
      'databricks_cluster.c': cluster({
        spark_conf: { 'fs.azure.account.key.lake.dfs.core.windows.net': 'bXkta2V5' },
      }),
    },
  ],
  unknown: [{ 'databricks_cluster.c': cluster({ spark_env_vars: '${var.env}' }) }],
  notApplicable: [
    { 'databricks_cluster.c': cluster({ spark_env_vars: { LOG_LEVEL: 'info', TOPIC: 'alerts' } }) },
    { [JOB]: { task: [{ task_key: 'a', existing_cluster_id: 'x' }] } },
  ],
});

testRule(databricksSecretScopeKeyVaultBacked, {
  compliant: [
    {
      'databricks_secret_scope.s': {
        name: 'iot-platform',
        keyvault_metadata: {
          resource_id: '${azurerm_key_vault.kv.id}',
          dns_name: '${azurerm_key_vault.kv.vault_uri}',
        },
      },
    },
  ],
  nonCompliant: [{ 'databricks_secret_scope.s': { name: 'iot-platform' } }],
});
