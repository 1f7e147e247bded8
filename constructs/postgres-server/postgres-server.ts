import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator';
import { PostgresqlFlexibleServerConfiguration } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  IPrincipal,
  IPrivateDnsZone,
  ISubnet,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  entryCount,
  ValidationError,
  applyCommonInterfaces,
  identityBlock,
  isUnresolved,
  NamingRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/** PostgreSQL major versions Flexible Server offers for new servers. */
export type PostgresVersion = '13' | '14' | '15' | '16' | '17';

/** High availability: a standby in another zone, in the same zone, or none. */
export type PostgresHighAvailability = 'ZoneRedundant' | 'SameZone' | 'Disabled';

/** An Entra principal that administers the server (can create roles for other principals). */
export interface PostgresEntraAdministrator {
  /** Object id of the user, group or service principal. */
  readonly objectId: string;
  /** Its display name; for a managed identity, the identity's name. It becomes the role name. */
  readonly principalName: string;
  /** Kind of principal. */
  readonly principalType: 'User' | 'Group' | 'ServicePrincipal';
}

/** Opt-in password authentication, for clients that cannot use Entra tokens. */
export interface PostgresPasswordAuthentication {
  /** Administrator login name. */
  readonly administratorLogin: string;
  /** Administrator password: a Terraform token (e.g. a generated password), never a literal. */
  readonly administratorPassword: string;
}

/** Weekly maintenance window (UTC). */
export interface PostgresMaintenanceWindow {
  /** 0 = Sunday … 6 = Saturday. */
  readonly dayOfWeek: number;
  /** Hour the window starts (0–23). */
  readonly startHour: number;
  /**
   * Minute the window starts (0–59).
   * @default 0
   */
  readonly startMinute?: number;
}

/** Options of {@link PostgresServer.addDatabase}. */
export interface PostgresDatabaseOptions {
  /**
   * Character set.
   * @default "UTF8"
   */
  readonly charset?: string;
  /**
   * Collation.
   * @default "en_US.utf8"
   */
  readonly collation?: string;
}

/** Props of {@link PostgresServer}. */
export interface PostgresServerProps extends AzureResourceProps {
  /** Server name: 3–63 lower-case letters, digits and hyphens, globally unique. */
  readonly name: string;
  /** Entra tenant that authenticates logins. */
  readonly tenantId: string;
  /**
   * PostgreSQL major version (13–17).
   * @default "16"
   */
  readonly version?: PostgresVersion;
  /**
   * Compute SKU: `B_` (burstable), `GP_` (general purpose) or `MO_` (memory optimized).
   * @default "GP_Standard_D2ds_v5" - the smallest SKU that supports high availability
   */
  readonly skuName?: string;
  /**
   * Storage in MB, one of the sizes Flexible Server offers (32768 … 33553408).
   * @default 32768
   */
  readonly storageMb?: number;
  /**
   * Grow storage automatically before it fills up.
   * @default true - a full disk makes the server read-only
   */
  readonly autoGrow?: boolean;
  /**
   * Days point-in-time backups are kept (7–35).
   * @default 35 - the longest recovery window
   */
  readonly backupRetentionDays?: number;
  /**
   * Copy backups to the paired region. Only settable at creation; not offered in every region.
   * @default false - the environments turn it on in production
   */
  readonly geoRedundantBackup?: boolean;
  /**
   * High availability: a hot standby in another zone (`ZoneRedundant`), the same zone, or none.
   * Burstable SKUs support none.
   * @default "Disabled" - the environments ask for "ZoneRedundant" in production
   */
  readonly highAvailability?: PostgresHighAvailability;
  /**
   * Availability zone of the primary.
   * @default - "1" with zone-redundant HA, else Azure picks
   */
  readonly zone?: '1' | '2' | '3';
  /**
   * Availability zone of the standby with zone-redundant HA; must differ from `zone`.
   * @default "2" (or "1" when `zone` is "2")
   */
  readonly standbyZone?: '1' | '2' | '3';
  /**
   * Private access (VNet integration): a subnet delegated to
   * `Microsoft.DBforPostgreSQL/flexibleServers`. Use it or `privateEndpoints`, not both.
   * @default - none; then `privateEndpoints` is required
   */
  readonly delegatedSubnet?: ISubnet;
  /**
   * Private DNS zone for private access, named `*.postgres.database.azure.com` (e.g.
   * `privatelink.postgres.database.azure.com`) and linked to the VNet. Required with
   * `delegatedSubnet`.
   * @default - none
   */
  readonly privateDnsZone?: IPrivateDnsZone;
  /**
   * Entra administrators created with the server.
   * @default - none; add them with `addEntraAdministrator` / `grantEntraAdmin`
   */
  readonly administrators?: PostgresEntraAdministrator[];
  /**
   * Turn password authentication on with this administrator. Entra-only is the default.
   * @default - password authentication off
   */
  readonly passwordAuthentication?: PostgresPasswordAuthentication;
  /**
   * Server parameters added to (or overriding) the secure defaults. `require_secure_transport`
   * cannot be turned off and `ssl_min_protocol_version` cannot go below TLS 1.2.
   * @default - the secure defaults only (see README)
   */
  readonly serverParameters?: Record<string, string>;
  /**
   * Weekly maintenance window (UTC).
   * @default - Sunday 02:00 UTC, so patching lands off-peak and predictably
   */
  readonly maintenanceWindow?: PostgresMaintenanceWindow;
  /**
   * Managed identities of the server (user-assigned only on Flexible Server).
   * @default - none; the customer-managed keys' identities are added when given
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Customer-managed key for data at rest.
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
  /**
   * Customer-managed key in the paired region for geo-redundant backups; required when both
   * `customerManagedKey` and `geoRedundantBackup` are set.
   * @default - none
   */
  readonly geoBackupCustomerManagedKey?: CustomerManagedKeyProps;
}

