import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The vault firewall denies by default; without `network_acls` Azure allows every network. */
export const keyVaultFirewallDeniesByDefault: Rule = {
  id: 'key-vault-firewall-denies-by-default',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r) =>
    expectString(r, 'network_acls.default_action', {
      default: 'Allow',
      test: (v) => v.toLowerCase() === 'deny',
      expected: 'Deny',
    }),
};
