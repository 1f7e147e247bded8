import { notApplicable } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { referencedBy } from '../shared';

/** Subnets Azure reserves for its own services, which take no NSG or manage their own. */
const EXEMPT = new Set([
  'GatewaySubnet',
  'AzureFirewallSubnet',
  'AzureFirewallManagementSubnet',
  'RouteServerSubnet',
]);

/** Every subnet has a network security group associated with it. */
export const subnetNsgAssociated: Rule = {
  id: 'subnet-nsg-associated',
  appliesTo: ['azurerm_subnet'],
  evaluate: (r, ctx) => {
    const name = r.str('name');
    if (name.state === 'known' && EXEMPT.has(name.value)) {
      return notApplicable(`${name.value} is reserved by Azure and takes no NSG`);
    }
    return referencedBy(
      r,
      ctx,
      'azurerm_subnet_network_security_group_association',
      'subnet_id',
      'NSG association',
    );
  },
};
