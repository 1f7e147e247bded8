import { TerraformVariable, Testing } from 'cdktf';
import { MonitorWorkspace } from '@cdktf/provider-azurerm/lib/monitor-workspace';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorAlertPrometheusRuleGroup } from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import { testScope } from '../../test/construct-helpers';
import { ManagedPrometheus } from './managed-prometheus';
import type { ManagedPrometheusProps, PrometheusRuleGroupOptions } from './managed-prometheus';

const CLUSTER = {
  id: '/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.ContainerService/managedClusters/aks-test',
  name: 'aks-test',
};
const AG = {
  id: '/subscriptions/s/resourceGroups/rg-test/providers/microsoft.insights/actionGroups/ag',
};

function make(props: Partial<ManagedPrometheusProps> = {}) {
  const { stack, rg } = testScope();
  const prom = new ManagedPrometheus(stack, 'Prometheus', {
    resourceGroup: rg,
    workspaceName: 'amw-iot-test',
    cluster: CLUSTER,
    ...props,
  });
  return { stack, prom, out: () => Testing.synth(stack) };
}

const GROUP: PrometheusRuleGroupOptions = {
  name: 'iot-test-workloads',
  description: 'workloads',
  actionGroup: AG,
  rules: [
    {
      alert: 'DeadLetterGrowth',
      expression: 'sum(increase(analysis_deadletters_total[15m])) > 0',
      severity: 2,
      summary: 'dead letters',
    },
  ],
};

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe('ManagedPrometheus', () => {
  it('creates an azure monitor workspace', () => {
    expect(make().out()).toHaveResourceWithProperties(MonitorWorkspace, {
      name: 'amw-iot-test',
      location: 'westeurope',
      public_network_access_enabled: true,
    });
  });

  it('routes Microsoft-PrometheusMetrics through a linux endpoint and rule to the workspace', () => {
    const out = make().out();
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionEndpoint, {
      name: 'MSProm-westeurope-aks-test',
      kind: 'Linux',
    });
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionRule, {
      name: 'MSProm-westeurope-aks-test',
      kind: 'Linux',
      data_collection_endpoint_id: expect.stringMatching(
        /^\$\{azurerm_monitor_data_collection_endpoint\.Prometheus_Endpoint_[0-9A-F]+\.id\}$/,
      ),
      data_sources: {
        prometheus_forwarder: [
          { name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] },
        ],
      },
      destinations: {
        monitor_account: [
          {
            name: 'MonitoringAccount',
            monitor_account_id: expect.stringMatching(
              /azurerm_monitor_workspace\.Prometheus_[0-9A-F]+\.id/,
            ),
          },
        ],
      },
      data_flow: [
        { streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount'] },
      ],
    });
  });

  it('associates the rule and the configuration access endpoint with the cluster', () => {
    const out = make().out();
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionRuleAssociation, {
      target_resource_id: CLUSTER.id,
      data_collection_rule_id: expect.stringMatching(/azurerm_monitor_data_collection_rule\./),
    });
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionRuleAssociation, {
      name: 'configurationAccessEndpoint',
      target_resource_id: CLUSTER.id,
      data_collection_endpoint_id: expect.stringMatching(
        /azurerm_monitor_data_collection_endpoint\./,
      ),
    });
  });

  it('keeps endpoint and rule names within azure limits for long cluster names', () => {
    const out = make({ cluster: { ...CLUSTER, name: 'a'.repeat(60) } }).out();
    const json = JSON.parse(out) as Json;
    const endpoint = Object.values(json.resource.azurerm_monitor_data_collection_endpoint)[0];
    const rule = Object.values(json.resource.azurerm_monitor_data_collection_rule)[0];
    expect((endpoint.name as string).length).toBe(44);
    expect((rule.name as string).length).toBe(64);
  });

  it('truncates names holding terraform tokens at apply time instead of cutting the token', () => {
    const { stack, rg } = testScope();
    const name = new TerraformVariable(stack, 'cluster_name', { type: 'string' }).stringValue;
    new ManagedPrometheus(stack, 'Prometheus', {
      resourceGroup: rg,
      workspaceName: 'amw-iot-test',
      cluster: { id: CLUSTER.id, name },
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(MonitorDataCollectionEndpoint, {
      name: '${substr("MSProm-westeurope-${var.cluster_name}", 0, 44)}',
    });
  });

  it('adds a rule group on the workspace and cluster whose rules notify the action group', () => {
    const { prom, out } = make();
    prom.addRuleGroup(GROUP);
    expect(out()).toHaveResourceWithProperties(MonitorAlertPrometheusRuleGroup, {
      name: 'iot-test-workloads',
      cluster_name: 'aks-test',
      scopes: [
        expect.stringMatching(/azurerm_monitor_workspace\.Prometheus_[0-9A-F]+\.id/),
        CLUSTER.id,
      ],
      interval: 'PT1M',
      rule_group_enabled: true,
      rule: [
        {
          alert: 'DeadLetterGrowth',
          expression: 'sum(increase(analysis_deadletters_total[15m])) > 0',
          for: 'PT5M',
          severity: 2,
          enabled: true,
          annotations: { summary: 'dead letters' },
          action: [{ action_group_id: AG.id }],
          alert_resolution: { auto_resolved: true, time_to_resolve: 'PT10M' },
        },
      ],
    });
  });

  it('rejects empty groups, duplicate names, bad alert names, severities and intervals', () => {
    const { prom } = make();
    expect(() => prom.addRuleGroup({ ...GROUP, rules: [] })).toThrow(
      /rules \[\]: at least one rule/,
    );
    expect(() => prom.addRuleGroup({ ...GROUP, interval: 'PT30M' })).toThrow(/interval 30/);
    expect(() =>
      prom.addRuleGroup({ ...GROUP, rules: [{ ...GROUP.rules[0], alert: 'dead-letters' }] }),
    ).toThrow(/rules\[0\]\.alert "dead-letters"/);
    expect(() =>
      prom.addRuleGroup({ ...GROUP, rules: [{ ...GROUP.rules[0], severity: 7 as never }] }),
    ).toThrow(/rules\[0\]\.severity 7/);
    expect(() => prom.addRuleGroup({ ...GROUP, rules: [GROUP.rules[0], GROUP.rules[0]] })).toThrow(
      /alert names are unique/,
    );
    prom.addRuleGroup(GROUP);
    expect(() => prom.addRuleGroup(GROUP)).toThrow(/rule group names are unique/);
  });

  it('rejects a workspace name azure refuses', () => {
    expect(() => make({ workspaceName: 'amw' })).toThrow(/invalid workspaceName "amw"/);
    expect(() => make({ workspaceName: 'amw iot' })).toThrow(/invalid workspaceName/);
  });
});