/** A PostgreSQL Flexible Server as other constructs take it. */
export interface IPostgresServer {
  readonly id: string;
  readonly name: string;
  /** `<name>.postgres.database.azure.com`. */
  readonly fqdn: string;
  /** Makes `principal` an Entra administrator of the server, named `principalName` in PostgreSQL. */
  grantEntraAdmin(
    principal: IPrincipal,
    principalName: string,
    principalType?: PostgresEntraAdministrator['principalType'],
  ): PostgresqlFlexibleServerActiveDirectoryAdministrator;
}

const STORAGE_SIZES_MB = [
  32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216,
  33553408,
];
const RESERVED_LOGINS = [
  'azure_superuser',
  'azure_pg_admin',
  'admin',
  'administrator',
  'root',
  'guest',
  'public',
];

/**
 * The server parameters set on every server: TLS required and at least 1.2, and the connection
 * and checkpoint logging the audit needs.
 */
export const SECURE_SERVER_PARAMETERS: Readonly<Record<string, string>> = {
  require_secure_transport: 'on',
  ssl_min_protocol_version: 'TLSv1.2',
  log_connections: 'on',
  log_disconnections: 'on',
  log_checkpoints: 'on',
  'connection_throttle.enable': 'on',
};

/**
 * An Azure Database for PostgreSQL Flexible Server with Entra-only authentication, no public
 * access (private access through a delegated subnet, or a private endpoint), TLS 1.2+, 35-day
 * backups, audit-grade logging parameters and, when asked, zone-redundant HA.
 *
 * @example
 * const pg = new PostgresServer(this, 'Postgres', {
 *   name: 'psql-iot-dev-weu', resourceGroup: rg, tenantId,
 *   delegatedSubnet: network.subnet('postgres'), privateDnsZone: network.dnsZone('postgres'),
 *   highAvailability: 'ZoneRedundant', geoRedundantBackup: true,
 * });
 * pg.addDatabase('iot');
 * pg.grantEntraAdmin(platformAdmins, 'platform-admins', 'Group');
 */
export class PostgresServer extends Construct implements IPostgresServer {
  public readonly id: string;
  public readonly name: string;
  public readonly fqdn: string;
  /** The `azurerm_postgresql_flexible_server`. */
  public readonly resource: PostgresqlFlexibleServer;
  /** Server parameters by name. */
  public readonly serverParameters: Record<string, PostgresqlFlexibleServerConfiguration> = {};
  /** Databases by name. */
  public readonly databases: Record<string, PostgresqlFlexibleServerDatabase> = {};

