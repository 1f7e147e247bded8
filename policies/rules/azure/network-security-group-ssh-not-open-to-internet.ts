import type { Rule } from '../../engine/types';
import { internetExposure } from '../shared';

/** No inbound Allow rule opens SSH (22/tcp) to any source on the internet. */
export const networkSecurityGroupSshNotOpenToInternet: Rule = {
  id: 'network-security-group-ssh-not-open-to-internet',
  appliesTo: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  evaluate: (r) => internetExposure(r, 22, ['tcp'], 'SSH (22/tcp)'),
};
