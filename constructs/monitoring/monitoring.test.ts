import { TerraformOutput, Testing } from 'cdktf';
import type { TerraformStack } from 'cdktf';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { testScope } from '../../test/construct-helpers';
import { Monitoring } from './monitoring';
import type { IMonitoring, MonitoringProps } from './monitoring';

function make(props: Partial<MonitoringProps> = {}) {
  const { stack, rg } = testScope();
  const monitoring = new Monitoring(stack, 'Monitoring', {
    workspaceName: 'log-iot-test',
    resourceGroup: rg,
    ...props,
  });
  return { stack, monitoring, out: () => Testing.synth(stack) };
}

/** What a token resolves to in the synthesized JSON, read back through an output. */
function resolved(stack: TerraformStack, value: string): string {
  const id = `probe${stack.node.children.length}`;
  new TerraformOutput(stack, id, { value });
  return (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> }).output[
    id
  ].value;
}

describe('Monitoring', () => {
  it('creates a workspace with entra-only ingestion, 90-day retention and resource-context access', () => {
    expect(make().out()).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      name: 'log-iot-test',
      sku: 'PerGB2018',
      retention_in_days: 90,
      local_authentication_enabled: false,
      internet_ingestion_enabled: true,
      internet_query_enabled: true,
      allow_resource_only_permissions: true,
    });
  });

  it('creates a workspace-based application insights with local auth off', () => {
    const out = make().out();
    expect(out).toHaveResourceWithProperties(ApplicationInsights, {
      name: 'log-iot-test-appi',
      application_type: 'web',
      local_authentication_disabled: true,
      workspace_id: expect.stringMatching(
        /azurerm_log_analytics_workspace\.Monitoring_[0-9A-F]+\.id/,
      ),
    });
  });

  it('exposes the workspace and the connection string', () => {
    const { stack, monitoring } = make();
    expect(resolved(stack, monitoring.workspace.id)).toMatch(
      /^\$\{azurerm_log_analytics_workspace\.Monitoring_[0-9A-F]+\.id\}$/,
    );
    expect(resolved(stack, monitoring.connectionString)).toMatch(
      /^\$\{azurerm_application_insights\.Monitoring_AppInsights_[0-9A-F]+\.connection_string\}$/,
    );
    expect(resolved(stack, monitoring.id)).toBe(resolved(stack, monitoring.workspace.id));
  });

  it('honours retention, daily cap and the internet switches', () => {
    const out = make({
      retentionDays: 365,
      dailyQuotaGb: 5,
      internetIngestion: false,
      internetQuery: false,
      applicationInsightsName: 'appi-iot-test',
    }).out();
    expect(out).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      retention_in_days: 365,
      daily_quota_gb: 5,
      internet_ingestion_enabled: false,
      internet_query_enabled: false,
    });
    expect(out).toHaveResourceWithProperties(ApplicationInsights, {
      name: 'appi-iot-test',
      internet_ingestion_enabled: false,
      internet_query_enabled: false,
    });
  });

  it('creates an action group with email and webhook receivers on the common alert schema', () => {
    const { out, monitoring } = make({
      actionGroup: {
        name: 'ag-iot-test',
        shortName: 'iottest',
        emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@example.com' }],
        webhookReceivers: [{ name: 'relay', serviceUri: 'https://hooks.example.com/alerts' }],
      },
    });
    expect(monitoring.actionGroup).toBeInstanceOf(MonitorActionGroup);
    expect(out()).toHaveResourceWithProperties(MonitorActionGroup, {
      name: 'ag-iot-test',
      short_name: 'iottest',
      location: 'global',
      email_receiver: [
        { name: 'oncall', email_address: 'oncall@example.com', use_common_alert_schema: true },
      ],
      webhook_receiver: [
        {
          name: 'relay',
          service_uri: 'https://hooks.example.com/alerts',
          use_common_alert_schema: true,
        },
      ],
    });
  });

  it('creates no action group unless asked', () => {
    const { out, monitoring } = make();
    expect(monitoring.actionGroup).toBeUndefined();
    expect(out()).not.toHaveResource(MonitorActionGroup);
  });

  it('sends the workspace audit logs to a workspace, locks it and tags everything', () => {
    const out = make({
      diagnosticSettings: { law: { workspace: { id: 'central-law' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
      actionGroup: { name: 'ag', shortName: 'ag' },
    }).out();
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      log_analytics_workspace_id: 'central-law',
      target_resource_id: expect.stringMatching(/azurerm_log_analytics_workspace/),
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    expect(out).toHaveResourceWithProperties(LogAnalyticsWorkspace, { tags: { env: 'test' } });
    expect(out).toHaveResourceWithProperties(ApplicationInsights, { tags: { env: 'test' } });
    expect(out).toHaveResourceWithProperties(MonitorActionGroup, { tags: { env: 'test' } });
  });

  it('grants log reading on the workspace and telemetry publishing on application insights', () => {
    const { stack, monitoring: m } = make();
    const monitoring: IMonitoring = m; // declared on the interface
    const read = monitoring.grantRead({ principalId: 'reader', principalType: 'Group' });
    const pub = monitoring.grantTelemetryPublish({
      principalId: 'app',
      principalType: 'ServicePrincipal',
    });
    expect(read).toBeInstanceOf(RoleAssignment);
    expect(pub).toBeInstanceOf(RoleAssignment);
    const s = Testing.synth(stack);
    expect(s).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Log Analytics Reader',
      principal_id: 'reader',
      scope: expect.stringMatching(/azurerm_log_analytics_workspace/),
    });
    expect(s).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Monitoring Metrics Publisher',
      principal_id: 'app',
      scope: expect.stringMatching(/azurerm_application_insights/),
    });
  });

  it.each<[string, Partial<MonitoringProps>, RegExp]>([
    [
      'workspaceName',
      { workspaceName: 'log' },
      /invalid workspaceName "log": a log analytics workspace name is 4 to 63/,
    ],
    ['workspaceName', { workspaceName: '-log-iot' }, /invalid workspaceName "-log-iot"/],
    [
      'applicationInsightsName',
      { applicationInsightsName: 'appi?x' },
      /invalid applicationInsightsName "appi\?x"/,
    ],
    [
      'retentionDays',
      { retentionDays: 7 },
      /invalid retentionDays 7: allowed is an integer from 30 to 730 days/,
    ],
    ['retentionDays', { retentionDays: 731 }, /invalid retentionDays 731/],
    [
      'dailyQuotaGb',
      { dailyQuotaGb: 0 },
      /invalid dailyQuotaGb 0: allowed is a number of GB of at least 0.023/,
    ],
    [
      'privateEndpoints',
      { privateEndpoints: { main: { subnet: { id: 's', name: 's' }, privateDnsZones: [] } } },
      /invalid privateEndpoints "set": a workspace is reached privately through an azure monitor private link scope/,
    ],
    [
      'actionGroup.shortName',
      { actionGroup: { name: 'ag', shortName: 'much-too-long-name' } },
      /invalid actionGroup.shortName "much-too-long-name": a action group short name is 1 to 12/,
    ],
    [
      'actionGroup email',
      {
        actionGroup: {
          name: 'ag',
          shortName: 'ag',
          emailReceivers: [{ name: 'a', emailAddress: 'nope' }],
        },
      },
      /invalid actionGroup.emailReceivers\[0\].emailAddress "nope"/,
    ],
    [
      'actionGroup webhook',
      {
        actionGroup: {
          name: 'ag',
          shortName: 'ag',
          webhookReceivers: [{ name: 'w', serviceUri: 'http://hooks.example.com' }],
        },
      },
      /invalid actionGroup.webhookReceivers\[0\].serviceUri "http:\/\/hooks.example.com": an https url/,
    ],
    [
      'duplicate receiver',
      {
        actionGroup: {
          name: 'ag',
          shortName: 'ag',
          emailReceivers: [{ name: 'x', emailAddress: 'a@b.co' }],
          webhookReceivers: [{ name: 'x', serviceUri: 'https://h.example.com' }],
        },
      },
      /invalid actionGroup.webhookReceivers\[0\].name "x": receiver names must be unique/,
    ],
  ])('rejects a bad %s with a message naming the prop', (_what, props, message) => {
    expect(() => make(props)).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => make({ retentionDays: 1 })).toThrow(/^test\/Monitoring: invalid retentionDays/);
  });
});