  private readonly tenantId: string;
  /**
   * The last server change created: Flexible Server rejects concurrent changes ("ServerIsBusy"),
   * so parameters, administrators and databases are applied one after another.
   */
  private last: ITerraformDependable;

  constructor(scope: Construct, id: string, props: PostgresServerProps) {
    super(scope, checkConstruct(scope, id, props));
    this.tenantId = props.tenantId;
    validateName(this, 'name', props.name, NamingRules.postgresServer);
    validateOneOf(this, 'version', props.version, ['13', '14', '15', '16', '17']);
    const sku = props.skuName ?? 'GP_Standard_D2ds_v5';
    if (!isUnresolved(sku) && !/^(B|GP|MO)_Standard_[A-Za-z0-9_]+$/.test(sku)) {
      throw new ValidationError(
        this,
        'skuName',
        sku,
        'allowed is B_Standard_<size>, GP_Standard_<size> or MO_Standard_<size>, e.g. GP_Standard_D2ds_v5',
      );
    }
    validateOneOf(this, 'storageMb', props.storageMb, STORAGE_SIZES_MB);
    validateRange(this, 'backupRetentionDays', props.backupRetentionDays, 7, 35, { unit: 'days' });
    validateOneOf(this, 'highAvailability', props.highAvailability, [
      'ZoneRedundant',
      'SameZone',
      'Disabled',
    ]);
    const ha = props.highAvailability ?? 'Disabled';
    if (ha !== 'Disabled' && sku.startsWith('B_')) {
      throw new ValidationError(
        this,
        'highAvailability',
        ha,
        `burstable sku ${JSON.stringify(sku)} supports no high availability; use a GP_ or MO_ sku`,
      );
    }
    validateOneOf(this, 'zone', props.zone, ['1', '2', '3']);
    validateOneOf(this, 'standbyZone', props.standbyZone, ['1', '2', '3']);
    if (props.standbyZone !== undefined && ha !== 'ZoneRedundant') {
      throw new ValidationError(
        this,
        'standbyZone',
        props.standbyZone,
        'a standby zone only applies with highAvailability "ZoneRedundant"',
      );
    }
    const zone = props.zone ?? (ha === 'ZoneRedundant' ? '1' : undefined);
    const standbyZone =
      ha === 'ZoneRedundant' ? (props.standbyZone ?? (zone === '2' ? '1' : '2')) : undefined;
    if (ha === 'ZoneRedundant' && standbyZone === zone) {
      throw new ValidationError(
        this,
        'standbyZone',
        standbyZone,
        `zone-redundant ha needs a standby zone other than zone ${JSON.stringify(zone)}`,
      );
    }
    this.validateNetwork(props);
    if (props.passwordAuthentication) this.validatePassword(props.passwordAuthentication);
    if (
      props.customerManagedKey &&
      props.geoRedundantBackup &&
      !props.geoBackupCustomerManagedKey
    ) {
      throw new ValidationError(
        this,
        'geoBackupCustomerManagedKey',
        undefined,
        'required when customerManagedKey and geoRedundantBackup are both set (a key in the paired region)',
      );
    }
    if (props.geoBackupCustomerManagedKey && !props.customerManagedKey) {
      throw new ValidationError(
        this,
        'geoBackupCustomerManagedKey',
        '<key>',
        'only applies together with customerManagedKey',
      );
    }
    const mw = props.maintenanceWindow ?? { dayOfWeek: 0, startHour: 2, startMinute: 0 };
    validateRange(this, 'maintenanceWindow.dayOfWeek', mw.dayOfWeek, 0, 6, {
      unit: '(0 = sunday)',
    });
    validateRange(this, 'maintenanceWindow.startHour', mw.startHour, 0, 23);
    validateRange(this, 'maintenanceWindow.startMinute', mw.startMinute, 0, 59);
    const parameters = this.mergeParameters(props.serverParameters);

    const cmkIdentities = [props.customerManagedKey, props.geoBackupCustomerManagedKey]
      .filter((k): k is CustomerManagedKeyProps => k !== undefined)
      .map((k) => k.identity);
    const userAssigned = [
      ...(props.managedIdentities?.userAssigned ?? []),
      ...cmkIdentities,
    ].filter((u, i, all) => all.findIndex((o) => o.id === u.id) === i);
    const password = props.passwordAuthentication;

    this.resource = new PostgresqlFlexibleServer(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      version: props.version ?? '16',
      skuName: sku,
      storageMb: props.storageMb ?? 32768,
      autoGrowEnabled: props.autoGrow ?? true,
      backupRetentionDays: props.backupRetentionDays ?? 35,
      geoRedundantBackupEnabled: props.geoRedundantBackup ?? false,
      zone,
      highAvailability:
        ha === 'Disabled'
          ? undefined
          : {
              mode: ha,
              standbyAvailabilityZone: standbyZone,
            },
      publicNetworkAccessEnabled: false,
      delegatedSubnetId: props.delegatedSubnet?.id,
      privateDnsZoneId: props.privateDnsZone?.id,
      authentication: {
        activeDirectoryAuthEnabled: true,
        passwordAuthEnabled: password !== undefined,
        tenantId: props.tenantId,
      },
      administratorLogin: password?.administratorLogin,
      administratorPassword: password?.administratorPassword,
      maintenanceWindow: {
        dayOfWeek: mw.dayOfWeek,
        startHour: mw.startHour,
        startMinute: mw.startMinute ?? 0,
      },
      identity: identityBlock({ userAssigned }),
      customerManagedKey: props.customerManagedKey
        ? {
            keyVaultKeyId: props.customerManagedKey.key.versionlessId,
            primaryUserAssignedIdentityId: props.customerManagedKey.identity.id,
            geoBackupKeyVaultKeyId: props.geoBackupCustomerManagedKey?.key.versionlessId,
            geoBackupUserAssignedIdentityId: props.geoBackupCustomerManagedKey?.identity.id,
          }
        : undefined,
      lifecycle: {
        // after a failover Azure swaps primary and standby zones; following that is not drift
        ignoreChanges: ['zone', 'high_availability[0].standby_availability_zone'],
      },
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.fqdn = this.resource.fqdn;
    this.last = this.resource;

    for (const [name, value] of Object.entries(parameters)) {
      this.serverParameters[name] = this.serialized(
        new PostgresqlFlexibleServerConfiguration(this, `Parameter-${name}`, {
          name,
          value,
          serverId: this.id,
          dependsOn: [this.last],
        }),
      );
    }
    (props.administrators ?? []).forEach((a) => this.addEntraAdministrator(a));
    applyCommonInterfaces(this, this.resource, props, {
      privateEndpointSubresource: 'postgresqlServer',
    });
  }

  /** Creates a database on the server and returns it. */
  public addDatabase(
    name: string,
    options: PostgresDatabaseOptions = {},
  ): PostgresqlFlexibleServerDatabase {
    validateName(this, `addDatabase(${name}).name`, name, {
      resource: 'postgresql database',
      minLength: 1,
      maxLength: 63,
      pattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/,
      patternDescription: 'letters, digits and underscores, starting with a letter or underscore',
    });
    if (['postgres', 'azure_maintenance', 'azure_sys'].includes(name) || this.databases[name]) {
      throw new ValidationError(
        this,
        `addDatabase(${name}).name`,
        name,
        'a new database name, not a system database and not one added before',
      );
    }
    const db = this.serialized(
      new PostgresqlFlexibleServerDatabase(this, `Database-${name}`, {
        name,
        serverId: this.id,
        charset: options.charset ?? 'UTF8',
        collation: options.collation ?? 'en_US.utf8',
        dependsOn: [this.last],
      }),
    );
    this.databases[name] = db;
    return db;
  }

  /** Makes an Entra principal a server administrator and returns the assignment. */
  public addEntraAdministrator(
    admin: PostgresEntraAdministrator,
  ): PostgresqlFlexibleServerActiveDirectoryAdministrator {
    validateOneOf(this, 'administrator.principalType', admin.principalType, [
      'User',
      'Group',
      'ServicePrincipal',
    ]);
    const key = isUnresolved(admin.principalName)
      ? String(this.node.children.length)
      : admin.principalName;
    return this.serialized(
      new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, `EntraAdmin-${key}`, {
        serverName: this.resource.name,
        resourceGroupName: this.resource.resourceGroupName,
        tenantId: this.tenantId,
        objectId: admin.objectId,
        principalName: admin.principalName,
        principalType: admin.principalType,
        dependsOn: [this.last],
      }),
    );
  }

