import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A secret says what it holds (`content_type`), so rotation tooling knows how to renew it. */
export const keyVaultSecretContentTypeSet: Rule = {
  id: 'key-vault-secret-content-type-set',
  appliesTo: ['azurerm_key_vault_secret'],
  evaluate: (r) =>
    expectString(r, 'content_type', { test: (v) => v.trim() !== '', expected: 'a content type' }),
};
