import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens every port of every protocol to the internet. */
export const networkSecurityGroupAllPortsNotOpenToInternet: Rule = {
  id: 'network-security-group-all-ports-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, undefined, ['tcp', 'udp', 'icmp', 'esp', 'ah'], 'all ports'),
};
