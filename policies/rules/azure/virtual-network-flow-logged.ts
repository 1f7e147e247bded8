import type { Rule } from '../../engine/types';
import { referencedBy } from '../shared';

/** A VNet flow log (the successor of NSG flow logs) records traffic of the network. */
export const virtualNetworkFlowLogged: Rule = {
  id: 'virtual-network-flow-logged',
  appliesTo: ['azurerm_virtual_network'],
  evaluate: (r, ctx) =>
    referencedBy(r, ctx, 'azurerm_network_watcher_flow_log', 'target_resource_id', 'flow log'),
};
