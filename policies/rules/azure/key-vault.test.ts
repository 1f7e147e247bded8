import { testRule } from '../../testing';
import { keyVaultFirewallDeniesByDefault } from './key-vault-firewall-denies-by-default';
import { keyVaultKeyExpires } from './key-vault-key-expires';
import { keyVaultKeyRotationAutomated } from './key-vault-key-rotation-automated';
import { keyVaultKeyStrong } from './key-vault-key-strong';
import { keyVaultPrivateEndpointAttached } from './key-vault-private-endpoint-attached';
import { keyVaultPublicNetworkDisabled } from './key-vault-public-network-disabled';
import { keyVaultPurgeProtected } from './key-vault-purge-protected';
import { keyVaultRbacAuthorized } from './key-vault-rbac-authorized';
import { keyVaultSecretContentTypeSet } from './key-vault-secret-content-type-set';
import { keyVaultSecretExpires } from './key-vault-secret-expires';
import { keyVaultSecretValueNotInCode } from './key-vault-secret-value-not-in-code';

const KV = 'azurerm_key_vault.kv';

testRule(keyVaultPurgeProtected, {
  compliant: [
    { [KV]: { purge_protection_enabled: true } },
    { [KV]: { purge_protection_enabled: 'true' } },
  ],
  nonCompliant: [{ [KV]: {} }, { [KV]: { purge_protection_enabled: 'false' } }],
  unknown: [{ [KV]: { purge_protection_enabled: '${var.purge}' } }],
});

testRule(keyVaultRbacAuthorized, {
  compliant: [
    { [KV]: { rbac_authorization_enabled: true } },
    // azurerm 3.x name is read as the 4.x one.
    { [KV]: { enable_rbac_authorization: true } },
  ],
  nonCompliant: [{ [KV]: {} }, { [KV]: { enable_rbac_authorization: false } }],
});

testRule(keyVaultPublicNetworkDisabled, {
  compliant: [{ [KV]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [KV]: {} }, { [KV]: { public_network_access_enabled: true } }],
  unknown: [{ [KV]: { public_network_access_enabled: '${local.public}' } }],
});

testRule(keyVaultFirewallDeniesByDefault, {
  compliant: [
    { [KV]: { network_acls: { default_action: 'Deny', bypass: 'AzureServices' } } },
    // A block written as a one-element list reads the same as an object.
    { [KV]: { network_acls: [{ default_action: 'Deny', bypass: 'None' }] } },
  ],
  nonCompliant: [{ [KV]: {} }, { [KV]: { network_acls: { default_action: 'Allow' } } }],
});

testRule(keyVaultPrivateEndpointAttached, {
  compliant: [
    {
      [KV]: {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_key_vault.kv.id}',
        },
      },
    },
  ],
  nonCompliant: [
    { [KV]: {} },
    {
      [KV]: {},
      'azurerm_storage_account.other': {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: [
          { private_connection_resource_id: '${azurerm_storage_account.other.id}' },
        ],
      },
    },
  ],
  unknown: [
    {
      [KV]: {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: { private_connection_resource_id: '${var.target}' },
      },
    },
  ],
});

const KEY = 'azurerm_key_vault_key.k';

testRule(keyVaultKeyExpires, {
  compliant: [
    { [KEY]: { expiration_date: '2027-12-31T00:00:00Z' } },
    { [KEY]: { rotation_policy: { expire_after: 'P1Y' } } },
  ],
  nonCompliant: [{ [KEY]: { key_type: 'RSA' } }],
  unknown: [{ [KEY]: { expiration_date: '${timeadd(timestamp(), "8760h")}' } }],
});

testRule(keyVaultKeyRotationAutomated, {
  compliant: [
    {
      [KEY]: {
        rotation_policy: { automatic: { time_before_expiry: 'P30D' }, expire_after: 'P1Y' },
      },
    },
  ],
  nonCompliant: [{ [KEY]: {} }, { [KEY]: { rotation_policy: { expire_after: 'P1Y' } } }],
});

testRule(keyVaultKeyStrong, {
  compliant: [
    { [KEY]: { key_type: 'RSA', key_size: 4096 } },
    { [KEY]: { key_type: 'EC-HSM', curve: 'P-384' } },
  ],
  nonCompliant: [
    { [KEY]: { key_type: 'RSA', key_size: '2048' } },
    { [KEY]: { key_type: 'EC', curve: 'P-256K' } },
  ],
  notApplicable: [{ [KEY]: { key_type: 'oct-HSM' } }],
});

const SECRET = 'azurerm_key_vault_secret.s';

testRule(keyVaultSecretExpires, {
  compliant: [{ [SECRET]: { expiration_date: '2027-01-01T00:00:00Z' } }],
  nonCompliant: [{ [SECRET]: { name: 'db' } }],
});

testRule(keyVaultSecretContentTypeSet, {
  compliant: [{ [SECRET]: { content_type: 'password' } }],
  nonCompliant: [{ [SECRET]: {} }, { [SECRET]: { content_type: ' ' } }],
});

testRule(keyVaultSecretValueNotInCode, {
  compliant: [
    { [SECRET]: { value: '${random_password.db.result}' } },
    { [SECRET]: { value_wo: '${ephemeral.random_password.db.result}', value_wo_version: 1 } },
  ],
  nonCompliant: [{ [SECRET]: { value: 'hunter2-in-git' } }],
});
