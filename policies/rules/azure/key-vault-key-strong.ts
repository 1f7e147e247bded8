import { expectNumber, expectString, notApplicable, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** RSA keys are at least 3072 bits (NIST beyond 2030); EC keys use P-256 or stronger curves. */
export const keyVaultKeyStrong: Rule = {
  id: 'key-vault-key-strong',
  appliesTo: ['azurerm_key_vault_key'],
  evaluate: (r) => {
    const type = r.str('key_type');
    if (type.state !== 'known') return unknown('key_type is not known', 'key_type');
    if (type.value.startsWith('RSA')) {
      return expectNumber(r, 'key_size', { test: (v) => v >= 3072, expected: '>= 3072' });
    }
    if (type.value.startsWith('EC')) {
      return expectString(r, 'curve', {
        default: 'P-256',
        test: (v) => ['P-256', 'P-384', 'P-521'].includes(v),
        expected: 'P-256, P-384 or P-521',
      });
    }
    return notApplicable(`key_type ${type.value} is not an asymmetric key`);
  },
};
