import { fail, notApplicable, pass, unknown } from '../../engine/check';
import { parsePureReference } from '../../engine/resource';
import type { Rule } from '../../engine/types';

/**
 * Resource types whose own diagnostic settings offer metrics only: their logs live on a child
 * scope (`<storage>/blobServices/default`, `<managed redis>/databases/default`) or have no
 * category at all (App Service plan, HDInsight, which logs through its Azure Monitor agent).
 */
const METRICS_ONLY = new Set([
  'azurerm_service_plan',
  'azurerm_storage_account',
  'azurerm_managed_redis',
  'azurerm_hdinsight_kafka_cluster',
]);

/** A diagnostic setting enables at least one log category (or group) and has a destination. */
export const diagnosticSettingCapturesLogs: Rule = {
  id: 'diagnostic-setting-captures-logs',
  appliesTo: ['azurerm_monitor_diagnostic_setting'],
  evaluate: (r) => {
    const destinations = [
      'log_analytics_workspace_id',
      'storage_account_id',
      'eventhub_authorization_rule_id',
      'partner_solution_id',
    ];
    if (!destinations.some((d) => r.has(d))) return fail('the setting has no destination');
    const target = r.get('target_resource_id');
    const ref =
      target.state === 'unknown' && target.expression
        ? parsePureReference(target.expression)
        : undefined;
    const targetType = ref?.address.split('.')[0];
    if (ref?.attribute === 'id' && targetType && METRICS_ONLY.has(targetType)) {
      return notApplicable(`${targetType} offers metrics only at this scope`, 'target_resource_id');
    }
    const logs = r.blocks('enabled_log');
    if (logs.state !== 'known') return unknown(logs.reason, 'enabled_log');
    // 3.x `log` blocks carry `enabled`; a block switched off captures nothing.
    const on = logs.value.filter((b) => {
      const enabled = b.bool('enabled');
      return !(enabled.state === 'known' && !enabled.value);
    });
    if (on.length === 0) return fail('no enabled_log block: metrics only', 'enabled_log');
    const names = on.map((b) => String(b.attrs.category_group ?? b.attrs.category ?? '?'));
    return pass(`logs: ${names.sort().join(', ')}`, 'enabled_log');
  },
};
