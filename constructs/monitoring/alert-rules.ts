import { Construct } from 'constructs';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import type { IResourceGroup } from '../core';
import { ValidationError, isUnresolved, validateName, validateOneOf, validateRange } from '../core';

/** Azure Monitor alert severity: 0 critical, 1 error, 2 warning, 3 informational, 4 verbose. */
export type AlertSeverity = 0 | 1 | 2 | 3 | 4;

/** What an alert notifies: an action group (`azurerm_monitor_action_group`). */
export interface IActionGroup {
  /** Resource id of the action group. */
  readonly id: string;
}

/** A resource an alert watches, by its Azure resource id. */
export interface IAlertScope {
  /** Resource id. */
  readonly id: string;
}

/** How a metric alert compares the aggregated value with its threshold. */
export type MetricAlertOperator =
  | 'GreaterThan'
  | 'GreaterThanOrEqual'
  | 'LessThan'
  | 'LessThanOrEqual';

/** How a metric alert aggregates samples in its window. */
export type MetricAggregation = 'Average' | 'Count' | 'Minimum' | 'Maximum' | 'Total';

/** A dimension filter of a metric or log alert. */
export interface AlertDimension {
  /** Dimension (metric) or column (log query) name, e.g. `StatusCode`. */
  readonly name: string;
  /** `Include` keeps only `values`; `Exclude` drops them. `*` splits the alert per value. */
  readonly operator: 'Include' | 'Exclude';
  readonly values: string[];
}

const METRIC_FREQUENCIES = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H'] as const;
const METRIC_WINDOWS = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H', 'PT6H', 'PT12H', 'P1D'] as const;
/** How often a metric alert evaluates. */
export type MetricAlertFrequency = (typeof METRIC_FREQUENCIES)[number];
/** The look-back window of a metric alert. */
export type MetricAlertWindow = (typeof METRIC_WINDOWS)[number];

