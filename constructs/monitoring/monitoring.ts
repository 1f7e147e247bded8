import { Construct } from 'constructs';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { AzureResourceProps, ILogAnalyticsWorkspace, IPrincipal } from '../core';
import {
  checkConstruct,
  entryCount,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  isUnresolved,
  NamingRules,
  validateName,
  validateRange,
} from '../core';

/** An email receiver of the action group. */
export interface EmailReceiver {
  /** Receiver name, unique in the action group. */
  readonly name: string;
  /** Address alerts are sent to. */
  readonly emailAddress: string;
}

/** A webhook receiver of the action group (e.g. the platform's alert relay or a chat hook). */
export interface WebhookReceiver {
  /** Receiver name, unique in the action group. */
  readonly name: string;
  /** HTTPS URL the alert payload is posted to. */
  readonly serviceUri: string;
}

/** The action group alerts notify. */
export interface ActionGroupProps {
  /** Action group name (1–260 characters). */
  readonly name: string;
  /** Short name shown in SMS and email subjects: 1–12 characters. */
  readonly shortName: string;
  /**
   * Email receivers.
   * @default - none
   */
  readonly emailReceivers?: EmailReceiver[];
  /**
   * Webhook receivers; only HTTPS URLs.
   * @default - none
   */
  readonly webhookReceivers?: WebhookReceiver[];
}

/** Props of {@link Monitoring}. */
export interface MonitoringProps extends AzureResourceProps {
  /** Log Analytics workspace name: 4–63 letters, digits and hyphens. */
  readonly workspaceName: string;
  /**
   * Workspace-based Application Insights name.
   * @default "<workspaceName>-appi"
   */
  readonly applicationInsightsName?: string;
  /**
   * Days the workspace keeps data (30–730).
   * @default 90 - covers a quarter of incident look-back, beyond the free 31 days
   */
  readonly retentionDays?: number;
  /**
   * Daily ingestion cap in GB; ingestion stops for the day when reached.
   * @default - no cap (a cap silently drops audit data)
   */
  readonly dailyQuotaGb?: number;
  /**
   * Whether agents may send data over the public internet. Turn off only with an Azure Monitor
   * Private Link Scope in place, or Container Insights stops receiving data.
   * @default true - the library creates no private link scope
   */
  readonly internetIngestion?: boolean;
  /**
   * Whether the workspace can be queried from the public internet (portal, API). Turn off only
   * with an Azure Monitor Private Link Scope in place.
   * @default true
   */
  readonly internetQuery?: boolean;
  /**
   * Whether shared keys (workspace key, instrumentation key) may authenticate ingestion.
   * @default false - Entra ID only; agents and SDKs use managed identities
   */
  readonly localAuthentication?: boolean;
  /**
   * The action group alerts notify.
   * @default - no action group
   */
  readonly actionGroup?: ActionGroupProps;
}

/**
 * The observability foundation: a Log Analytics workspace (Entra-only ingestion, validated
 * retention, optional daily cap), a workspace-based Application Insights (local auth off) and an
 * action group with email and webhook receivers. Exposes `workspace` for every construct's
 * `diagnosticSettings`.
 *
 * @example
 * const monitoring = new Monitoring(this, 'Monitoring', {
 *   workspaceName: 'log-iot-dev-weu', resourceGroup: rg, retentionDays: 90,
 *   actionGroup: { name: 'ag-iot-dev', shortName: 'iotdev', emailReceivers: [{ name: 'oncall', emailAddress: 'oncall@example.com' }] },
 * });
 * new KeyVault(this, 'KeyVault', { ..., diagnosticSettings: [{ workspace: monitoring.workspace }] });
 */
/** The platform's monitoring (Log Analytics + Application Insights) as other code takes it. */
export interface IMonitoring extends ILogAnalyticsWorkspace {
  /** Grants `Log Analytics Reader`: query all data in the workspace. */
  grantRead(principal: IPrincipal): RoleAssignment;
  /** Grants `Monitoring Metrics Publisher` on Application Insights. */
  grantTelemetryPublish(principal: IPrincipal): RoleAssignment;
}