  /**
   * Grants Entra administration of the server to `principal` (named `principalName` in
   * PostgreSQL). Administrators create the database roles of other principals
   * (`pgaadauth_create_principal`); that is SQL, not Azure RBAC, so it is no grant here.
   */
  public grantEntraAdmin(
    principal: IPrincipal,
    principalName: string,
    principalType: PostgresEntraAdministrator['principalType'] = principal.principalType ??
      'ServicePrincipal',
  ): PostgresqlFlexibleServerActiveDirectoryAdministrator {
    return this.addEntraAdministrator({
      objectId: principal.principalId,
      principalName,
      principalType,
    });
  }

  private serialized<T extends ITerraformDependable>(resource: T): T {
    this.last = resource;
    return resource;
  }

  private validateNetwork(props: PostgresServerProps): void {
    const endpoints = entryCount(props.privateEndpoints) > 0;
    if (props.delegatedSubnet && endpoints) {
      throw new ValidationError(
        this,
        'delegatedSubnet',
        props.delegatedSubnet.name,
        'use private access (delegatedSubnet) or privateEndpoints, not both',
      );
    }
    if (!props.delegatedSubnet && !endpoints) {
      throw new ValidationError(
        this,
        'delegatedSubnet',
        undefined,
        'the server has no public access: give delegatedSubnet + privateDnsZone, or privateEndpoints',
      );
    }
    if (props.delegatedSubnet && !props.privateDnsZone) {
      throw new ValidationError(
        this,
        'privateDnsZone',
        undefined,
        'private access needs a private dns zone named *.postgres.database.azure.com',
      );
    }
    if (props.privateDnsZone && !props.delegatedSubnet) {
      throw new ValidationError(
        this,
        'privateDnsZone',
        props.privateDnsZone.name,
        'only applies with delegatedSubnet; private endpoints take their zones in privateEndpoints',
      );
    }
    const zoneName = props.privateDnsZone?.name;
    if (
      zoneName !== undefined &&
      !isUnresolved(zoneName) &&
      !zoneName.endsWith('.postgres.database.azure.com')
    ) {
      throw new ValidationError(
        this,
        'privateDnsZone',
        zoneName,
        'a zone named *.postgres.database.azure.com, e.g. privatelink.postgres.database.azure.com',
      );
    }
  }

