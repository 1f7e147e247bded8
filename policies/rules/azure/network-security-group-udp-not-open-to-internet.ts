import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens every UDP port to the internet (amplification attacks). */
export const networkSecurityGroupUdpNotOpenToInternet: Rule = {
  id: 'network-security-group-udp-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, undefined, ['udp'], 'all UDP ports'),
};
