import type { Rule } from '../../engine/types';
import { DIAGNOSABLE_TYPES, referencedBy } from '../shared';

/** A diagnostic setting in the stack targets the resource (found through the reference graph). */
export const resourceDiagnosticsEnabled: Rule = {
  id: 'resource-diagnostics-enabled',
  appliesTo: DIAGNOSABLE_TYPES,
  evaluate: (r, ctx) =>
    referencedBy(
      r,
      ctx,
      'azurerm_monitor_diagnostic_setting',
      'target_resource_id',
      'diagnostic setting',
    ),
};
