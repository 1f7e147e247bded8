import { fail, pass, unknown } from '../../engine/check';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule } from '../../engine/types';

/** Alert rule types and the attribute each names its action groups in (list indices dropped). */
export const ALERT_ACTION_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['azurerm_monitor_metric_alert', 'action.action_group_id'],
  ['azurerm_monitor_scheduled_query_rules_alert_v2', 'action.action_groups'],
  ['azurerm_monitor_scheduled_query_rules_alert', 'action.action_group'],
  ['azurerm_monitor_activity_log_alert', 'action.action_group_id'],
  ['azurerm_monitor_alert_prometheus_rule_group', 'rule.action.action_group_id'],
  ['azurerm_monitor_smart_detector_alert_rule', 'action_group.ids'],
  ['azurerm_monitor_alert_processing_rule_action_group', 'add_action_group_ids'],
]);

/** Alert rules in the stack whose action-group attribute points at nothing the graph resolves. */
function openPointers(ctx: RuleContext): number {
  return ctx.memo('action-group-open-pointers', () => {
    let open = 0;
    for (const [type, attribute] of ALERT_ACTION_ATTRIBUTES) {
      for (const alert of ctx.resources(type)) {
        const v = alert.get(attribute);
        if (v.state !== 'absent' && ctx.references(alert, attribute).length === 0) open += 1;
      }
    }
    return open;
  });
}

/**
 * An action group is notified by at least one alert rule of the stack (metric, log, activity
 * log, smart detector, Prometheus rule group or alert processing rule): an action group nothing
 * fires is a pager that never rings.
 */
export const monitorActionGroupHasAlertRules: Rule = {
  id: 'monitor-action-group-has-alert-rules',
  appliesTo: ['azurerm_monitor_action_group'],
  evaluate: (r: Resource, ctx: RuleContext) => {
    const refs = ctx
      .referrers(r, { types: [...ALERT_ACTION_ATTRIBUTES.keys()] })
      .filter((e) => ALERT_ACTION_ATTRIBUTES.get(e.from.type) === e.fromAttribute);
    if (refs.length > 0) {
      const rules = [...new Set(refs.map((e) => e.from.address))].sort();
      return pass(`${rules.length} alert rule(s) notify this action group: ${rules.join(', ')}`);
    }
    const open = openPointers(ctx);
    if (open > 0) {
      return unknown(
        `no alert rule of the stack names this action group, but ${open} alert rule(s) name action groups the stack cannot resolve`,
      );
    }
    return fail('no alert rule of the stack notifies this action group');
  },
};
