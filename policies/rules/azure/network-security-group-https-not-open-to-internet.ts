import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens HTTPS (443/tcp) to any source on the internet. */
export const networkSecurityGroupHttpsNotOpenToInternet: Rule = {
  id: 'network-security-group-https-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, 443, ['tcp'], 'HTTPS (443/tcp)'),
};
