import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { MonitorWorkspace } from '@cdktf/provider-azurerm/lib/monitor-workspace';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorAlertPrometheusRuleGroup } from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import type { IResourceGroup } from '../core';
import {
  Tags,
  ValidationError,
  isUnresolved,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';
import type { AlertSeverity, IActionGroup } from './alert-rules';
import { isoMinutes } from './alert-rules';

/** The AKS cluster whose metrics managed Prometheus collects. */
export interface IMonitoredCluster {
  /** Resource id of the cluster. */
  readonly id: string;
  /** Cluster name: the `cluster` label of every series, and the rule groups' `cluster_name`. */
  readonly name: string;
}

/** One Prometheus alerting rule. */
export interface PrometheusAlertRule {
  /** Alert name (`alert:`), e.g. `IngestServerErrors`; unique in the group. */
  readonly alert: string;
  /** PromQL expression; the alert fires for every series it returns. */
  readonly expression: string;
  /**
   * How long the expression must hold before the alert fires (ISO 8601).
   * @default "PT5M"
   */
  readonly for?: string;
  /** Alert severity. */
  readonly severity: AlertSeverity;
  /** One line on what is wrong; the `summary` annotation. */
  readonly summary: string;
  /**
   * Where to look first; the `description` annotation.
   * @default - none
   */
  readonly description?: string;
  /**
   * Extra labels on the alert.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Props of {@link ManagedPrometheus.addRuleGroup}. */
export interface PrometheusRuleGroupOptions {
  /** Rule group name, unique in the resource group. */
  readonly name: string;
  /** What the group watches. */
  readonly description: string;
  /** The action group every rule of the group notifies. */
  readonly actionGroup: IActionGroup;
  /** The alerting rules; at least one. */
  readonly rules: PrometheusAlertRule[];
  /**
   * Evaluation interval (ISO 8601, 1–15 minutes).
   * @default "PT1M"
   */
  readonly interval?: string;
}

/** Props of {@link ManagedPrometheus}. */
export interface ManagedPrometheusProps {
  /** Resource group of the workspace, data collection endpoint, rule and rule groups. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Azure region; the data collection endpoint and rule must be in the cluster's region.
   * @default - the resource group's location
   */
  readonly location?: string;
  /** Azure Monitor workspace name (4–44 letters, digits, hyphens, underscores). */
  readonly workspaceName: string;
  /** The cluster whose `monitor_metrics` add-on (ama-metrics) sends to the workspace. */
  readonly cluster: IMonitoredCluster;
  /**
   * Whether the workspace's query endpoint and the data collection endpoint accept public
   * traffic. Turn it off only with an Azure Monitor Private Link Scope that carries both.
   * @default true - the library creates no private link scope, and without one a private
   *   cluster's agent could not ingest at all
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Tags on every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * Azure Monitor managed Prometheus for one AKS cluster: an Azure Monitor workspace, the data
 * collection endpoint and rule the cluster's metrics add-on (ama-metrics) reads its
 * configuration from and sends `Microsoft-PrometheusMetrics` through, and their associations
 * with the cluster. The cluster itself needs `monitor_metrics` (`KubernetesCluster` prop
 * `managedPrometheus: true`). Rule groups (`addRuleGroup`) evaluate PromQL in the workspace and
 * notify an action group.
 *
 * @example
 * const prom = new ManagedPrometheus(this, 'Prometheus', {
 *   resourceGroup: rg, workspaceName: 'amw-iot-dev', cluster: aks,
 * });
 * prom.addRuleGroup({
 *   name: 'iot-workloads', description: 'reference workloads', actionGroup: monitoring.actionGroup!,
 *   rules: [{ alert: 'DeadLetters', expression: 'sum(increase(analysis_deadletters_total[15m])) > 0', severity: 2, summary: 'messages dead-lettered' }],
 * });
 */
export class ManagedPrometheus extends Construct {
  /** The `azurerm_monitor_workspace`. */
  public readonly resource: MonitorWorkspace;
  /** Resource id of the Azure Monitor workspace. */
  public readonly id: string;
  /** Prometheus query endpoint of the workspace (for Grafana or `promtool`). */
  public readonly queryEndpoint: string;
  /** The data collection endpoint ama-metrics sends through. */
  public readonly dataCollectionEndpoint: MonitorDataCollectionEndpoint;
  /** The data collection rule routing `Microsoft-PrometheusMetrics` to the workspace. */
  public readonly dataCollectionRule: MonitorDataCollectionRule;
  /** The rule groups added so far, by name. */
  public readonly ruleGroups = new Map<string, MonitorAlertPrometheusRuleGroup>();
  private readonly props: ManagedPrometheusProps;
  private readonly location: string;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    validateName(this, 'workspaceName', props.workspaceName, {
      resource: 'azure monitor workspace',
      minLength: 4,
      maxLength: 44,
      pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9]$/,
      patternDescription:
        'letters, digits, hyphens and underscores, starting and ending with a letter or digit',
    });
    this.props = props;
    this.location = props.location ?? props.resourceGroup.location;
    const publicAccess = props.publicNetworkAccess ?? true;
    const rg = props.resourceGroup.name;

    this.resource = new MonitorWorkspace(this, 'Resource', {
      name: props.workspaceName,
      resourceGroupName: rg,
      location: this.location,
      publicNetworkAccessEnabled: publicAccess,
    });
    this.id = this.resource.id;
    this.queryEndpoint = this.resource.queryEndpoint;

    // Names follow the ones the portal and `az aks update --enable-azure-monitor-metrics` create
    // (MSProm-<region>-<cluster>), so operators find them where the docs say they are.
    const base = `MSProm-${this.location}-${props.cluster.name}`;
    // Truncating a string that holds Terraform tokens would cut a token in half: Terraform
    // truncates those at apply time instead.
    const upTo = (max: number) =>
      isUnresolved(base) ? Fn.substr(base, 0, max) : base.slice(0, max);
    this.dataCollectionEndpoint = new MonitorDataCollectionEndpoint(this, 'Endpoint', {
      name: upTo(44),
      resourceGroupName: rg,
      location: this.location,
      kind: 'Linux',
      publicNetworkAccessEnabled: publicAccess,
      description: `managed prometheus ingestion for ${props.cluster.name}`,
    });
    this.dataCollectionRule = new MonitorDataCollectionRule(this, 'Rule', {
      name: upTo(64),
      resourceGroupName: rg,
      location: this.location,
      kind: 'Linux',
      description: `prometheus metrics of ${props.cluster.name} to ${props.workspaceName}`,
      dataCollectionEndpointId: this.dataCollectionEndpoint.id,
      dataSources: {
        prometheusForwarder: [
          { name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] },
        ],
      },
      destinations: {
        monitorAccount: [{ name: 'MonitoringAccount', monitorAccountId: this.resource.id }],
      },
      dataFlow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount'] }],
    });
    new MonitorDataCollectionRuleAssociation(this, 'RuleAssociation', {
      name: upTo(64),
      targetResourceId: props.cluster.id,
      dataCollectionRuleId: this.dataCollectionRule.id,
      description: 'managed prometheus: what ama-metrics collects and where it sends it',
    });
    // The endpoint association is how the agent finds its configuration; Azure requires this
    // exact name for it.
    new MonitorDataCollectionRuleAssociation(this, 'EndpointAssociation', {
      name: 'configurationAccessEndpoint',
      targetResourceId: props.cluster.id,
      dataCollectionEndpointId: this.dataCollectionEndpoint.id,
      description: 'managed prometheus: configuration access endpoint of ama-metrics',
    });
    if (props.tags) Tags.add(this, props.tags);
  }

  /**
   * Adds a Prometheus rule group (`azurerm_monitor_alert_prometheus_rule_group`) evaluated in the
   * workspace on this cluster's series, each rule notifying `actionGroup` and resolving itself.
   * The construct id is `RuleGroup-<name>`: renaming a group replaces it.
   */
  public addRuleGroup(options: PrometheusRuleGroupOptions): MonitorAlertPrometheusRuleGroup {
    const prop = `addRuleGroup(${options.name})`;
    validateName(this, `${prop}.name`, options.name, {
      resource: 'prometheus rule group',
      minLength: 1,
      maxLength: 260,
      pattern: /^[^:@/#{}%&+*<>?]+$/,
      patternDescription: 'any characters except : @ / # { } % & + * < > ?',
    });
    if (this.ruleGroups.has(options.name)) {
      throw new ValidationError(this, `${prop}.name`, options.name, 'rule group names are unique');
    }
    if (options.rules.length === 0) {
      throw new ValidationError(this, `${prop}.rules`, [], 'at least one rule');
    }
    const interval = options.interval ?? 'PT1M';
    const minutes = isoMinutes(interval);
    if (minutes === undefined) {
      throw new ValidationError(
        this,
        `${prop}.interval`,
        interval,
        'an iso 8601 duration such as PT1M',
      );
    }
    validateRange(this, `${prop}.interval`, minutes, 1, 15, { unit: 'minutes' });
    const seen = new Set<string>();
    options.rules.forEach((r, i) => {
      const at = `${prop}.rules[${i}]`;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert)) {
        throw new ValidationError(
          this,
          `${at}.alert`,
          r.alert,
          'a prometheus alert name: letters, digits and underscores',
        );
      }
      if (seen.has(r.alert)) {
        throw new ValidationError(
          this,
          `${at}.alert`,
          r.alert,
          'alert names are unique in a group',
        );
      }
      seen.add(r.alert);
      if (!isUnresolved(r.expression) && r.expression.trim() === '') {
        throw new ValidationError(this, `${at}.expression`, r.expression, 'a promql expression');
      }
      validateOneOf(this, `${at}.severity`, r.severity, [0, 1, 2, 3, 4]);
      if (r.for !== undefined && isoMinutes(r.for) === undefined) {
        throw new ValidationError(this, `${at}.for`, r.for, 'an iso 8601 duration such as PT5M');
      }
    });

    const group = new MonitorAlertPrometheusRuleGroup(this, `RuleGroup-${options.name}`, {
      name: options.name,
      resourceGroupName: this.props.resourceGroup.name,
      location: this.location,
      description: options.description,
      clusterName: this.props.cluster.name,
      // Scoped to the workspace and the cluster: the rules see only this cluster's series.
      scopes: [this.resource.id, this.props.cluster.id],
      interval,
      ruleGroupEnabled: true,
      rule: options.rules.map((r) => ({
        alert: r.alert,
        expression: r.expression,
        for: r.for ?? 'PT5M',
        severity: r.severity,
        enabled: true,
        labels: r.labels,
        annotations: {
          summary: r.summary,
          ...(r.description ? { description: r.description } : {}),
        },
        action: [{ actionGroupId: options.actionGroup.id }],
        alertResolution: { autoResolved: true, timeToResolve: 'PT10M' },
      })),
    });
    this.ruleGroups.set(options.name, group);
    return group;
  }
}
