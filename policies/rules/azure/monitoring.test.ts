import { testRule } from '../../testing';
import { containerRegistryAdminDisabled } from './container-registry-admin-disabled';
import { containerRegistryAnonymousPullDisabled } from './container-registry-anonymous-pull-disabled';
import { containerRegistryPrivateEndpointAttached } from './container-registry-private-endpoint-attached';
import { containerRegistryPublicNetworkDisabled } from './container-registry-public-network-disabled';
import { diagnosticSettingCapturesLogs } from './diagnostic-setting-captures-logs';
import { logAnalyticsLocalAuthDisabled } from './log-analytics-local-auth-disabled';
import { logAnalyticsRetention90Days } from './log-analytics-retention-90-days';
import { resourceDiagnosticsEnabled } from './resource-diagnostics-enabled';
import { roleAssignmentNotPrivileged } from './role-assignment-not-privileged';
import { containerRegistryContentTrustEnabled } from './container-registry-content-trust-enabled';
import { containerRegistryQuarantineEnabled } from './container-registry-quarantine-enabled';

const LAW = 'azurerm_log_analytics_workspace.law';

testRule(logAnalyticsRetention90Days, {
  compliant: [{ [LAW]: { retention_in_days: 90 } }, { [LAW]: { retention_in_days: '365' } }],
  nonCompliant: [{ [LAW]: {} }, { [LAW]: { retention_in_days: 30 } }],
});

testRule(logAnalyticsLocalAuthDisabled, {
  compliant: [
    { [LAW]: { local_authentication_enabled: false } },
    // The 3.x attribute has the opposite sense and is inverted by the normaliser.
    { [LAW]: { local_authentication_disabled: true } },
  ],
  nonCompliant: [{ [LAW]: {} }, { [LAW]: { local_authentication_disabled: 'false' } }],
  unknown: [{ [LAW]: { local_authentication_disabled: '${var.x}' } }],
});

const DIAG = 'azurerm_monitor_diagnostic_setting.d';

testRule(resourceDiagnosticsEnabled, {
  compliant: [
    {
      'azurerm_key_vault.kv': {},
      [DIAG]: {
        target_resource_id: '${azurerm_key_vault.kv.id}',
        enabled_log: [{ category_group: 'audit' }],
      },
    },
  ],
  nonCompliant: [
    { 'azurerm_key_vault.kv': {} },
    {
      'azurerm_key_vault.kv': {},
      'azurerm_storage_account.sa': {},
      [DIAG]: { target_resource_id: '${azurerm_storage_account.sa.id}' },
    },
  ],
  // A setting whose target the graph cannot resolve might target this vault.
  unknown: [{ 'azurerm_key_vault.kv': {}, [DIAG]: { target_resource_id: '${var.target}' } }],
});

testRule(diagnosticSettingCapturesLogs, {
  compliant: [
    {
      [DIAG]: {
        log_analytics_workspace_id: '${azurerm_log_analytics_workspace.law.id}',
        enabled_log: [{ category_group: 'allLogs' }],
      },
    },
    { [DIAG]: { storage_account_id: 'x', log: [{ category: 'AuditEvent', enabled: true }] } },
  ],
  nonCompliant: [
    { [DIAG]: { log_analytics_workspace_id: 'x', enabled_metric: [{ category: 'AllMetrics' }] } },
    { [DIAG]: { enabled_log: [{ category_group: 'allLogs' }] } },
    { [DIAG]: { storage_account_id: 'x', log: [{ category: 'AuditEvent', enabled: false }] } },
    // The blob service of an account has logs: metrics only there is a gap.
    {
      'azurerm_storage_account.sa': {},
      [DIAG]: {
        target_resource_id: '${azurerm_storage_account.sa.id}/blobServices/default',
        log_analytics_workspace_id: 'x',
        enabled_metric: [{ category: 'Transaction' }],
      },
    },
  ],
  notApplicable: [
    {
      'azurerm_service_plan.plan': {},
      [DIAG]: {
        target_resource_id: '${azurerm_service_plan.plan.id}',
        log_analytics_workspace_id: 'x',
        enabled_metric: [{ category: 'AllMetrics' }],
      },
    },
  ],
});

const ACR = 'azurerm_container_registry.acr';

testRule(containerRegistryAdminDisabled, {
  compliant: [{ [ACR]: {} }, { [ACR]: { admin_enabled: false } }],
  nonCompliant: [{ [ACR]: { admin_enabled: true } }],
});

testRule(containerRegistryAnonymousPullDisabled, {
  compliant: [{ [ACR]: {} }],
  nonCompliant: [{ [ACR]: { anonymous_pull_enabled: 'true' } }],
});

testRule(containerRegistryPublicNetworkDisabled, {
  compliant: [{ [ACR]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [ACR]: { sku: 'Premium' } }],
});

testRule(containerRegistryPrivateEndpointAttached, {
  compliant: [
    {
      [ACR]: {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_container_registry.acr.id}',
        },
      },
    },
  ],
  nonCompliant: [{ [ACR]: {} }],
});

testRule(roleAssignmentNotPrivileged, {
  compliant: [
    {
      'azurerm_role_assignment.ra': {
        role_definition_name: 'Key Vault Secrets User',
        scope: '${azurerm_key_vault.kv.id}',
      },
    },
    {
      'azurerm_role_assignment.ra': {
        role_definition_id:
          '/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d',
      },
    },
  ],
  nonCompliant: [
    { 'azurerm_role_assignment.ra': { role_definition_name: 'Owner' } },
    {
      'azurerm_role_assignment.ra': {
        role_definition_id:
          '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
      },
    },
  ],
  unknown: [{ 'azurerm_role_assignment.ra': { role_definition_name: '${var.role}' } }],
});

testRule(containerRegistryContentTrustEnabled, {
  compliant: [{ [ACR]: { sku: 'Premium', trust_policy_enabled: true } }],
  nonCompliant: [
    { [ACR]: { sku: 'Premium' } },
    { [ACR]: { sku: 'Premium', trust_policy_enabled: false } },
  ],
  unknown: [{ [ACR]: { sku: 'Premium', trust_policy_enabled: '${var.trust}' } }],
  // Content trust is a Premium feature.
  notApplicable: [{ [ACR]: { sku: 'Standard' } }],
});

testRule(containerRegistryQuarantineEnabled, {
  compliant: [{ [ACR]: { sku: 'Premium', quarantine_policy_enabled: true } }],
  nonCompliant: [
    { [ACR]: { sku: 'Premium' } },
    { [ACR]: { sku: 'Premium', quarantine_policy_enabled: false } },
    // The SKU as an expression may be Premium.
    { [ACR]: { sku: '${var.sku}', quarantine_policy_enabled: false } },
  ],
  unknown: [{ [ACR]: { sku: 'Premium', quarantine_policy_enabled: '${var.quarantine}' } }],
  notApplicable: [{ [ACR]: { sku: 'Basic' } }],
});