const ALERT_NAME = {
  resource: 'alert rule',
  minLength: 1,
  maxLength: 260,
  pattern: /^[^*#&+:<>?@%{}\\/]+$/,
  patternDescription: 'any characters except * # & + : < > ? @ % { } \\ /',
};

/** ISO 8601 duration in minutes, hours or days (`PT5M`, `PT1H`, `P1D`), as minutes. */
export function isoMinutes(value: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) return undefined;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function validateSeverity(scope: Construct, severity: number): void {
  validateOneOf(scope, 'severity', severity, [0, 1, 2, 3, 4]);
}

function validateThreshold(scope: Construct, threshold: number): void {
  if (!isUnresolved(threshold) && !Number.isFinite(threshold)) {
    throw new ValidationError(scope, 'threshold', threshold, 'a finite number');
  }
}

function validateDimensions(scope: Construct, dimensions: readonly AlertDimension[]): void {
  dimensions.forEach((d, i) => {
    if (d.values.length === 0) {
      throw new ValidationError(
        scope,
        `dimensions[${i}].values`,
        d.values,
        'at least one value (use "*" to split the alert per value)',
      );
    }
  });
}

/** Props of {@link MetricAlert}. */
export interface MetricAlertProps {
  /** Rule name, unique in the resource group (1–260 characters). */
  readonly name: string;
  /** Resource group the rule lives in. */
  readonly resourceGroup: IResourceGroup;
  /** The resource whose platform metric is watched. */
  readonly scope: IAlertScope;
  /** What the alert means and what to look at first; shown in every notification. */
  readonly description: string;
  /** Alert severity. */
  readonly severity: AlertSeverity;
  /** The action group notified when the alert fires and resolves. */
  readonly actionGroup: IActionGroup;
  /** Metric namespace, the resource type, e.g. `Microsoft.DocumentDB/databaseAccounts`. */
  readonly metricNamespace: string;
  /** Metric name as the REST API spells it, e.g. `TotalRequests`. */
  readonly metricName: string;
  /** How samples in the window are aggregated. */
  readonly aggregation: MetricAggregation;
  /** Comparison with `threshold`. */
  readonly operator: MetricAlertOperator;
  /** The threshold, in the metric's unit. */
  readonly threshold: number;
  /**
   * Dimension filters, e.g. `StatusCode` include `429`.
   * @default - the metric summed over all dimensions
   */
  readonly dimensions?: AlertDimension[];
  /**
   * Look-back window.
   * @default "PT5M"
   */
  readonly windowSize?: MetricAlertWindow;
  /**
   * Evaluation frequency; not longer than the window.
   * @default "PT1M"
   */
  readonly frequency?: MetricAlertFrequency;
}

/**
 * A metric alert (`azurerm_monitor_metric_alert`) on one platform metric of one resource,
 * notifying an action group; it resolves itself when the condition clears.
 *
 * @example
 * new MetricAlert(this, 'CosmosThrottled', {
 *   name: 'cosmos-throttled', resourceGroup: rg, scope: cosmos, actionGroup: monitoring.actionGroup!,
 *   severity: 2, description: 'Cosmos DB answers 429: ingest writes are throttled',
 *   metricNamespace: 'Microsoft.DocumentDB/databaseAccounts', metricName: 'TotalRequests',
 *   aggregation: 'Count', operator: 'GreaterThan', threshold: 10,
 *   dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
 * });
 */
export class MetricAlert extends Construct {
  /** The `azurerm_monitor_metric_alert`. */
  public readonly resource: MonitorMetricAlert;
  /** Resource id of the rule. */
  public readonly id: string;

  constructor(scope: Construct, id: string, props: MetricAlertProps) {
    super(scope, id);
    validateName(this, 'name', props.name, ALERT_NAME);
    validateSeverity(this, props.severity);
    validateThreshold(this, props.threshold);
    validateDimensions(this, props.dimensions ?? []);
    const windowSize = props.windowSize ?? 'PT5M';
    const frequency = props.frequency ?? 'PT1M';
    validateOneOf(this, 'windowSize', windowSize, METRIC_WINDOWS);
    validateOneOf(this, 'frequency', frequency, METRIC_FREQUENCIES);
    if (isoMinutes(frequency)! > isoMinutes(windowSize)!) {
      throw new ValidationError(
        this,
        'frequency',
        frequency,
        `at most the window size ${windowSize}: azure rejects a rule evaluated less often than its window`,
      );
    }
    this.resource = new MonitorMetricAlert(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroup.name,
      scopes: [props.scope.id],
      description: props.description,
      severity: props.severity,
      frequency,
      windowSize,
      autoMitigate: true,
      criteria: [
        {
          metricNamespace: props.metricNamespace,
          metricName: props.metricName,
          aggregation: props.aggregation,
          operator: props.operator,
          threshold: props.threshold,
          dimension: props.dimensions?.map((d) => ({ ...d, values: [...d.values] })),
        },
      ],
      action: [{ actionGroupId: props.actionGroup.id }],
    });
    this.id = this.resource.id;
  }
}

/** How a log alert aggregates the query's rows (or `metricMeasureColumn`) per evaluation. */
export type LogAggregation = 'Count' | 'Average' | 'Minimum' | 'Maximum' | 'Total';

/** Props of {@link LogAlert}. */
export interface LogAlertProps {
  /** Rule name, unique in the resource group (1–260 characters). */
  readonly name: string;
  /** Resource group the rule lives in. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Azure region of the rule.
   * @default - the resource group's location
   */
  readonly location?: string;
  /** The Log Analytics workspace (or resource) the query runs against. */
  readonly scope: IAlertScope;
  /** What the alert means and what to look at first; shown in every notification. */
  readonly description: string;
  /** Alert severity. */
  readonly severity: AlertSeverity;
  /** The action group notified when the alert fires. */
  readonly actionGroup: IActionGroup;
  /** The KQL query; the rule adds the time filter (`windowDuration`) itself. */
  readonly query: string;
  /** How rows are aggregated: `Count` counts rows, the others use `metricMeasureColumn`. */
  readonly aggregation: LogAggregation;
  /**
   * Numeric column the aggregation reads; required unless `aggregation` is `Count`.
   * @default - none (rows are counted)
   */
  readonly metricMeasureColumn?: string;
  /** Comparison with `threshold`. */
  readonly operator: MetricAlertOperator;
  /** The threshold. */
  readonly threshold: number;
  /**
   * Columns the alert is split by (one alert per value with `*`).
   * @default - one alert for the whole result
   */
  readonly dimensions?: AlertDimension[];
  /**
   * Query time range (ISO 8601, 5 minutes to 2 days).
   * @default "PT15M"
   */
  readonly windowDuration?: string;
  /**
   * Evaluation frequency (ISO 8601, 1 minute to 1 day); not longer than the window.
   * @default "PT5M"
   */
  readonly evaluationFrequency?: string;
}

