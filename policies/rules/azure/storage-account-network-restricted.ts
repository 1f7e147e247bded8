import { expectBool, expectString, pass } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The public endpoint is off, or the firewall denies by default. */
export const storageAccountNetworkRestricted: Rule = {
  id: 'storage-account-network-restricted',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => {
    const off = expectBool(r, 'public_network_access_enabled', false, true);
    if (off.outcome === 'PASS') return off;
    const deny = expectString(r, 'network_rules.default_action', {
      default: 'Allow',
      test: (v) => v.toLowerCase() === 'deny',
      expected: 'Deny',
    });
    if (deny.outcome === 'PASS')
      return pass(`public endpoint on but ${deny.message}`, deny.attribute);
    return off.outcome === 'UNKNOWN' ? off : deny;
  },
};
