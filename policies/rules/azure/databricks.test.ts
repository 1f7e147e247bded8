import { testRule } from '../../testing';
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
