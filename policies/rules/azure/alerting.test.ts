import { testRule } from '../../testing';
import { monitorActionGroupHasAlertRules } from './monitor-action-group-has-alert-rules';

const AG = 'azurerm_monitor_action_group.ag';
const AG_ID = '${azurerm_monitor_action_group.ag.id}';

testRule(monitorActionGroupHasAlertRules, {
  compliant: [
    { [AG]: {}, 'azurerm_monitor_metric_alert.m': { action: [{ action_group_id: AG_ID }] } },
    {
      [AG]: {},
      'azurerm_monitor_scheduled_query_rules_alert_v2.q': { action: { action_groups: [AG_ID] } },
    },
    {
      [AG]: {},
      'azurerm_monitor_alert_prometheus_rule_group.p': {
        rule: [{ alert: 'A', expression: 'up == 0', action: [{ action_group_id: AG_ID }] }],
      },
    },
    { [AG]: {}, 'azurerm_monitor_activity_log_alert.a': { action: [{ action_group_id: AG_ID }] } },
  ],
  nonCompliant: [
    // The finding: an action group and no rule at all.
    { [AG]: {} },
    // Rules exist, but they notify another group.
    {
      [AG]: {},
      'azurerm_monitor_action_group.other': {},
      'azurerm_monitor_metric_alert.m': {
        action: [{ action_group_id: '${azurerm_monitor_action_group.other.id}' }],
      },
    },
    // A reference from an attribute that notifies nobody (a tag) does not count.
    { [AG]: {}, 'azurerm_monitor_metric_alert.m': { tags: { group: AG_ID } } },
  ],
  unknown: [
    // A rule naming an action group through a variable might notify this one.
    {
      [AG]: {},
      'azurerm_monitor_metric_alert.m': { action: [{ action_group_id: '${var.action_group_id}' }] },
    },
  ],
});
