import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Entra RBAC instead of vault access policies (3.x `enable_rbac_authorization` is read too). */
export const keyVaultRbacAuthorized: Rule = {
  id: 'key-vault-rbac-authorized',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r) => expectBool(r, 'rbac_authorization_enabled', true, false),
};