  private validatePassword(p: PostgresPasswordAuthentication): void {
    validateName(this, 'passwordAuthentication.administratorLogin', p.administratorLogin, {
      resource: 'postgresql administrator login',
      minLength: 1,
      maxLength: 63,
      pattern: /^(?!pg_)[a-zA-Z_][a-zA-Z0-9_]*$/,
      patternDescription: 'letters, digits and underscores, starting with a letter, not with pg_',
    });
    if (RESERVED_LOGINS.includes(p.administratorLogin.toLowerCase())) {
      throw new ValidationError(
        this,
        'passwordAuthentication.administratorLogin',
        p.administratorLogin,
        `a login other than the reserved ${RESERVED_LOGINS.join(', ')}`,
      );
    }
    if (!isUnresolved(p.administratorPassword)) {
      throw new ValidationError(
        this,
        'passwordAuthentication.administratorPassword',
        '<literal redacted>',
        "a password must be a terraform token (another resource's attribute), never a literal in code",
      );
    }
  }

  private mergeParameters(custom: Record<string, string> | undefined): Record<string, string> {
    const merged: Record<string, string> = { ...SECURE_SERVER_PARAMETERS, ...(custom ?? {}) };
    if (merged.require_secure_transport.toLowerCase() !== 'on') {
      throw new ValidationError(
        this,
        'serverParameters.require_secure_transport',
        merged.require_secure_transport,
        'allowed is "on": tls is mandatory',
      );
    }
    validateOneOf(
      this,
      'serverParameters.ssl_min_protocol_version',
      merged.ssl_min_protocol_version,
      ['TLSv1.2', 'TLSv1.3'],
    );
    // sorted so the synthesized order and the one-after-another chain are deterministic
    return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
