import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens HTTP (80/tcp) to any source on the internet. */
export const networkSecurityGroupHttpNotOpenToInternet: Rule = {
  id: 'network-security-group-http-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, 80, ['tcp'], 'HTTP (80/tcp)'),
};
