import { fail, pass } from '../../engine/check';
import { isExpression } from '../../engine/resource';
import type { Rule } from '../../engine/types';

/**
 * A secret's value is not written literally into the configuration (and so into git and the
 * plan); it comes from an expression or the write-only `value_wo`.
 */
export const keyVaultSecretValueNotInCode: Rule = {
  id: 'key-vault-secret-value-not-in-code',
  appliesTo: ['azurerm_key_vault_secret'],
  evaluate: (r) => {
    const raw = r.attrs.value;
    if (raw === undefined || raw === null)
      return pass('value is not written (value_wo or none)', 'value');
    if (isExpression(raw)) return pass('value comes from an expression', 'value');
    return fail('value is a literal in the configuration', 'value');
  },
};
