import { Construct } from 'constructs';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type { ILogAnalyticsWorkspace } from './interfaces';

/** Where and what a resource sends its platform logs and metrics (the AVM `diagnosticSettings`). */
export interface DiagnosticSettingsProps {
  /** Log Analytics workspace that receives the logs and metrics. */
  readonly workspace: ILogAnalyticsWorkspace;
  /**
   * Name of the diagnostic setting.
   * @default "diag-to-law"
   */
  readonly name?: string;
  /**
   * Log category groups to send.
   * @default ["allLogs"] - every log category, so audits see everything
   */
  readonly logCategoryGroups?: string[];
  /**
   * Individual log categories to send, in place of category groups (some services, e.g.
   * HDInsight, expose no groups).
   * @default - none; `logCategoryGroups` applies
   */
  readonly logCategories?: string[];
  /**
   * Metric categories to send.
   * @default ["AllMetrics"]
   */
  readonly metricCategories?: string[];
  /**
   * Resource-specific tables instead of the legacy AzureDiagnostics table where the service
   * supports them.
   * @default - the service's default
   */
  readonly logAnalyticsDestinationType?: 'Dedicated' | 'AzureDiagnostics';
}

/**
 * Creates one `azurerm_monitor_diagnostic_setting` per entry for `targetResourceId`, in a
 * child construct `Diagnostics<suffix>` of `scope`. Returns the settings created.
 */
export function addDiagnosticSettings(
  scope: Construct,
  targetResourceId: string,
  settings: readonly DiagnosticSettingsProps[] | undefined,
  suffix = '',
): MonitorDiagnosticSetting[] {
  if (!settings || settings.length === 0) return [];
  const holder = new Construct(scope, `Diagnostics${suffix}`);
  return settings.map((s, i) => {
    const logs =
      s.logCategories && s.logCategories.length > 0
        ? s.logCategories.map((category) => ({ category }))
        : (s.logCategoryGroups ?? ['allLogs']).map((categoryGroup) => ({ categoryGroup }));
    return new MonitorDiagnosticSetting(holder, `Setting${i}`, {
      name: s.name ?? 'diag-to-law',
      targetResourceId,
      logAnalyticsWorkspaceId: s.workspace.id,
      logAnalyticsDestinationType: s.logAnalyticsDestinationType,
      enabledLog: logs,
      enabledMetric: (s.metricCategories ?? ['AllMetrics']).map((category) => ({ category })),
    });
  });
}
