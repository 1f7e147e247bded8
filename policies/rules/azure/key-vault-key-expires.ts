import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A key has an expiration date, or a rotation policy that sets one. */
export const keyVaultKeyExpires: Rule = {
  id: 'key-vault-key-expires',
  appliesTo: ['azurerm_key_vault_key'],
  evaluate: (r) => {
    const date = r.str('expiration_date');
    const after = r.str('rotation_policy.expire_after');
    if (date.state === 'known') return pass(`expiration_date = ${date.value}`, 'expiration_date');
    if (after.state === 'known') {
      return pass(`rotation_policy.expire_after = ${after.value}`, 'rotation_policy.expire_after');
    }
    if (date.state === 'unknown' || after.state === 'unknown') {
      return unknown('the expiry is an expression', 'expiration_date');
    }
    return fail(
      'neither expiration_date nor rotation_policy.expire_after is set',
      'expiration_date',
    );
  },
};
