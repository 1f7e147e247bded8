import { Testing } from 'cdktf';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { testScope } from '../../test/construct-helpers';
import { LogAlert, MetricAlert, isoMinutes } from './alert-rules';
import type { LogAlertProps, MetricAlertProps } from './alert-rules';

const AG = {
  id: '/subscriptions/s/resourceGroups/rg-test/providers/microsoft.insights/actionGroups/ag',
};
const COSMOS = {
  id: '/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.DocumentDB/databaseAccounts/c',
};
const LAW = {
  id: '/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.OperationalInsights/workspaces/w',
};

function metric(props: Partial<MetricAlertProps> = {}) {
  const { stack, rg } = testScope();
  new MetricAlert(stack, 'Alert', {
    name: 'cosmos-throttled',
    resourceGroup: rg,
    scope: COSMOS,
    description: 'cosmos answers 429',
    severity: 2,
    actionGroup: AG,
    metricNamespace: 'Microsoft.DocumentDB/databaseAccounts',
    metricName: 'TotalRequests',
    aggregation: 'Count',
    operator: 'GreaterThan',
    threshold: 10,
    dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
    ...props,
  });
  return Testing.synth(stack);
}

function log(props: Partial<LogAlertProps> = {}) {
  const { stack, rg } = testScope();
  new LogAlert(stack, 'Alert', {
    name: 'pod-restarts',
    resourceGroup: rg,
    scope: LAW,
    description: 'restarts',
    severity: 2,
    actionGroup: AG,
    query: 'KubePodInventory | summarize restarts = max(ContainerRestartCount) by Name',
    aggregation: 'Total',
    metricMeasureColumn: 'restarts',
    operator: 'GreaterThan',
    threshold: 3,
    ...props,
  });
  return Testing.synth(stack);
}

describe('isoMinutes', () => {
  it.each([
    ['PT1M', 1],
    ['PT15M', 15],
    ['PT1H', 60],
    ['PT1H30M', 90],
    ['P1D', 1440],
    ['P2DT1H', 2940],
  ])('reads %s as %d minutes', (value, minutes) => {
    expect(isoMinutes(value)).toBe(minutes);
  });

  it.each(['5m', 'PT', 'P', 'PT5S', '', 'P1W'])('rejects %j', (value) => {
    expect(isoMinutes(value)).toBeUndefined();
  });
});

describe('MetricAlert', () => {
  it('watches one metric of the scope with the dimension filter and notifies the action group', () => {
    expect(metric()).toHaveResourceWithProperties(MonitorMetricAlert, {
      name: 'cosmos-throttled',
      resource_group_name: 'rg-test',
      scopes: [COSMOS.id],
      severity: 2,
      frequency: 'PT1M',
      window_size: 'PT5M',
      auto_mitigate: true,
      criteria: [
        {
          metric_namespace: 'Microsoft.DocumentDB/databaseAccounts',
          metric_name: 'TotalRequests',
          aggregation: 'Count',
          operator: 'GreaterThan',
          threshold: 10,
          dimension: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
        },
      ],
      action: [{ action_group_id: AG.id }],
    });
  });

  it('rejects a severity outside 0-4', () => {
    expect(() => metric({ severity: 5 as never })).toThrow(/invalid severity 5: allowed values/);
  });

  it('rejects a frequency longer than the window', () => {
    expect(() => metric({ windowSize: 'PT5M', frequency: 'PT15M' })).toThrow(
      /invalid frequency "PT15M": at most the window size PT5M/,
    );
  });

  it('rejects a window azure does not offer', () => {
    expect(() => metric({ windowSize: 'PT2M' as never })).toThrow(/invalid windowSize "PT2M"/);
  });

  it('rejects a non-finite threshold and an empty dimension', () => {
    expect(() => metric({ threshold: Number.NaN })).toThrow(/invalid threshold/);
    expect(() =>
      metric({ dimensions: [{ name: 'StatusCode', operator: 'Include', values: [] }] }),
    ).toThrow(/invalid dimensions\[0\]\.values/);
  });

  it('rejects names with characters azure refuses', () => {
    expect(() => metric({ name: 'a/b' })).toThrow(/invalid name "a\/b"/);
  });
});

describe('LogAlert', () => {
  it('runs the query on the workspace, aggregates the measure column and notifies the action group', () => {
    expect(log()).toHaveResourceWithProperties(MonitorScheduledQueryRulesAlertV2, {
      name: 'pod-restarts',
      location: 'westeurope',
      scopes: [LAW.id],
      severity: 2,
      window_duration: 'PT15M',
      evaluation_frequency: 'PT5M',
      auto_mitigation_enabled: true,
      criteria: [
        expect.objectContaining({
          query: expect.stringContaining('KubePodInventory'),
          time_aggregation_method: 'Total',
          metric_measure_column: 'restarts',
          operator: 'GreaterThan',
          threshold: 3,
        }),
      ],
      action: { action_groups: [AG.id] },
    });
  });

  it('needs a measure column unless it counts rows', () => {
    expect(() => log({ metricMeasureColumn: undefined })).toThrow(
      /invalid metricMeasureColumn \(undefined\): a numeric column/,
    );
    expect(() => log({ aggregation: 'Count', metricMeasureColumn: undefined })).not.toThrow();
  });

  it('rejects an empty query, bad durations and a frequency longer than the window', () => {
    expect(() => log({ query: '  ' })).toThrow(/invalid query/);
    expect(() => log({ windowDuration: '15m' })).toThrow(/invalid windowDuration "15m"/);
    expect(() => log({ windowDuration: 'PT1M' })).toThrow(/invalid windowDuration 1/);
    expect(() => log({ windowDuration: 'PT15M', evaluationFrequency: 'PT30M' })).toThrow(
      /invalid evaluationFrequency "PT30M"/,
    );
  });
});
