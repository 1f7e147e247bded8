import { testRule } from '../../testing';
import { storageAccountBlobSoftDeleteEnabled } from './storage-account-blob-soft-delete-enabled';
import { storageAccountCrossTenantReplicationDisabled } from './storage-account-cross-tenant-replication-disabled';
import { storageAccountHttpsOnly } from './storage-account-https-only';
import { storageAccountInfrastructureEncrypted } from './storage-account-infrastructure-encrypted';
import { storageAccountNetworkRestricted } from './storage-account-network-restricted';
import { storageAccountPrivateEndpointAttached } from './storage-account-private-endpoint-attached';
import { storageAccountPublicBlobAccessDisabled } from './storage-account-public-blob-access-disabled';
import { storageAccountSharedKeyDisabled } from './storage-account-shared-key-disabled';
import { storageAccountTls12 } from './storage-account-tls-1-2';
import { storageAccountCustomerManagedKey } from './storage-account-customer-managed-key';

const SA = 'azurerm_storage_account.sa';

testRule(storageAccountHttpsOnly, {
  compliant: [{ [SA]: {} }, { [SA]: { https_traffic_only_enabled: true } }],
  nonCompliant: [
    { [SA]: { https_traffic_only_enabled: false } },
    // The azurerm 3.x name must not slip through as "not set, default true".
    { [SA]: { enable_https_traffic_only: 'false' } },
  ],
});

testRule(storageAccountTls12, {
  compliant: [
    { [SA]: {} },
    { [SA]: { min_tls_version: 'TLS1_2' } },
    { [SA]: { min_tls_version: 'TLS1_3' } },
  ],
  nonCompliant: [{ [SA]: { min_tls_version: 'TLS1_0' } }, { [SA]: { min_tls_version: 'TLS1_1' } }],
  unknown: [{ [SA]: { min_tls_version: '${var.tls}' } }],
});

testRule(storageAccountPublicBlobAccessDisabled, {
  compliant: [{ [SA]: { allow_nested_items_to_be_public: false } }],
  nonCompliant: [{ [SA]: {} }, { [SA]: { allow_blob_public_access: true } }],
});

testRule(storageAccountNetworkRestricted, {
  compliant: [
    { [SA]: { public_network_access_enabled: false } },
    { [SA]: { network_rules: { default_action: 'Deny', bypass: ['AzureServices'] } } },
  ],
  nonCompliant: [{ [SA]: {} }, { [SA]: { network_rules: [{ default_action: 'Allow' }] } }],
  unknown: [{ [SA]: { public_network_access_enabled: '${var.public}' } }],
});

testRule(storageAccountSharedKeyDisabled, {
  compliant: [{ [SA]: { shared_access_key_enabled: false } }],
  nonCompliant: [{ [SA]: {} }],
});

testRule(storageAccountBlobSoftDeleteEnabled, {
  compliant: [{ [SA]: { blob_properties: { delete_retention_policy: { days: 14 } } } }],
  nonCompliant: [
    { [SA]: {} },
    { [SA]: { blob_properties: [{ delete_retention_policy: [{ days: '1' }] }] } },
  ],
});

testRule(storageAccountInfrastructureEncrypted, {
  compliant: [{ [SA]: { infrastructure_encryption_enabled: true } }],
  nonCompliant: [{ [SA]: {} }],
});

testRule(storageAccountCrossTenantReplicationDisabled, {
  compliant: [{ [SA]: {} }, { [SA]: { cross_tenant_replication_enabled: false } }],
  nonCompliant: [{ [SA]: { cross_tenant_replication_enabled: true } }],
});

testRule(storageAccountPrivateEndpointAttached, {
  compliant: [
    {
      [SA]: {},
      'azurerm_private_endpoint.blob': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_storage_account.sa.id}',
          subresource_names: ['blob'],
        },
      },
    },
  ],
  nonCompliant: [{ [SA]: {} }],
});

const CMK_KEY = '${azurerm_key_vault_key.cmk.versionless_id}';

testRule(storageAccountCustomerManagedKey, {
  compliant: [
    {
      [SA]: { customer_managed_key: { key_vault_key_id: CMK_KEY, user_assigned_identity_id: 'x' } },
    },
    // The key as its own resource pointing at the account.
    {
      [SA]: {},
      'azurerm_storage_account_customer_managed_key.cmk': {
        storage_account_id: '${azurerm_storage_account.sa.id}',
        key_vault_key_id: CMK_KEY,
      },
    },
  ],
  nonCompliant: [
    { [SA]: {} },
    // A customer-managed key for another account does not count.
    {
      [SA]: {},
      'azurerm_storage_account.other': {},
      'azurerm_storage_account_customer_managed_key.cmk': {
        storage_account_id: '${azurerm_storage_account.other.id}',
        key_vault_key_id: CMK_KEY,
      },
    },
  ],
  unknown: [{ [SA]: { customer_managed_key: { key_vault_key_id: '${var.key_id}' } } }],
});
