import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Shared-key ingestion and queries are off (the 3.x `local_authentication_disabled` is read inverted). */
export const logAnalyticsLocalAuthDisabled: Rule = {
  id: 'log-analytics-local-auth-disabled',
  appliesTo: ['azurerm_log_analytics_workspace'],
  evaluate: (r) => expectBool(r, 'local_authentication_enabled', false, true),
};
