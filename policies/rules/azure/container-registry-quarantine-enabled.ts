import { expectBool, notApplicable } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Quarantine: a pushed image cannot be pulled until a scanner releases it (Premium). */
export const containerRegistryQuarantineEnabled: Rule = {
  id: 'container-registry-quarantine-enabled',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r) => {
    const sku = r.str('sku');
    if (sku.state === 'known' && sku.value !== 'Premium') {
      return notApplicable(`quarantine needs the Premium SKU (sku = "${sku.value}")`, 'sku');
    }
    return expectBool(r, 'quarantine_policy_enabled', true, false);
  },
};
