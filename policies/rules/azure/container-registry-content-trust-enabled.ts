import { expectBool, notApplicable } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Docker Content Trust: only signed images are served to clients that ask for trust (Premium). */
export const containerRegistryContentTrustEnabled: Rule = {
  id: 'container-registry-content-trust-enabled',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r) => {
    const sku = r.str('sku');
    if (sku.state === 'known' && sku.value !== 'Premium') {
      return notApplicable(`content trust needs the Premium SKU (sku = "${sku.value}")`, 'sku');
    }
    return expectBool(r, 'trust_policy_enabled', true, false);
  },
};
