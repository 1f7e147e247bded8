import { expectNumber } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Logs are kept at least 90 days for investigations (provider default is 30). */
export const logAnalyticsRetention90Days: Rule = {
  id: 'log-analytics-retention-90-days',
  appliesTo: ['azurerm_log_analytics_workspace'],
  evaluate: (r) =>
    expectNumber(r, 'retention_in_days', { default: 30, test: (v) => v >= 90, expected: '>= 90' }),
};
