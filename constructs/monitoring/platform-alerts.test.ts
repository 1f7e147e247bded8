import { Testing } from 'cdktf';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { testScope } from '../../test/construct-helpers';
import { ManagedPrometheus } from './managed-prometheus';
import { PlatformAlerts } from './platform-alerts';
import type { PlatformAlertsProps } from './platform-alerts';

const sub = '/subscriptions/s/resourceGroups/rg-test/providers';
const AG = { id: `${sub}/microsoft.insights/actionGroups/ag-iot-test` };
const LAW = { id: `${sub}/Microsoft.OperationalInsights/workspaces/log-iot-test` };
const CLUSTER = {
  id: `${sub}/Microsoft.ContainerService/managedClusters/aks-iot-test`,
  name: 'aks-iot-test',
};
const COSMOS = { id: `${sub}/Microsoft.DocumentDB/databaseAccounts/cosmos` };
const POSTGRES = { id: `${sub}/Microsoft.DBforPostgreSQL/flexibleServers/psql` };
const REDIS = { id: `${sub}/Microsoft.Cache/redisEnterprise/redis` };
const EVENTHUBS = { id: `${sub}/Microsoft.EventHub/namespaces/evhns` };
const HDINSIGHT = { id: `${sub}/Microsoft.HDInsight/clusters/hdi` };
const APIM = { id: `${sub}/Microsoft.ApiManagement/service/apim` };

type Block = Record<string, unknown>;
type Json = { resource: Record<string, Record<string, Block>> };

function make(props: Partial<PlatformAlertsProps> = {}, withPrometheus = true) {
  const { stack, rg } = testScope();
  const prometheus = withPrometheus
    ? new ManagedPrometheus(stack, 'Prometheus', {
        resourceGroup: rg,
        workspaceName: 'amw-iot-test',
        cluster: CLUSTER,
      })
    : undefined;
  const alerts = new PlatformAlerts(stack, 'Alerts', {
    resourceGroup: rg,
    namePrefix: 'iot-test',
    actionGroup: AG,
    workspace: LAW,
    cluster: CLUSTER,
    workloadNamespace: 'iot',
    prometheus,
    cosmos: COSMOS,
    postgres: POSTGRES,
    redis: { ...REDIS, flavor: 'managed' },
    eventHubs: { ...EVENTHUBS, deadLetterTopic: 'telemetry.deadletter' },
    apiManagement: APIM,
    ...props,
  });
  const out = Testing.synth(stack);
  return { alerts, out, json: JSON.parse(out) as Json };
}

function metricAlert(json: Json, name: string): Block {
  const found = Object.values(json.resource.azurerm_monitor_metric_alert).find(
    (a) => a.name === name,
  );
  if (!found) throw new Error(`no metric alert ${name}`);
  return found;
}

function promRules(json: Json): Block[] {
  const groups = Object.values(json.resource.azurerm_monitor_alert_prometheus_rule_group);
  return groups.flatMap((g) => g.rule as Block[]);
}

