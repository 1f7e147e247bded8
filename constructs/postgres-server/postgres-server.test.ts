import type { TerraformStack } from 'cdktf';
import { Testing } from 'cdktf';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator';
import { PostgresqlFlexibleServerConfiguration } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { PostgresServer } from './postgres-server';
import type { IPostgresServer, PostgresServerProps } from './postgres-server';
import { testScope } from '../../test/construct-helpers';

const subnet = { id: 'snet-pg-id', name: 'snet-pg' };
const zone = { id: 'zone-id', name: 'privatelink.postgres.database.azure.com' };
const cmk = (n: string) => ({
  key: { id: `https://kv${n}/keys/k/v1`, versionlessId: `https://kv${n}/keys/k` },
  identity: { id: `uai-${n}`, principalId: `p-${n}`, clientId: `c-${n}` },
});

function synth(
  props: Partial<PostgresServerProps> = {},
  extra?: (pg: PostgresServer, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const pg = new PostgresServer(stack, 'Postgres', {
    name: 'psql-iot-test',
    resourceGroup: rg,
    tenantId: 'tenant-1',
    delegatedSubnet: subnet,
    privateDnsZone: zone,
    ...props,
  });
  extra?.(pg, stack);
  return Testing.synth(stack);
}

function resources(out: string, type: string): Record<string, Record<string, unknown>> {
  return JSON.parse(out).resource[type] ?? {};
}

describe('PostgresServer', () => {
  it('is secure by default: entra only, no public access, private access, 35-day backups, v16', () => {
    expect(synth()).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      version: '16',
      sku_name: 'GP_Standard_D2ds_v5',
      public_network_access_enabled: false,
      delegated_subnet_id: 'snet-pg-id',
      private_dns_zone_id: 'zone-id',
      authentication: {
        active_directory_auth_enabled: true,
        password_auth_enabled: false,
        tenant_id: 'tenant-1',
      },
      backup_retention_days: 35,
      geo_redundant_backup_enabled: false,
      auto_grow_enabled: true,
      maintenance_window: { day_of_week: 0, start_hour: 2, start_minute: 0 },
    });
    const server = Object.values(resources(synth(), 'azurerm_postgresql_flexible_server'))[0];
    expect(server).not.toHaveProperty('administrator_login');
    expect(server).not.toHaveProperty('high_availability');
  });

  it('sets the secure server parameters one after another, plus custom ones', () => {
    const out = synth({ serverParameters: { 'azure.extensions': 'PG_STAT_STATEMENTS' } });
    const params = Object.values(
      resources(out, 'azurerm_postgresql_flexible_server_configuration'),
    );
    expect(Object.fromEntries(params.map((p) => [p.name, p.value]))).toEqual({
      'azure.extensions': 'PG_STAT_STATEMENTS',
      'connection_throttle.enable': 'on',
      log_checkpoints: 'on',
      log_connections: 'on',
      log_disconnections: 'on',
      require_secure_transport: 'on',
      ssl_min_protocol_version: 'TLSv1.2',
    });
    // each change waits for the one before: flexible server rejects concurrent changes
    expect(params.every((p) => Array.isArray(p.depends_on) && p.depends_on.length === 1)).toBe(
      true,
    );
    const deps = new Set(params.map((p) => (p.depends_on as string[])[0]));
    expect(deps.size).toBe(params.length);
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServerConfiguration, {
      name: 'azure.extensions',
      depends_on: [expect.stringMatching(/^azurerm_postgresql_flexible_server\.Postgres_/)],
    });
  });

  it('turns on zone-redundant ha with distinct zones and ignores failover zone swaps', () => {
    const out = synth({ highAvailability: 'ZoneRedundant', geoRedundantBackup: true });
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      zone: '1',
      high_availability: { mode: 'ZoneRedundant', standby_availability_zone: '2' },
      geo_redundant_backup_enabled: true,
      lifecycle: {
        ignore_changes: ['zone', 'high_availability[0].standby_availability_zone'],
      },
    });
    expect(synth({ highAvailability: 'ZoneRedundant', zone: '2' })).toHaveResourceWithProperties(
      PostgresqlFlexibleServer,
      { zone: '2', high_availability: { mode: 'ZoneRedundant', standby_availability_zone: '1' } },
    );
  });

  it('uses a private endpoint instead of private access when asked', () => {
    const out = synth({
      delegatedSubnet: undefined,
      privateDnsZone: undefined,
      privateEndpoints: {
        main: { subnet: { id: 'pe-snet', name: 'pe' }, privateDnsZones: [zone] },
      },
      diagnosticSettings: { law: { workspace: { id: 'law' } } },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({
        subresource_names: ['postgresqlServer'],
      }),
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    const server = Object.values(resources(out, 'azurerm_postgresql_flexible_server'))[0];
    expect(server).not.toHaveProperty('delegated_subnet_id');
  });

  it('uses customer-managed keys with their identities, including the geo-backup key', () => {
    const out = synth({
      customerManagedKey: cmk('a'),
      geoRedundantBackup: true,
      geoBackupCustomerManagedKey: cmk('b'),
    });
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      identity: { type: 'UserAssigned', identity_ids: ['uai-a', 'uai-b'] },
      customer_managed_key: {
        key_vault_key_id: 'https://kva/keys/k',
        primary_user_assigned_identity_id: 'uai-a',
        geo_backup_key_vault_key_id: 'https://kvb/keys/k',
        geo_backup_user_assigned_identity_id: 'uai-b',
      },
    });
  });

  it('turns password auth on only with an administrator whose password is a token', () => {
    expect(() =>
      synth({
        passwordAuthentication: {
          administratorLogin: 'pgadmin',
          administratorPassword: 'S3cret!!x',
        },
      }),
    ).toThrow(/invalid passwordAuthentication.administratorPassword "<literal redacted>"/);
    const out = synth({}, (pg, stack) => {
      const id = new UserAssignedIdentity(stack, 'Id', {
        name: 'id',
        location: 'x',
        resourceGroupName: 'rg',
      });
      // any terraform-produced value stands in for a generated password here
      new PostgresServer(stack, 'Other', {
        name: 'psql-other',
        resourceGroup: { id: 'rg', name: 'rg', location: 'x' },
        tenantId: 't',
        delegatedSubnet: subnet,
        privateDnsZone: zone,
        passwordAuthentication: {
          administratorLogin: 'pgadmin',
          administratorPassword: id.clientId,
        },
      });
      expect(pg.fqdn).toMatch(/\$\{TfToken/);
    });
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      name: 'psql-other',
      administrator_login: 'pgadmin',
      authentication: expect.objectContaining({ password_auth_enabled: true }),
    });
    expect(out).not.toContain('S3cret');
  });

  it('creates databases and entra administrators after the server changes', () => {
    const out = synth(
      {
        administrators: [
          { objectId: 'grp-1', principalName: 'platform-admins', principalType: 'Group' },
        ],
      },
      (pg) => {
        pg.addDatabase('iot');
        const held: IPostgresServer = pg; // declared on the interface
        held.grantEntraAdmin({ principalId: 'web-p', principalType: 'ServicePrincipal' }, 'id-web');
      },
    );
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServerDatabase, {
      name: 'iot',
      charset: 'UTF8',
      collation: 'en_US.utf8',
    });
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServerActiveDirectoryAdministrator, {
      object_id: 'grp-1',
      principal_name: 'platform-admins',
      principal_type: 'Group',
      tenant_id: 'tenant-1',
    });
    expect(out).toHaveResourceWithProperties(PostgresqlFlexibleServerActiveDirectoryAdministrator, {
      object_id: 'web-p',
      principal_name: 'id-web',
      principal_type: 'ServicePrincipal',
      depends_on: [expect.stringMatching(/azurerm_postgresql_flexible_server_database\./)],
    });
  });

  it.each([
    ['name', { name: 'PSQL' }, /invalid name "PSQL": a postgresql flexible server name allows/],
    ['version', { version: '12' as never }, /invalid version "12": allowed values are "13"/],
    [
      'skuName',
      { skuName: 'Standard_D2s_v3' },
      /invalid skuName "Standard_D2s_v3": allowed is B_Standard_/,
    ],
    ['storageMb', { storageMb: 40000 }, /invalid storageMb 40000: allowed values are 32768/],
    [
      'backupRetentionDays',
      { backupRetentionDays: 36 },
      /invalid backupRetentionDays 36: allowed is an integer from 7 to 35 days/,
    ],
    [
      'highAvailability',
      { skuName: 'B_Standard_B1ms', highAvailability: 'ZoneRedundant' as const },
      /invalid highAvailability "ZoneRedundant": burstable sku "B_Standard_B1ms" supports no high availability/,
    ],
    [
      'standbyZone',
      { highAvailability: 'ZoneRedundant' as const, zone: '1' as const, standbyZone: '1' as const },
      /invalid standbyZone "1": zone-redundant ha needs a standby zone other than zone "1"/,
    ],
    [
      'standbyZone',
      { standbyZone: '2' as const },
      /only applies with highAvailability "ZoneRedundant"/,
    ],
    [
      'delegatedSubnet',
      { privateEndpoints: { main: { subnet, privateDnsZones: [] } } },
      /invalid delegatedSubnet "snet-pg": use private access \(delegatedSubnet\) or privateEndpoints, not both/,
    ],
    [
      'delegatedSubnet',
      { delegatedSubnet: undefined, privateDnsZone: undefined },
      /invalid delegatedSubnet \(undefined\): the server has no public access/,
    ],
    ['privateDnsZone', { privateDnsZone: undefined }, /invalid privateDnsZone \(undefined\)/],
    [
      'privateDnsZone',
      { privateDnsZone: { id: 'z', name: 'privatelink.database.windows.net' } },
      /invalid privateDnsZone "privatelink.database.windows.net": a zone named \*.postgres.database.azure.com/,
    ],
    [
      'geoBackupCustomerManagedKey',
      { customerManagedKey: cmk('a'), geoRedundantBackup: true },
      /invalid geoBackupCustomerManagedKey \(undefined\): required when customerManagedKey and geoRedundantBackup/,
    ],
    [
      'serverParameters',
      { serverParameters: { require_secure_transport: 'off' } },
      /invalid serverParameters.require_secure_transport "off": allowed is "on"/,
    ],
    [
      'serverParameters',
      { serverParameters: { ssl_min_protocol_version: 'TLSv1.1' } },
      /invalid serverParameters.ssl_min_protocol_version "TLSv1.1"/,
    ],
    [
      'maintenanceWindow',
      { maintenanceWindow: { dayOfWeek: 7, startHour: 1 } },
      /invalid maintenanceWindow.dayOfWeek 7: allowed is an integer from 0 to 6/,
    ],
    [
      'administratorLogin',
      { passwordAuthentication: { administratorLogin: 'admin', administratorPassword: 'x' } },
      /invalid passwordAuthentication.administratorLogin "admin": a login other than the reserved/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('rejects a bad or repeated database name', () => {
    expect(() => synth({}, (pg) => pg.addDatabase('iot-db'))).toThrow(
      /invalid addDatabase\(iot-db\).name "iot-db"/,
    );
    expect(() => synth({}, (pg) => pg.addDatabase('postgres'))).toThrow(/not a system database/);
    expect(() =>
      synth({}, (pg) => {
        pg.addDatabase('iot');
        pg.addDatabase('iot');
      }),
    ).toThrow(/not one added before/);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'x' })).toThrow(/^test\/Postgres: invalid name/);
  });
});
