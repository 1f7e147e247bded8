import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens RDP (3389) to any source on the internet. */
export const networkSecurityGroupRdpNotOpenToInternet: Rule = {
  id: 'network-security-group-rdp-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, 3389, ['tcp', 'udp'], 'RDP (3389)'),
};