describe('PlatformAlerts', () => {
  // name, scope, namespace, metric, aggregation, operator, threshold, severity, dimensions
  it.each([
    [
      'iot-test-cosmos-throttled',
      COSMOS,
      'Microsoft.DocumentDB/databaseAccounts',
      'TotalRequests',
      'Count',
      'GreaterThan',
      10,
      1,
      [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
    ],
    [
      'iot-test-cosmos-ru-saturated',
      COSMOS,
      'Microsoft.DocumentDB/databaseAccounts',
      'NormalizedRUConsumption',
      'Maximum',
      'GreaterThan',
      90,
      2,
      undefined,
    ],
    [
      'iot-test-postgres-cpu',
      POSTGRES,
      'Microsoft.DBforPostgreSQL/flexibleServers',
      'cpu_percent',
      'Average',
      'GreaterThan',
      80,
      2,
      undefined,
    ],
    [
      'iot-test-postgres-memory',
      POSTGRES,
      'Microsoft.DBforPostgreSQL/flexibleServers',
      'memory_percent',
      'Average',
      'GreaterThan',
      90,
      2,
      undefined,
    ],
    [
      'iot-test-postgres-storage',
      POSTGRES,
      'Microsoft.DBforPostgreSQL/flexibleServers',
      'storage_percent',
      'Average',
      'GreaterThan',
      85,
      1,
      undefined,
    ],
    [
      'iot-test-redis-server-load',
      REDIS,
      'Microsoft.Cache/redisEnterprise',
      'serverLoad',
      'Maximum',
      'GreaterThan',
      80,
      2,
      undefined,
    ],
    [
      'iot-test-redis-memory',
      REDIS,
      'Microsoft.Cache/redisEnterprise',
      'usedmemorypercentage',
      'Maximum',
      'GreaterThan',
      85,
      2,
      undefined,
    ],
    [
      'iot-test-eventhubs-throttled',
      EVENTHUBS,
      'Microsoft.EventHub/namespaces',
      'ThrottledRequests',
      'Total',
      'GreaterThan',
      0,
      1,
      undefined,
    ],
    [
      'iot-test-deadletter-growth',
      EVENTHUBS,
      'Microsoft.EventHub/namespaces',
      'IncomingMessages',
      'Total',
      'GreaterThan',
      0,
      2,
      [{ name: 'EntityName', operator: 'Include', values: ['telemetry.deadletter'] }],
    ],
    [
      'iot-test-apim-backend-5xx',
      APIM,
      'Microsoft.ApiManagement/service',
      'Requests',
      'Total',
      'GreaterThan',
      10,
      1,
      [{ name: 'BackendResponseCodeCategory', operator: 'Include', values: ['5xx'] }],
    ],
    [
      'iot-test-aks-pods-failed',
      CLUSTER,
      'Microsoft.ContainerService/managedClusters',
      'kube_pod_status_phase',
      'Average',
      'GreaterThan',
      0,
      2,
      [
        { name: 'phase', operator: 'Include', values: ['Failed'] },
        { name: 'namespace', operator: 'Include', values: ['iot'] },
      ],
    ],
  ] as const)(
    'metric alert %s watches its resource and notifies the action group',
    (name, scope, namespace, metricName, aggregation, operator, threshold, severity, dimension) => {
      const alert = metricAlert(make().json, name);
      expect(alert).toMatchObject({
        scopes: [scope.id],
        severity,
        auto_mitigate: true,
        action: [{ action_group_id: AG.id }],
      });
      expect(alert.criteria).toEqual([
        {
          metric_namespace: namespace,
          metric_name: metricName,
          aggregation,
          operator,
          threshold,
          ...(dimension ? { dimension } : {}),
        },
      ]);
    },
  );

  it('watches classic Azure Cache for Redis in its own namespace', () => {
    const { json } = make({ redis: { id: `${sub}/Microsoft.Cache/Redis/r`, flavor: 'classic' } });
    expect(metricAlert(json, 'iot-test-redis-server-load').criteria).toEqual([
      expect.objectContaining({
        metric_namespace: 'Microsoft.Cache/redis',
        metric_name: 'serverLoad',
      }),
    ]);
  });

  it('alerts when HDInsight runs fewer brokers than deployed', () => {
    const { json } = make({ eventHubs: undefined, hdinsight: { ...HDINSIGHT, workerCount: 4 } });
    const alert = metricAlert(json, 'iot-test-hdinsight-brokers');
    expect(alert).toMatchObject({
      scopes: [HDINSIGHT.id],
      severity: 1,
      action: [{ action_group_id: AG.id }],
    });
    expect(alert.criteria).toEqual([
      expect.objectContaining({
        metric_name: 'NumActiveWorkers',
        aggregation: 'Minimum',
        operator: 'LessThan',
        threshold: 4,
      }),
    ]);
    expect(() => make({ hdinsight: { ...HDINSIGHT, workerCount: 0 } })).toThrow(
      /invalid hdinsight\.workerCount 0/,
    );
  });

  it('counts container restarts in the workload namespace on Container Insights', () => {
    expect(make().out).toHaveResourceWithProperties(MonitorScheduledQueryRulesAlertV2, {
      name: 'iot-test-pod-restarts',
      scopes: [LAW.id],
      severity: 2,
      window_duration: 'PT30M',
      criteria: [
        expect.objectContaining({
          query: expect.stringMatching(
            /KubePodInventory[\s\S]*Namespace == "iot"[\s\S]*ContainerRestartCount/,
          ),
          time_aggregation_method: 'Total',
          metric_measure_column: 'restarts',
          operator: 'GreaterThan',
          threshold: 3,
          dimension: [{ name: 'ControllerName', operator: 'Include', values: ['*'] }],
        }),
      ],
      action: { action_groups: [AG.id] },
    });
  });

  it('puts the workload rules in one prometheus group notifying the action group', () => {
    const rules = promRules(make().json);
    expect(rules.map((r) => r.alert)).toEqual([
      'IngestServerErrors',
      'IngestDependencyUnavailable',
      'AnalysisConsumerLag',
      'ProcessingConsumerLag',
      'DeadLetterGrowth',
      'WorkloadPodRestarts',
      'WorkloadMetricsMissing',
    ]);
    for (const r of rules) expect(r.action).toEqual([{ action_group_id: AG.id }]);
  });

  // The metric names below are the ones workloads/ register with prom-client.
  it.each([
    ['IngestServerErrors', /http_requests_total\{service="ingest",status=~"5\.\."\}.*> 0\.05$/, 1],
    [
      'IngestDependencyUnavailable',
      /ingest_requests_refused_total\{service="ingest",reason=~"dependency-\.\*"\}.*> 0\.1$/,
      1,
    ],
    [
      'AnalysisConsumerLag',
      /histogram_quantile\(0\.95, .*analysis_ingest_to_analyzed_seconds_bucket.*> 30$/,
      2,
    ],
    [
      'ProcessingConsumerLag',
      /processing_readings_total.* < 0\.8 \* sum\(rate\(analysis_readings_total/,
      2,
    ],
    [
      'DeadLetterGrowth',
      /increase\(analysis_deadletters_total\{service="analysis"\}\[15m\]\)\) > 0$/,
      2,
    ],
    [
      'WorkloadPodRestarts',
      /kube_pod_container_status_restarts_total\{namespace="iot"\}\[30m\]\)\) > 3$/,
      2,
    ],
    [
      'WorkloadMetricsMissing',
      /absent\(process_start_time_seconds\{service="ingest"\}\) or .*"analysis".* or .*"processing"/,
      3,
    ],
  ])('prometheus rule %s queries the exported metric', (alert, expression, severity) => {
    const rule = promRules(make().json).find((r) => r.alert === alert)!;
    expect(rule.expression).toMatch(expression);
    expect(rule.severity).toBe(severity);
  });

  it('watches kafka consumer lag in messages from KEDA only when its operator is scraped', () => {
    expect(promRules(make().json).map((r) => r.alert)).not.toContain('KafkaConsumerLag');
    const rules = promRules(
      make({ kedaConsumerLag: true, thresholds: { kafkaConsumerLagMessages: 5000 } }).json,
    );
    const lag = rules.find((r) => r.alert === 'KafkaConsumerLag')!;
    expect(lag.expression).toBe(
      'max by (scaledObject, metric) (keda_scaler_metrics_value{namespace="iot",metric=~"s[0-9]+-kafka-.*"}) > 5000',
    );
    expect(lag).toMatchObject({ severity: 2, for: 'PT10M', action: [{ action_group_id: AG.id }] });
    expect(rules.find((r) => r.alert === 'ConsumerLagMetricsMissing')!.expression).toBe(
      'absent(keda_scaler_metrics_value{namespace="iot"})',
    );
  });

  it('uses the thresholds given', () => {
    const { json, alerts } = make({
      thresholds: { podRestarts: 5, cosmosThrottledRequests: 50, ingestServerErrorRatio: 0.2 },
    });
    expect(alerts.thresholds.podRestarts).toBe(5);
    expect(metricAlert(json, 'iot-test-cosmos-throttled').criteria).toEqual([
      expect.objectContaining({ threshold: 50 }),
    ]);
    expect(promRules(json).find((r) => r.alert === 'IngestServerErrors')!.expression).toMatch(
      /> 0\.2$/,
    );
  });

  it('rejects thresholds outside their range', () => {
    expect(() => make({ thresholds: { ingestServerErrorRatio: 5 } })).toThrow(
      /invalid thresholds\.ingestServerErrorRatio 5: a ratio/,
    );
    expect(() => make({ thresholds: { postgresCpuPercent: 120 } })).toThrow(/a percentage/);
    expect(() => make({ thresholds: { podRestarts: -1 } })).toThrow(/at least 0/);
  });

  it('creates only metric and log alerts without managed prometheus', () => {
    const { json } = make({}, false);
    expect(json.resource.azurerm_monitor_alert_prometheus_rule_group).toBeUndefined();
    expect(Object.keys(json.resource.azurerm_monitor_metric_alert).length).toBeGreaterThan(0);
  });

  it('creates no alert for a resource it is not given, and still watches the cluster', () => {
    const { json } = make({
      cosmos: undefined,
      postgres: undefined,
      redis: undefined,
      eventHubs: undefined,
      apiManagement: undefined,
    });
    expect(Object.values(json.resource.azurerm_monitor_metric_alert).map((a) => a.name)).toEqual([
      'iot-test-aks-pods-failed',
    ]);
    expect(json.resource[MonitorMetricAlert.tfResourceType]).toBeDefined();
  });
});
