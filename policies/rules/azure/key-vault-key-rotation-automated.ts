import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** A key rotates itself: a rotation policy with an `automatic` trigger. */
export const keyVaultKeyRotationAutomated: Rule = {
  id: 'key-vault-key-rotation-automated',
  appliesTo: ['azurerm_key_vault_key'],
  evaluate: (r) => {
    const after = r.str('rotation_policy.automatic.time_after_creation');
    const before = r.str('rotation_policy.automatic.time_before_expiry');
    if (after.state === 'known' || before.state === 'known') {
      return pass('rotation_policy.automatic is set', 'rotation_policy.automatic');
    }
    if (after.state === 'unknown' || before.state === 'unknown') {
      return unknown('rotation_policy.automatic is an expression', 'rotation_policy.automatic');
    }
    return fail('no rotation_policy.automatic trigger', 'rotation_policy.automatic');
  },
};
