import { Construct } from 'constructs';
import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import type {
  LinuxWebAppConfig,
  LinuxWebAppSiteConfigIpRestriction,
} from '@cdktf/provider-azurerm/lib/linux-web-app';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type {
  AzureResourceProps,
  ISubnet,
  IUserAssignedIdentity,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  mapDiagnosticSettings,
  ValidationError,
  addDiagnosticSettings,
  applyCommonInterfaces,
  identityBlock,
  isUnresolved,
  NamingRules,
  validateCidr,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/** Linux App Service plan SKUs the construct accepts (dedicated tiers; no Free/Shared). */
export const APP_SERVICE_PLAN_SKUS = [
  'B1',
  'B2',
  'B3',
  'S1',
  'S2',
  'S3',
  'P1v2',
  'P2v2',
  'P3v2',
  'P0v3',
  'P1v3',
  'P2v3',
  'P3v3',
  'P1mv3',
  'P2mv3',
  'P3mv3',
  'P4mv3',
  'P5mv3',
] as const;

/** An App Service plan SKU. */
export type AppServicePlanSku = (typeof APP_SERVICE_PLAN_SKUS)[number];

/** A Key Vault secret an app setting refers to (the azurerm `KeyVaultSecret` satisfies it). */
export interface IKeyVaultSecretLike {
  /** Secret URI without version, so the app picks up rotated values without a redeploy. */
  readonly versionlessId: string;
}

/** A container registry the app pulls from (the azurerm `ContainerRegistry` satisfies it). */
export interface IContainerRegistryLike {
  /** Registry host, e.g. `acriotprod.azurecr.io`. */
  readonly loginServer: string;
}

/** The container the web app runs. */
export interface WebAppContainerProps {
  /** Registry the image is pulled from, with the app's managed identity (no admin user). */
  readonly registry: IContainerRegistryLike;
  /**
   * Repository and tag or digest inside the registry, without the registry host, e.g.
   * `iot/web:1.4.2` or `iot/web@sha256:…`. `latest` is rejected: deployments must be
   * reproducible.
   */
  readonly image: string;
  /**
   * Port the container listens on (`WEBSITES_PORT`).
   * @default - App Service probes 80 and 8080
   */
  readonly port?: number;
}

/** A source allowed through the app's access restrictions. */
export interface WebAppAllowedSource {
  /** Rule name shown in the portal. */
  readonly name: string;
  /**
   * IPv4 address or CIDR.
   * @default - none
   */
  readonly ipRange?: string;
  /**
   * Azure service tag, e.g. `ApiManagement` or `AzureFrontDoor.Backend`.
   * @default - none
   */
  readonly serviceTag?: string;
  /**
   * Subnet (with the `Microsoft.Web` service endpoint).
   * @default - none
   */
  readonly subnet?: ISubnet;
}

/**
 * App Service authentication ("Easy Auth") with Microsoft Entra ID: App Service signs users in
 * before a request reaches the container. Register the app first with
 * `scripts/azure/web-signin-app-registration.ts` (see the README).
 */
export interface WebAppEntraSignIn {
  /** Application (client) id of the app registration users sign in to. */
  readonly clientId: string;
  /** Entra tenant (GUID) of the app registration; its `/v2.0` endpoint issues the tokens. */
  readonly tenantId: string;
  /**
   * How App Service proves the registration's identity when it redeems a sign-in code. Without
   * it, the app's user-assigned `identity` does, as a federated credential on the registration
   * (app setting `OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID`): no secret exists anywhere. With it,
   * the registration's client secret is read from Key Vault (setting
   * `MICROSOFT_PROVIDER_AUTHENTICATION_SECRET`) with `identity`.
   * @default - the app's identity as a federated credential; no client secret
   */
  readonly clientSecret?: IKeyVaultSecretLike;
  /**
   * Object ids of the Entra groups whose members may sign in; others are refused (403).
   * @default - every user the app registration admits (assign users to it to restrict)
   */
  readonly allowedGroupObjectIds?: string[];
  /**
   * What an unauthenticated request gets: a redirect to the sign-in page (browsers), or 401
   * (API clients).
   * @default "RedirectToLoginPage" - the dashboard is used from a browser
   */
  readonly unauthenticatedAction?: 'RedirectToLoginPage' | 'Return401';
  /**
   * Paths served without sign-in, e.g. `/livez`. App Service's own health check needs none.
   * @default - none
   */
  readonly excludedPaths?: string[];
}

/** App setting the built-in authentication reads the federated managed identity's client id from. */
export const SIGN_IN_FEDERATED_IDENTITY_SETTING = 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID';
/** App setting that holds the Key Vault reference of the app registration's client secret. */
export const SIGN_IN_CLIENT_SECRET_SETTING = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET';

/** A web app as other constructs take it. */
export interface IWebApp {
  readonly id: string;
  readonly name: string;
  /** `<name>.azurewebsites.net`. */
  readonly defaultHostname: string;
}

/** Props of {@link WebApp}. */
export interface WebAppProps extends AzureResourceProps {
  /** Web app name: 2–60 letters, digits and hyphens; globally unique (it is a DNS name). */
  readonly name: string;
  /** The container image and the registry it comes from. */
  readonly container: WebAppContainerProps;
  /**
   * User sign-in with Microsoft Entra ID (App Service authentication, `auth_settings_v2`):
   * every request needs a signed-in user. Required: pass the app registration, or
   * `"disabled"` to opt out explicitly (e.g. when a gateway in front authenticates users).
   */
  readonly authentication: WebAppEntraSignIn | 'disabled';
  /**
   * App Service plan name.
   * @default "asp-<name>"
   */
  readonly planName?: string;
  /**
   * App Service plan SKU.
   * @default "P0v3" - the smallest tier with zone balancing, VNet integration and private endpoints
   */
  readonly sku?: AppServicePlanSku;
  /**
   * Spread the plan's instances across availability zones (Premium tiers; needs 2+ workers).
   * @default false - the environments turn it on in production
   */
  readonly zoneBalancing?: boolean;
  /**
   * Number of plan instances.
   * @default 3 with zone balancing (one per zone), else 1
   */
  readonly workerCount?: number;
  /**
   * User-assigned identity the app pulls its image, reads Key Vault references and reaches
   * data services with. Grant it `AcrPull` with `ContainerRegistry.grantPull(app.identity)`.
   * @default - a new identity `id-<name>`; user-assigned so grants exist before the app's first pull
   */
  readonly identity?: IUserAssignedIdentity;
  /**
   * Further identities besides `identity`.
   * @default - none
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Plain app settings. Names that look like secrets (password, secret, key, token,
   * connection string) must not carry a literal value: use `keyVaultSecrets`.
   * @default - none
   */
  readonly appSettings?: Record<string, string>;
  /**
   * Names in `appSettings` that look like secrets but hold none (e.g. `COSMOS_PARTITION_KEY`),
   * exempt from the literal-value check.
   * @default - none
   */
  readonly notSecrets?: string[];
  /**
   * App settings resolved from Key Vault at run time as
   * `@Microsoft.KeyVault(SecretUri=<versionless id>)`, read with `identity` (which needs
   * `KeyVault.grantSecretsRead`). No secret value reaches the Terraform JSON.
   * @default - none
   */
  readonly keyVaultSecrets?: Record<string, IKeyVaultSecretLike>;
  /**
   * Path App Service probes; instances failing it are taken out of rotation and replaced.
   * @default "/readyz" - the reference workloads' readiness endpoint
   */
  readonly healthCheckPath?: string;
  /**
   * Minutes an instance may fail the health check before it is removed (2–10).
   * @default 5
   */
  readonly healthCheckEvictionMinutes?: number;
  /**
   * Subnet (delegated to `Microsoft.Web/serverFarms`) for regional VNet integration; all
   * outbound traffic and the image pull are routed through it.
   * @default - no VNet integration
   */
  readonly vnetIntegrationSubnet?: ISubnet;
  /**
   * Whether the app's public endpoint accepts traffic. Leave off and add a `sites` private
   * endpoint, or turn on when API Management or Front Door fronts the app and restrict it with
   * `allowedSources`.
   * @default false
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Sources allowed through the access restrictions; anything else is denied. The SCM site
   * follows the same rules.
   * @default - no restrictions beyond `publicNetworkAccess`
   */
  readonly allowedSources?: WebAppAllowedSource[];
  /**
   * Require TLS client certificates (mutual TLS) in this mode.
   * @default - client certificates off
   */
  readonly clientCertificateMode?: 'Required' | 'Optional' | 'OptionalInteractiveUser';
  /**
   * Minimum TLS version of the app and its SCM site.
   * @default "1.2"
   */
  readonly minimumTlsVersion?: '1.2' | '1.3';
  /**
   * Keep the app loaded when idle.
   * @default true - the live alert stream must not cold-start
   */
  readonly alwaysOn?: boolean;
  /**
   * Level of application (container) logs kept on the file system.
   * @default "Information"
   */
  readonly applicationLogLevel?: 'Error' | 'Warning' | 'Information' | 'Verbose';
  /**
   * Days HTTP logs are kept on the file system.
   * @default 7
   */
  readonly httpLogsRetentionDays?: number;
  /**
   * File-system quota of HTTP logs in MB (25–100).
   * @default 35
   */
  readonly httpLogsRetentionMb?: number;
}

const SECRET_LIKE = /password|secret|key|token|connectionstring|connection_string/i;
const SETTING_NAME = /^[A-Za-z0-9_.]+$/;

/**
 * A Linux App Service plan and web app running a container from a registry, pulled with a
 * managed identity. HTTPS only, TLS 1.2+, FTPS and basic publishing credentials off, HTTP/2,
 * always on, health check, no public access by default, secrets only as Key Vault references,
 * and user sign-in with Entra ID in front of the container.
 *
 * @example
 * const web = new WebApp(this, 'Web', {
 *   name: 'app-iot-prod-weu', resourceGroup: rg,
 *   container: { registry: acr, image: 'iot/web:1.4.2', port: 8080 },
 *   authentication: { clientId: signInAppClientId, tenantId },
 *   vnetIntegrationSubnet: appSubnet, zoneBalancing: true, sku: 'P1v3',
 *   keyVaultSecrets: { DATABASE_PASSWORD: dbPasswordSecret },
 *   privateEndpoints: [{ subnet: endpoints, privateDnsZones: [sitesZone] }],
 *   diagnosticSettings: [{ workspace }],
 * });
 * acr.grantPull(web.identity);
 * kv.grantSecretsRead(web.identity);
 */
export class WebApp extends Construct implements IWebApp {
  public readonly id: string;
  public readonly name: string;
  public readonly defaultHostname: string;
  /** `https://<defaultHostname>`. */
  public readonly url: string;
  /** Addresses the app's outbound traffic currently leaves from (for downstream firewalls). */
  public readonly outboundIpAddresses: string[];
  /** Every address outbound traffic may leave from, including after a scale change. */
  public readonly possibleOutboundIpAddresses: string[];
  /** The user-assigned identity the app runs as; pass it to `grant*` methods. */
  public readonly identity: IUserAssignedIdentity;
  /** The `azurerm_service_plan`. */
  public readonly plan: ServicePlan;
  /** The `azurerm_linux_web_app`. */
  public readonly resource: LinuxWebApp;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, checkConstruct(scope, id, props));
    const location = props.location ?? props.resourceGroup.location;
    const sku = props.sku ?? 'P0v3';
    const zoneBalancing = props.zoneBalancing ?? false;
    const workerCount = props.workerCount ?? (zoneBalancing ? 3 : 1);
    this.validate(props, sku, zoneBalancing, workerCount);

    this.plan = new ServicePlan(this, 'Plan', {
      name: props.planName ?? `asp-${props.name}`,
      location,
      resourceGroupName: props.resourceGroup.name,
      osType: 'Linux',
      skuName: sku,
      workerCount,
      zoneBalancingEnabled: zoneBalancing,
    });

    this.identity =
      props.identity ??
      new UserAssignedIdentity(this, 'Identity', {
        name: `id-${props.name}`,
        location,
        resourceGroupName: props.resourceGroup.name,
      });

    const extraUser = props.managedIdentities?.userAssigned ?? [];
    const identity = identityBlock({
      systemAssigned: props.managedIdentities?.systemAssigned,
      userAssigned: [this.identity, ...extraUser.filter((u) => u.id !== this.identity.id)],
    });

    const restrictions = this.restrictions(props.allowedSources);
    const tls = props.minimumTlsVersion ?? '1.2';
    this.resource = new LinuxWebApp(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      servicePlanId: this.plan.id,
      httpsOnly: true,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? false,
      ftpPublishBasicAuthenticationEnabled: false,
      webdeployPublishBasicAuthenticationEnabled: false,
      clientAffinityEnabled: false,
      clientCertificateEnabled: props.clientCertificateMode !== undefined,
      clientCertificateMode: props.clientCertificateMode,
      virtualNetworkSubnetId: props.vnetIntegrationSubnet?.id,
      vnetImagePullEnabled: props.vnetIntegrationSubnet ? true : undefined,
      keyVaultReferenceIdentityId: this.identity.id,
      identity,
      appSettings: this.settings(props),
      authSettingsV2: this.signIn(props.authentication),
      siteConfig: {
        alwaysOn: props.alwaysOn ?? true,
        http2Enabled: true,
        ftpsState: 'Disabled',
        minimumTlsVersion: tls,
        scmMinimumTlsVersion: tls,
        remoteDebuggingEnabled: false,
        healthCheckPath: props.healthCheckPath ?? '/readyz',
        healthCheckEvictionTimeInMin: props.healthCheckEvictionMinutes ?? 5,
        vnetRouteAllEnabled: props.vnetIntegrationSubnet ? true : undefined,
        containerRegistryUseManagedIdentity: true,
        containerRegistryManagedIdentityClientId: this.identity.clientId,
        applicationStack: {
          dockerImageName: props.container.image,
          dockerRegistryUrl: `https://${props.container.registry.loginServer}`,
        },
        ipRestriction: restrictions,
        ipRestrictionDefaultAction: restrictions ? 'Deny' : undefined,
        scmUseMainIpRestriction: restrictions ? true : undefined,
        scmIpRestrictionDefaultAction: restrictions ? 'Deny' : undefined,
      },
      logs: {
        detailedErrorMessages: false,
        failedRequestTracing: false,
        applicationLogs: { fileSystemLevel: props.applicationLogLevel ?? 'Information' },
        httpLogs: {
          fileSystem: {
            retentionInDays: props.httpLogsRetentionDays ?? 7,
            retentionInMb: props.httpLogsRetentionMb ?? 35,
          },
        },
      },
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.defaultHostname = this.resource.defaultHostname;
    this.url = `https://${this.defaultHostname}`;
    this.outboundIpAddresses = this.resource.outboundIpAddressList;
    this.possibleOutboundIpAddresses = this.resource.possibleOutboundIpAddressList;

    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'sites' });
    // The plan has metrics only; asking it for logs fails the deployment.
    addDiagnosticSettings(
      this,
      this.plan.id,
      mapDiagnosticSettings(props.diagnosticSettings, (s) => ({
        ...s,
        logCategories: [],
        logCategoryGroups: [],
      })),
      'Plan',
    );
  }

  private validate(
    props: WebAppProps,
    sku: string,
    zoneBalancing: boolean,
    workerCount: number,
  ): void {
    validateName(this, 'name', props.name, NamingRules.webApp);
    if (props.planName !== undefined)
      validateName(this, 'planName', props.planName, NamingRules.appServicePlan);
    validateOneOf(this, 'sku', sku as AppServicePlanSku, APP_SERVICE_PLAN_SKUS);
    validateRange(this, 'workerCount', workerCount, 1, 30);
    if (zoneBalancing && !sku.startsWith('P')) {
      throw new ValidationError(
        this,
        'sku',
        sku,
        'zoneBalancing needs a Premium v2/v3 sku (P0v3, P1v3, ...)',
      );
    }
    if (zoneBalancing && workerCount < 2) {
      throw new ValidationError(
        this,
        'workerCount',
        workerCount,
        'zoneBalancing needs at least 2 workers (3 gives one per zone)',
      );
    }
    validateRange(this, 'healthCheckEvictionMinutes', props.healthCheckEvictionMinutes, 2, 10, {
      unit: 'minutes',
    });
    const path = props.healthCheckPath;
    if (path !== undefined && !isUnresolved(path) && !/^\/[\w\-./]*$/.test(path)) {
      throw new ValidationError(
        this,
        'healthCheckPath',
        path,
        'allowed is an absolute path such as /readyz',
      );
    }
    validateRange(this, 'httpLogsRetentionDays', props.httpLogsRetentionDays, 1, 99999, {
      unit: 'days',
    });
    validateRange(this, 'httpLogsRetentionMb', props.httpLogsRetentionMb, 25, 100, {
      unit: 'MB',
    });
    validateRange(this, 'container.port', props.container.port, 1, 65535);
    this.validateSignIn(props.authentication);
    const image = props.container.image;
    if (!isUnresolved(image)) {
      const m =
        /^([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([\w][\w.-]{0,127})|@sha256:[0-9a-f]{64})$/.exec(
          image,
        );
      if (m === null || m[2] === 'latest' || m[1].split('/')[0].includes('.')) {
        throw new ValidationError(
          this,
          'container.image',
          image,
          'allowed is <repository>:<tag> or <repository>@sha256:<digest> without the registry host, and not the tag "latest"',
        );
      }
    }
    if (props.allowedSources && props.publicNetworkAccess !== true) {
      throw new ValidationError(
        this,
        'allowedSources',
        props.allowedSources.map((s) => s.name),
        'access restrictions only apply with publicNetworkAccess: true',
      );
    }
    (props.allowedSources ?? []).forEach((s, i) => {
      const set = [s.ipRange, s.serviceTag, s.subnet].filter((v) => v !== undefined).length;
      if (set !== 1) {
        throw new ValidationError(
          this,
          `allowedSources[${i}]`,
          s.name,
          'set exactly one of ipRange, serviceTag, subnet',
        );
      }
      if (s.ipRange !== undefined)
        validateCidr(this, `allowedSources[${i}].ipRange`, s.ipRange, { allowBareIp: true });
    });
  }

  private settings(props: WebAppProps): Record<string, string> {
    const plain = props.appSettings ?? {};
    const secrets = props.keyVaultSecrets ?? {};
    for (const [name, value] of Object.entries(plain)) {
      this.checkSettingName(`appSettings.${name}`, name);
      if (
        SECRET_LIKE.test(name) &&
        !isUnresolved(value) &&
        !value.startsWith('@Microsoft.KeyVault(')
      ) {
        throw new ValidationError(
          this,
          `appSettings.${name}`,
          '<literal redacted>',
          'a setting named like a secret must not hold a literal value; put it in Key Vault and pass it in keyVaultSecrets, or list the name in notSecrets if it holds no secret',
        );
      }
    }
    const out: Record<string, string> = {
      // The Azure SDKs' DefaultAzureCredential picks the user-assigned identity from this.
      AZURE_CLIENT_ID: this.identity.clientId,
      // Containers keep no state on the shared /home mount.
      WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false',
    };
    if (props.container.port !== undefined) out.WEBSITES_PORT = String(props.container.port);
    const auth = props.authentication;
    if (auth !== 'disabled') {
      if (auth.clientSecret) {
        out[SIGN_IN_CLIENT_SECRET_SETTING] =
          `@Microsoft.KeyVault(SecretUri=${auth.clientSecret.versionlessId})`;
      } else {
        out[SIGN_IN_FEDERATED_IDENTITY_SETTING] = this.identity.clientId;
      }
    }
    for (const name of [SIGN_IN_FEDERATED_IDENTITY_SETTING, SIGN_IN_CLIENT_SECRET_SETTING]) {
      if (name in plain || name in secrets) {
        throw new ValidationError(
          this,
          name in plain ? `appSettings.${name}` : `keyVaultSecrets.${name}`,
          name,
          'this setting belongs to the built-in sign-in; configure it through authentication',
        );
      }
    }
    for (const [name, value] of Object.entries(plain)) out[name] = value;
    for (const [name, secret] of Object.entries(secrets)) {
      this.checkSettingName(`keyVaultSecrets.${name}`, name);
      if (name in plain) {
        throw new ValidationError(
          this,
          `keyVaultSecrets.${name}`,
          name,
          'a setting cannot be both in appSettings and keyVaultSecrets',
        );
      }
      out[name] = `@Microsoft.KeyVault(SecretUri=${secret.versionlessId})`;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private validateSignIn(auth: WebAppProps['authentication'] | undefined): void {
    if (auth === 'disabled') return;
    if (auth === undefined || typeof auth !== 'object') {
      throw new ValidationError(
        this,
        'authentication',
        auth,
        'user sign-in is on by default: pass { clientId, tenantId } of the entra app registration (scripts/azure/web-signin-app-registration.ts creates it), or "disabled" to opt out explicitly',
      );
    }
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    for (const [prop, value] of [
      ['authentication.clientId', auth.clientId],
      ['authentication.tenantId', auth.tenantId],
      ...(auth.allowedGroupObjectIds ?? []).map(
        (g, i) => [`authentication.allowedGroupObjectIds[${i}]`, g] as const,
      ),
    ] as const) {
      if (typeof value !== 'string' || (!isUnresolved(value) && !guid.test(value))) {
        throw new ValidationError(this, prop, value, 'allowed is a guid or a terraform reference');
      }
    }
    validateOneOf(this, 'authentication.unauthenticatedAction', auth.unauthenticatedAction, [
      'RedirectToLoginPage',
      'Return401',
    ]);
    (auth.excludedPaths ?? []).forEach((path, i) => {
      if (!isUnresolved(path) && !/^\/[\w\-./*]*$/.test(path)) {
        throw new ValidationError(
          this,
          `authentication.excludedPaths[${i}]`,
          path,
          'allowed is an absolute path such as /livez',
        );
      }
    });
  }

  /** The `auth_settings_v2` block: Entra ID sign-in required for every request. */
  private signIn(
    auth: WebAppProps['authentication'],
  ): LinuxWebAppConfig['authSettingsV2'] | undefined {
    if (auth === 'disabled') return undefined;
    return {
      authEnabled: true,
      requireAuthentication: true,
      requireHttps: true,
      unauthenticatedAction: auth.unauthenticatedAction ?? 'RedirectToLoginPage',
      defaultProvider: 'azureactivedirectory',
      excludedPaths: auth.excludedPaths,
      activeDirectoryV2: {
        clientId: auth.clientId,
        tenantAuthEndpoint: `https://login.microsoftonline.com/${auth.tenantId}/v2.0`,
        clientSecretSettingName: auth.clientSecret
          ? SIGN_IN_CLIENT_SECRET_SETTING
          : SIGN_IN_FEDERATED_IDENTITY_SETTING,
        allowedGroups: auth.allowedGroupObjectIds,
      },
      // The dashboard calls no API on the user's behalf, so no user tokens are stored.
      login: { tokenStoreEnabled: false },
    };
  }

  private checkSettingName(prop: string, name: string): void {
    if (!SETTING_NAME.test(name)) {
      throw new ValidationError(
        this,
        prop,
        name,
        'app setting names on linux allow letters, digits, periods and underscores',
      );
    }
  }

  private restrictions(
    sources: WebAppAllowedSource[] | undefined,
  ): LinuxWebAppSiteConfigIpRestriction[] | undefined {
    if (!sources || sources.length === 0) return undefined;
    return sources.map((s, i) => ({
      name: s.name,
      action: 'Allow',
      priority: 100 + i * 10,
      ipAddress: s.ipRange === undefined || s.ipRange.includes('/') ? s.ipRange : `${s.ipRange}/32`,
      serviceTag: s.serviceTag,
      virtualNetworkSubnetId: s.subnet?.id,
    }));
  }
}