/**
 * A log search alert (`azurerm_monitor_scheduled_query_rules_alert_v2`) running a KQL query on a
 * schedule against a Log Analytics workspace and notifying an action group; it resolves itself.
 *
 * @example
 * new LogAlert(this, 'PodRestarts', {
 *   name: 'pod-restarts', resourceGroup: rg, scope: monitoring, actionGroup: monitoring.actionGroup!,
 *   severity: 2, description: 'containers in iot restart',
 *   query: 'KubePodInventory | where Namespace == "iot" | summarize restarts = max(ContainerRestartCount) - min(ContainerRestartCount) by Name',
 *   aggregation: 'Total', metricMeasureColumn: 'restarts', operator: 'GreaterThan', threshold: 3,
 * });
 */
export class LogAlert extends Construct {
  /** The `azurerm_monitor_scheduled_query_rules_alert_v2`. */
  public readonly resource: MonitorScheduledQueryRulesAlertV2;
  /** Resource id of the rule. */
  public readonly id: string;

  constructor(scope: Construct, id: string, props: LogAlertProps) {
    super(scope, id);
    validateName(this, 'name', props.name, ALERT_NAME);
    validateSeverity(this, props.severity);
    validateThreshold(this, props.threshold);
    validateDimensions(this, props.dimensions ?? []);
    if (!isUnresolved(props.query) && props.query.trim() === '') {
      throw new ValidationError(this, 'query', props.query, 'a non-empty kql query');
    }
    if (props.aggregation !== 'Count' && !props.metricMeasureColumn) {
      throw new ValidationError(
        this,
        'metricMeasureColumn',
        props.metricMeasureColumn,
        `a numeric column of the query: aggregation ${props.aggregation} needs one (only Count works on rows)`,
      );
    }
    const windowDuration = props.windowDuration ?? 'PT15M';
    const evaluationFrequency = props.evaluationFrequency ?? 'PT5M';
    const window = this.duration('windowDuration', windowDuration, 5, 2880);
    const every = this.duration('evaluationFrequency', evaluationFrequency, 1, 1440);
    if (every > window) {
      throw new ValidationError(
        this,
        'evaluationFrequency',
        evaluationFrequency,
        `at most the window ${windowDuration}: otherwise rows between evaluations are never looked at`,
      );
    }
    this.resource = new MonitorScheduledQueryRulesAlertV2(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      scopes: [props.scope.id],
      description: props.description,
      severity: props.severity,
      windowDuration,
      evaluationFrequency,
      autoMitigationEnabled: true,
      criteria: [
        {
          query: props.query,
          timeAggregationMethod: props.aggregation,
          metricMeasureColumn: props.metricMeasureColumn,
          operator: props.operator,
          threshold: props.threshold,
          dimension: props.dimensions?.map((d) => ({ ...d, values: [...d.values] })),
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      action: { actionGroups: [props.actionGroup.id] },
    });
    this.id = this.resource.id;
  }

  private duration(prop: string, value: string, min: number, max: number): number {
    const minutes = isoMinutes(value);
    if (minutes === undefined) {
      throw new ValidationError(
        this,
        prop,
        value,
        'an iso 8601 duration such as PT5M, PT1H or P1D',
      );
    }
    validateRange(this, prop, minutes, min, max, { unit: 'minutes' });
    return minutes;
  }
}
