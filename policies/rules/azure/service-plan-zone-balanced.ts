import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Instances are spread over availability zones. */
export const servicePlanZoneBalanced: Rule = {
  id: 'service-plan-zone-balanced',
  appliesTo: ['azurerm_service_plan'],
  evaluate: (r) => expectBool(r, 'zone_balancing_enabled', true, false),
};
