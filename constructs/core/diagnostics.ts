import { Construct } from 'constructs';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { keyedEntries, moveFromLegacyId } from './addresses';
import { ValidationError } from './errors';
import type { ILogAnalyticsWorkspace } from './interfaces';
import { isUnresolved } from './validation';

/**
 * Diagnostic settings by key, as Azure Verified Modules keys its `diagnostic_settings` map: the
 * key names the setting's construct id (`Diagnostics/Setting-<key>`), so adding or removing one
 * leaves the others' Terraform addresses alone. Keys: 1–63 letters, digits, hyphens and
 * underscores.
 *
 * @example
 * diagnosticSettings: { law: { workspace } }
 */
export type DiagnosticSettings = Readonly<Record<string, DiagnosticSettingsProps>>;

/**
 * Where and what a resource sends its platform logs and metrics (an entry of the AVM
 * `diagnosticSettings` map).
 */
export interface DiagnosticSettingsProps {
  /** Log Analytics workspace that receives the logs and metrics. */
  readonly workspace: ILogAnalyticsWorkspace;
  /**
   * Azure name of the diagnostic setting; two settings of one resource need different names.
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
 * Creates one `azurerm_monitor_diagnostic_setting` per entry for `targetResourceId`, as children
 * `Setting-<key>` of a child construct `Diagnostics<suffix>` of `scope`. Returns the settings by
 * key.
 *
 * Until 2026-12 the settings were a list and their ids positions (`Setting<i>`); each setting
 * gets a `moved` block from the id its entry's position would have had, so a deployment made
 * then keeps its settings (see docs/adr/0012-brands-and-name-keyed-addresses.md).
 */
export function addDiagnosticSettings(
  scope: Construct,
  targetResourceId: string,
  settings: DiagnosticSettings | undefined,
  suffix = '',
): Record<string, MonitorDiagnosticSetting> {
  const entries = keyedEntries(scope, 'diagnosticSettings', settings);
  if (entries.length === 0) return {};
  const holder = new Construct(scope, `Diagnostics${suffix}`);
  const names = new Map<string, string>();
  const created: Record<string, MonitorDiagnosticSetting> = {};
  entries.forEach(([key, s], i) => {
    const name = s.name ?? 'diag-to-law';
    if (!isUnresolved(name)) {
      const other = names.get(name);
      if (other !== undefined) {
        throw new ValidationError(
          scope,
          `diagnosticSettings.${key}.name`,
          name,
          `a name no other diagnostic setting of the resource has ("${other}" has it; set name on one of them)`,
        );
      }
      names.set(name, key);
    }
    const logs =
      s.logCategories && s.logCategories.length > 0
        ? s.logCategories.map((category) => ({ category }))
        : (s.logCategoryGroups ?? ['allLogs']).map((categoryGroup) => ({ categoryGroup }));
    const setting = new MonitorDiagnosticSetting(holder, `Setting-${key}`, {
      name,
      targetResourceId,
      logAnalyticsWorkspaceId: s.workspace.id,
      logAnalyticsDestinationType: s.logAnalyticsDestinationType,
      enabledLog: logs,
      enabledMetric: (s.metricCategories ?? ['AllMetrics']).map((category) => ({ category })),
    });
    moveFromLegacyId(setting, `Setting${i}`);
    created[key] = setting;
  });
  return created;
}

/**
 * `settings` with `change` applied to every entry, keys kept: for constructs that adjust the
 * settings a caller gave them (metrics only, one more log category).
 */
export function mapDiagnosticSettings(
  settings: DiagnosticSettings | undefined,
  change: (s: DiagnosticSettingsProps, key: string) => DiagnosticSettingsProps,
): DiagnosticSettings | undefined {
  if (settings === undefined || settings === null || Array.isArray(settings)) return settings;
  return Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, change(s, k)]));
}
