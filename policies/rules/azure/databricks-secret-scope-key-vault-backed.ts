import { fail, pass } from '../../engine/check';
import type { Rule } from '../../engine/types';

/**
 * Secret scopes are backed by Key Vault: the secrets stay in the platform's vault (RBAC, purge
 * protection, rotation, audit logs), and Databricks only reads them. A Databricks-backed scope
 * keeps a second copy that none of those controls reach. The block decides the backend (the
 * provider requires its vault id and DNS name).
 */
export const databricksSecretScopeKeyVaultBacked: Rule = {
  id: 'databricks-secret-scope-key-vault-backed',
  appliesTo: ['databricks_secret_scope'],
  evaluate: (r) =>
    r.has('keyvault_metadata')
      ? pass('keyvault_metadata is set: backed by Azure Key Vault', 'keyvault_metadata')
      : fail(
          'no keyvault_metadata: a Databricks-backed scope (expected keyvault_metadata with the vault’s resource_id and dns_name)',
          'keyvault_metadata',
        ),
};
