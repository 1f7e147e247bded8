import { Testing } from 'cdktf';
import { buildApp } from './app';
import { StackIndex } from '../policies/engine/graph';
import { monitorActionGroupHasAlertRules } from '../policies/rules/azure/monitor-action-group-has-alert-rules';

type Block = Record<string, unknown>;
type Json = { resource: Record<string, Record<string, Block>> };

function synthAll(): Record<string, Json> {
  const app = Testing.app();
  const out: Record<string, Json> = {};
  for (const s of buildApp(app)) {
    out[s.platform.node.id] = JSON.parse(Testing.synth(s.platform)) as Json;
    out[s.workloads.node.id] = JSON.parse(Testing.synth(s.workloads)) as Json;
  }
  return out;
}

const stacks = synthAll();
const platforms = ['iot-dev', 'iot-prod'] as const;

/** `${<type>.<name>.<attr>}` of the only resource of `type` in the stack. */
function ref(json: Json, type: string, attr = 'id'): string {
  const names = Object.keys(json.resource[type] ?? {});
  expect({ type, count: names.length }).toEqual({ type, count: 1 });
  return `\${${type}.${names[0]}.${attr}}`;
}

function metricAlerts(json: Json): Map<string, Block> {
  return new Map(
    Object.values(json.resource.azurerm_monitor_metric_alert ?? {}).map((a) => [
      (a.name as string).replace(/^iot-(dev|prod)-/, ''),
      a,
    ]),
  );
}

describe.each(platforms)('alerting in %s', (name) => {
  const json = stacks[name];

  it('notifies the action group from alert rules (the policy rule passes on the real stack)', () => {
    const index = new StackIndex({ name, file: `${name}/cdk.tf.json`, json, lines: new Map() });
    const groups = index.resources('azurerm_monitor_action_group');
    expect(groups).toHaveLength(1);
    const verdict = monitorActionGroupHasAlertRules.evaluate(groups[0], index);
    expect(verdict).toMatchObject({ outcome: 'PASS' });
  });

  it('runs managed Prometheus on the cluster, associated through the data collection rule and endpoint', () => {
    const cluster = ref(json, 'azurerm_kubernetes_cluster');
    const aks = Object.values(json.resource.azurerm_kubernetes_cluster)[0];
    expect(aks.monitor_metrics).toEqual({});
    const associations = Object.values(
      json.resource.azurerm_monitor_data_collection_rule_association,
    );
    const dcrs = Object.entries(json.resource.azurerm_monitor_data_collection_rule);
    const prom = dcrs.find(([, r]) =>
      JSON.stringify(r.data_sources).includes('prometheus_forwarder'),
    );
    expect(prom).toBeDefined();
    expect(associations).toContainEqual(
      expect.objectContaining({
        target_resource_id: cluster,
        data_collection_rule_id: `\${azurerm_monitor_data_collection_rule.${prom![0]}.id}`,
      }),
    );
    expect(associations).toContainEqual(
      expect.objectContaining({
        name: 'configurationAccessEndpoint',
        target_resource_id: cluster,
        data_collection_endpoint_id: ref(json, 'azurerm_monitor_data_collection_endpoint'),
      }),
    );
  });

  it('watches the real resources of the platform', () => {
    const alerts = metricAlerts(json);
    const scope = (key: string) => (alerts.get(key)?.scopes as string[] | undefined)?.[0];
    expect(scope('cosmos-throttled')).toBe(ref(json, 'azurerm_cosmosdb_account'));
    expect(scope('postgres-storage')).toBe(ref(json, 'azurerm_postgresql_flexible_server'));
    expect(scope('redis-server-load')).toBe(ref(json, 'azurerm_managed_redis'));
    expect(scope('apim-backend-5xx')).toBe(ref(json, 'azurerm_api_management'));
    expect(scope('aks-pods-failed')).toBe(ref(json, 'azurerm_kubernetes_cluster'));
    if (json.resource.azurerm_eventhub_namespace) {
      expect(scope('deadletter-growth')).toBe(ref(json, 'azurerm_eventhub_namespace'));
    } else {
      expect(scope('hdinsight-brokers')).toBe(ref(json, 'azurerm_hdinsight_kafka_cluster'));
    }
    const log = Object.values(json.resource.azurerm_monitor_scheduled_query_rules_alert_v2)[0];
    // The platform workspace (HDInsight may bring a workspace of its own).
    const workspace = Object.entries(json.resource.azurerm_log_analytics_workspace).find(
      ([, w]) => w.name === `log-${name}`,
    );
    expect(log.scopes).toEqual([`\${azurerm_log_analytics_workspace.${workspace![0]}.id}`]);
    const group = Object.values(json.resource.azurerm_monitor_alert_prometheus_rule_group)[0];
    expect(group.scopes).toEqual([
      ref(json, 'azurerm_monitor_workspace'),
      ref(json, 'azurerm_kubernetes_cluster'),
    ]);
    expect(group.cluster_name).toBe(ref(json, 'azurerm_kubernetes_cluster', 'name'));
    const promAlerts = (group.rule as Block[]).map((r) => r.alert);
    expect(promAlerts).toEqual(expect.arrayContaining(['AnalysisConsumerLag', 'KafkaConsumerLag']));
  });
});

describe.each(platforms.map((p) => `${p}-workloads`))('scraping in %s', (name) => {
  it('turns on pod-annotation scraping for the workload namespace and scrapes KEDA', () => {
    const maps = Object.values(stacks[name].resource.kubernetes_config_map_v1 ?? {});
    expect(maps).toContainEqual(
      expect.objectContaining({
        metadata: expect.objectContaining({
          name: 'ama-metrics-settings-configmap',
          namespace: 'kube-system',
        }),
        data: expect.objectContaining({
          'pod-annotation-based-scraping': 'podannotationnamespaceregex = "iot"',
        }),
      }),
    );
    expect(maps).toContainEqual(
      expect.objectContaining({
        metadata: expect.objectContaining({
          name: 'ama-metrics-prometheus-config',
          namespace: 'kube-system',
        }),
      }),
    );
  });
});
