import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The Azure Managed Redis endpoint is reachable only over private link. */
export const managedRedisPublicNetworkDisabled: Rule = {
  id: 'managed-redis-public-network-disabled',
  appliesTo: ['azurerm_managed_redis'],
  evaluate: (r) =>
    expectString(r, 'public_network_access', {
      default: 'Enabled',
      test: (v) => v === 'Disabled',
      expected: 'Disabled',
    }),
};