export class Monitoring extends Construct implements IMonitoring {
  /** Resource id of the workspace. */
  public readonly id: string;
  /** Name of the workspace. */
  public readonly name: string;
  /** The workspace, as diagnostic settings and Container Insights take it. */
  public readonly workspace: ILogAnalyticsWorkspace;
  /** The `azurerm_log_analytics_workspace`. */
  public readonly resource: LogAnalyticsWorkspace;
  /** The workspace's customer id (a GUID), which agents and queries use. */
  public readonly workspaceCustomerId: string;
  /** The `azurerm_application_insights`. */
  public readonly applicationInsights: ApplicationInsights;
  /**
   * Application Insights connection string for SDKs (`APPLICATIONINSIGHTS_CONNECTION_STRING`).
   * A sensitive Terraform value: pass it on as a Key Vault secret or an app setting.
   */
  public readonly connectionString: string;
  /** The action group, when asked for. */
  public readonly actionGroup?: MonitorActionGroup;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, checkConstruct(scope, id, props));
    validateName(this, 'workspaceName', props.workspaceName, NamingRules.logAnalyticsWorkspace);
    if (props.applicationInsightsName !== undefined) {
      validateName(this, 'applicationInsightsName', props.applicationInsightsName, {
        resource: 'application insights',
        minLength: 1,
        maxLength: 255,
        pattern: /^[^%&\\?/]*[^%&\\?/.\s]$/,
        patternDescription: 'any characters except % & \\ ? /, not ending in a period or space',
      });
    }
    validateRange(this, 'retentionDays', props.retentionDays, 30, 730, { unit: 'days' });
    if (props.dailyQuotaGb !== undefined && !isUnresolved(props.dailyQuotaGb)) {
      if (!Number.isFinite(props.dailyQuotaGb) || props.dailyQuotaGb < 0.023) {
        throw new ValidationError(
          this,
          'dailyQuotaGb',
          props.dailyQuotaGb,
          'allowed is a number of GB of at least 0.023, or leave it unset for no cap',
        );
      }
    }
    if (entryCount(props.privateEndpoints) > 0) {
      throw new ValidationError(
        this,
        'privateEndpoints',
        'set',
        'a workspace is reached privately through an azure monitor private link scope, not a private endpoint',
      );
    }
    if (props.actionGroup) this.validateActionGroup(props.actionGroup);

    const location = props.location ?? props.resourceGroup.location;
    const localAuth = props.localAuthentication ?? false;
    this.resource = new LogAnalyticsWorkspace(this, 'Resource', {
      name: props.workspaceName,
      location,
      resourceGroupName: props.resourceGroup.name,
      sku: 'PerGB2018',
      retentionInDays: props.retentionDays ?? 90,
      dailyQuotaGb: props.dailyQuotaGb,
      localAuthenticationEnabled: localAuth,
      internetIngestionEnabled: props.internetIngestion ?? true,
      internetQueryEnabled: props.internetQuery ?? true,
      // Resource-context access: whoever can read a resource can read its logs, and no more.
      allowResourceOnlyPermissions: true,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.workspace = { id: this.resource.id };
    this.workspaceCustomerId = this.resource.workspaceId;

    this.applicationInsights = new ApplicationInsights(this, 'AppInsights', {
      name: props.applicationInsightsName ?? `${props.workspaceName}-appi`,
      location,
      resourceGroupName: props.resourceGroup.name,
      applicationType: 'web',
      workspaceId: this.resource.id,
      localAuthenticationDisabled: !localAuth,
      internetIngestionEnabled: props.internetIngestion ?? true,
      internetQueryEnabled: props.internetQuery ?? true,
    });
    this.connectionString = this.applicationInsights.connectionString;
    // No diagnostic setting on Application Insights: it is workspace-based, so its telemetry
    // already lands in the workspace, and exporting it again would double ingestion cost.

    if (props.actionGroup) {
      const ag = props.actionGroup;
      this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
        name: ag.name,
        resourceGroupName: props.resourceGroup.name,
        shortName: ag.shortName,
        location: 'global',
        emailReceiver: ag.emailReceivers?.map((r) => ({
          name: r.name,
          emailAddress: r.emailAddress,
          useCommonAlertSchema: true,
        })),
        webhookReceiver: ag.webhookReceivers?.map((r) => ({
          name: r.name,
          serviceUri: r.serviceUri,
          useCommonAlertSchema: true,
        })),
      });
    }

    applyCommonInterfaces(this, this.resource, props);
  }

  /** Grants `Log Analytics Reader`: query all data in the workspace. */
  public grantRead(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('LogAnalyticsReader', this, principal), {
      scope: this.resource.id,
      roleDefinitionName: 'Log Analytics Reader',
      principal,
      description: `query logs of ${this.node.path}`,
    });
  }

  /**
   * Grants `Monitoring Metrics Publisher` on Application Insights: what an SDK authenticating
   * with Entra ID needs to send telemetry while local auth is off.
   */
  public grantTelemetryPublish(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('MetricsPublisher', this, principal), {
      scope: this.applicationInsights.id,
      roleDefinitionName: 'Monitoring Metrics Publisher',
      principal,
      description: `send telemetry to ${this.node.path}`,
    });
  }

  private validateActionGroup(ag: ActionGroupProps): void {
    validateName(this, 'actionGroup.name', ag.name, {
      resource: 'action group',
      minLength: 1,
      maxLength: 260,
      pattern: /^[^%&\\?/<>*:]+$/,
      patternDescription: 'any characters except % & \\ ? / < > * :',
    });
    validateName(this, 'actionGroup.shortName', ag.shortName, {
      resource: 'action group short',
      minLength: 1,
      maxLength: 12,
      pattern: /^.+$/,
      patternDescription: 'any characters',
    });
    const names = new Set<string>();
    const checkName = (prop: string, name: string) => {
      if (names.has(name)) {
        throw new ValidationError(this, prop, name, 'receiver names must be unique in the group');
      }
      names.add(name);
    };
    (ag.emailReceivers ?? []).forEach((r, i) => {
      checkName(`actionGroup.emailReceivers[${i}].name`, r.name);
      if (!isUnresolved(r.emailAddress) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r.emailAddress)) {
        throw new ValidationError(
          this,
          `actionGroup.emailReceivers[${i}].emailAddress`,
          r.emailAddress,
          'an email address such as oncall@example.com',
        );
      }
    });
    (ag.webhookReceivers ?? []).forEach((r, i) => {
      checkName(`actionGroup.webhookReceivers[${i}].name`, r.name);
      if (!isUnresolved(r.serviceUri) && !/^https:\/\/[^\s/]+/.test(r.serviceUri)) {
        throw new ValidationError(
          this,
          `actionGroup.webhookReceivers[${i}].serviceUri`,
          r.serviceUri,
          'an https url: alert payloads carry resource details and must not travel in clear text',
        );
      }
    });
  }
}
