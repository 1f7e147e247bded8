import type { TerraformStack } from 'cdktf';
import { Testing } from 'cdktf';
import { CosmosdbAccount } from '@cdktf/provider-azurerm/lib/cosmosdb-account';
import { CosmosdbSqlContainer } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-container';
import { CosmosdbSqlDatabase } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-database';
import { CosmosdbSqlRoleAssignment } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { CosmosAccount } from './cosmos-account';
import type { CosmosAccountProps, ICosmosAccount } from './cosmos-account';
import { testScope } from '../../test/construct-helpers';

function synth(
  props: Partial<CosmosAccountProps> = {},
  extra?: (cosmos: CosmosAccount, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const cosmos = new CosmosAccount(stack, 'Cosmos', {
    name: 'cosmos-iot-test',
    resourceGroup: rg,
    ...props,
  });
  extra?.(cosmos, stack);
  return Testing.synth(stack);
}

function resources(out: string, type: string): Record<string, unknown>[] {
  return Object.values(JSON.parse(out).resource[type] ?? {});
}

const ACCOUNT_ID = /^\$\{azurerm_cosmosdb_account\.Cosmos_[0-9A-F]+\.id\}/;

describe('CosmosAccount', () => {
  it('is secure by default: no key auth, no public access, no bypass, tls 1.2, continuous backup', () => {
    expect(synth()).toHaveResourceWithProperties(CosmosdbAccount, {
      kind: 'GlobalDocumentDB',
      offer_type: 'Standard',
      local_authentication_disabled: true,
      access_key_metadata_writes_enabled: false,
      public_network_access_enabled: false,
      network_acl_bypass_for_azure_services: false,
      minimal_tls_version: 'Tls12',
      backup: { type: 'Continuous', tier: 'Continuous7Days' },
      consistency_policy: { consistency_level: 'Session' },
      automatic_failover_enabled: true,
      multiple_write_locations_enabled: false,
      geo_location: [{ location: 'westeurope', failover_priority: 0, zone_redundant: false }],
    });
  });

  it('spreads over zones and extra regions in failover order', () => {
    expect(
      synth({
        zoneRedundant: true,
        backupTier: 'Continuous30Days',
        additionalRegions: [
          { location: 'northeurope' },
          { location: 'swedencentral', zoneRedundant: false },
        ],
      }),
    ).toHaveResourceWithProperties(CosmosdbAccount, {
      backup: { type: 'Continuous', tier: 'Continuous30Days' },
      geo_location: [
        { location: 'westeurope', failover_priority: 0, zone_redundant: true },
        { location: 'northeurope', failover_priority: 1, zone_redundant: true },
        { location: 'swedencentral', failover_priority: 2, zone_redundant: false },
      ],
    });
  });

  it('sets bounded staleness bounds only for bounded staleness', () => {
    expect(synth({ consistencyLevel: 'BoundedStaleness' })).toHaveResourceWithProperties(
      CosmosdbAccount,
      {
        consistency_policy: {
          consistency_level: 'BoundedStaleness',
          max_staleness_prefix: 100000,
          max_interval_in_seconds: 300,
        },
      },
    );
  });

  it('creates a private endpoint on the Sql sub-resource, diagnostics, a lock and tags', () => {
    const out = synth({
      privateEndpoints: {
        main: {
          subnet: { id: 'snet-id', name: 'snet' },
          privateDnsZones: [{ id: 'zone-id', name: 'privatelink.documents.azure.com' }],
        },
      },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      subnet_id: 'snet-id',
      private_service_connection: expect.objectContaining({ subresource_names: ['Sql'] }),
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone-id'] },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      log_analytics_workspace_id: 'law-id',
      enabled_log: [{ category_group: 'allLogs' }],
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    expect(out).toHaveResourceWithProperties(CosmosdbAccount, { tags: { env: 'test' } });
  });

  it('encrypts with a customer-managed key through its user-assigned identity', () => {
    const identity = {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cmk',
      principalId: 'p',
      clientId: 'c',
    };
    expect(
      synth({
        customerManagedKey: {
          key: { id: 'https://kv/keys/k/v1', versionlessId: 'https://kv/keys/k' },
          identity,
        },
      }),
    ).toHaveResourceWithProperties(CosmosdbAccount, {
      key_vault_key_id: 'https://kv/keys/k',
      default_identity_type: `UserAssignedIdentity=${identity.id}`,
      identity: { type: 'UserAssigned', identity_ids: [identity.id] },
    });
  });

  it('exposes the endpoint and the system identity when asked', () => {
    synth({ managedIdentities: { systemAssigned: true } }, (cosmos) => {
      expect(cosmos.endpoint).toMatch(/TOKEN/);
      expect(cosmos.principalId).toMatch(/TOKEN/);
    });
    synth({}, (cosmos) => expect(cosmos.principalId).toBeUndefined());
  });

  it('can run serverless for small environments', () => {
    expect(synth({ serverless: true })).toHaveResourceWithProperties(CosmosdbAccount, {
      capabilities: [{ name: 'EnableServerless' }],
    });
  });

  it('adds databases and containers with hierarchical keys, ttl, indexing, unique keys and autoscale', () => {
    const out = synth({}, (cosmos) => {
      const db = cosmos.addSqlDatabase('iot', { autoscaleMaxThroughput: 4000 });
      expect(db).toBeInstanceOf(CosmosdbSqlDatabase);
      const c = cosmos.addSqlContainer(db, 'readings', {
        partitionKeyPaths: ['/deviceId'],
        defaultTtlSeconds: 2592000,
        autoscaleMaxThroughput: 10000,
        uniqueKeys: [['/id', '/seq']],
        indexingPolicy: {
          excludedPaths: ['/metrics/*', '/"_etag"/?'],
          compositeIndexes: [
            [
              { path: '/deviceId', order: 'Ascending' },
              { path: '/ts', order: 'Descending' },
            ],
          ],
        },
      });
      expect(c).toBeInstanceOf(CosmosdbSqlContainer);
      cosmos.addSqlContainer(db, 'events', {
        partitionKeyPaths: ['/tenantId', '/deviceId'],
        defaultTtlSeconds: -1,
      });
      cosmos.addSqlContainer(db, 'lookups', {
        partitionKeyPaths: ['/key'],
        indexingPolicy: { mode: 'none' },
      });
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlDatabase, {
      name: 'iot',
      autoscale_settings: { max_throughput: 4000 },
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlContainer, {
      name: 'readings',
      database_name: expect.stringMatching(/azurerm_cosmosdb_sql_database\.Cosmos_Db-iot_.*\.name/),
      partition_key_paths: ['/deviceId'],
      partition_key_kind: 'Hash',
      partition_key_version: 2,
      default_ttl: 2592000,
      autoscale_settings: { max_throughput: 10000 },
      unique_key: [{ paths: ['/id', '/seq'] }],
      indexing_policy: {
        indexing_mode: 'consistent',
        included_path: [{ path: '/*' }],
        excluded_path: [{ path: '/metrics/*' }, { path: '/"_etag"/?' }],
        composite_index: [
          {
            index: [
              { path: '/deviceId', order: 'Ascending' },
              { path: '/ts', order: 'Descending' },
            ],
          },
        ],
      },
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlContainer, {
      name: 'events',
      partition_key_paths: ['/tenantId', '/deviceId'],
      partition_key_kind: 'MultiHash',
      default_ttl: -1,
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlContainer, {
      name: 'lookups',
      indexing_policy: { indexing_mode: 'none' },
    });
    expect(
      Object.keys(JSON.parse(out).resource.azurerm_cosmosdb_sql_container).every((k) =>
        k.startsWith('Cosmos_Container-iot-'),
      ),
    ).toBe(true);
  });

  it('grants data-plane contributor and reader roles on the account, a database or a container', () => {
    const out = synth({}, (cosmos, stack) => {
      const ingest = new UserAssignedIdentity(stack, 'Ingest', {
        name: 'id-ingest',
        location: 'westeurope',
        resourceGroupName: 'rg',
      });
      const db = cosmos.addSqlDatabase('iot');
      cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'] });
      const ra = cosmos.grantDataContributor(ingest, { database: 'iot', container: 'readings' });
      expect(ra).toBeInstanceOf(CosmosdbSqlRoleAssignment);
      cosmos.grantDataContributor(ingest, { database: 'iot' });
      cosmos.grantDataReader({ principalId: 'analyst' });
      // granting again returns the first assignment instead of a duplicate-construct error
      expect(cosmos.grantDataContributor(ingest, { database: 'iot', container: 'readings' })).toBe(
        ra,
      );
      const reader = cosmos.grantDataReader({ principalId: 'analyst' });
      expect(cosmos.grantDataReader({ principalId: 'analyst' })).toBe(reader);
    });
    const grants = resources(out, 'azurerm_cosmosdb_sql_role_assignment');
    expect(grants).toHaveLength(3);
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      principal_id: '${azurerm_user_assigned_identity.Ingest.principal_id}',
      role_definition_id: expect.stringMatching(
        /\.id\}\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/,
      ),
      scope: expect.stringMatching(
        /\.id\}\/dbs\/\$\{azurerm_cosmosdb_sql_container\.Cosmos_Container-iot-readings_[0-9A-F]+\.database_name\}\/colls\/\$\{azurerm_cosmosdb_sql_container\.Cosmos_Container-iot-readings_[0-9A-F]+\.name\}$/,
      ),
      account_name: expect.stringMatching(/azurerm_cosmosdb_account\.Cosmos_[0-9A-F]+\.name/),
      resource_group_name: 'rg-test',
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      scope: expect.stringMatching(
        /\.id\}\/dbs\/\$\{azurerm_cosmosdb_sql_database\.Cosmos_Db-iot_[0-9A-F]+\.name\}$/,
      ),
    });
    const reader = grants.find((g) => g.principal_id === 'analyst');
    expect(reader?.role_definition_id).toMatch(/00000000-0000-0000-0000-000000000001$/);
    expect(reader?.scope).toMatch(ACCOUNT_ID);
    expect(reader?.scope).toMatch(/\.id\}$/);
  });

  it('orders a container grant after the container: its scope references the container resource', () => {
    const out = synth({}, (cosmos) => {
      cosmos.addSqlContainer({ name: 'iot' }, 'readings', { partitionKeyPaths: ['/deviceId'] });
      cosmos.grantDataReader({ principalId: 'p' }, { database: 'iot', container: 'readings' });
      cosmos.grantDataReader({ principalId: 'q' }, { database: 'iot' });
    });
    const [container] = Object.keys(JSON.parse(out).resource.azurerm_cosmosdb_sql_container);
    const grants = resources(out, 'azurerm_cosmosdb_sql_role_assignment');
    for (const g of grants) {
      expect(g.scope).toContain(`azurerm_cosmosdb_sql_container.${container}.database_name`);
    }
    expect(grants.find((g) => g.principal_id === 'p')?.scope).toContain(
      `azurerm_cosmosdb_sql_container.${container}.name`,
    );
  });

  it('takes token names for a container created elsewhere, which carry their own dependency', () => {
    const out = synth({}, (cosmos, stack) => {
      const other = new UserAssignedIdentity(stack, 'Other', {
        name: 'x',
        location: 'westeurope',
        resourceGroupName: 'rg',
      });
      cosmos.grantDataReader({ principalId: 'p' }, { database: other.name, container: other.name });
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      scope: expect.stringMatching(
        /\/dbs\/\$\{azurerm_user_assigned_identity\.Other\.name\}\/colls\//,
      ),
    });
  });

  it.each([
    ['name', { name: 'Cosmos-IoT' }, /invalid name "Cosmos-IoT": a cosmos db account name allows/],
    ['name', { name: 'co' }, /invalid name "co": a cosmos db account name is 3 to 44/],
    [
      'consistencyLevel',
      { consistencyLevel: 'Linearizable' as never },
      /invalid consistencyLevel "Linearizable": allowed values are "Strong"/,
    ],
    ['backupTier', { backupTier: 'Periodic' as never }, /invalid backupTier "Periodic"/],
    [
      'maxStalenessPrefix',
      { maxStalenessPrefix: 500 },
      /invalid maxStalenessPrefix 500: staleness bounds only apply with consistencyLevel "BoundedStaleness"/,
    ],
    [
      'maxIntervalSeconds',
      {
        consistencyLevel: 'BoundedStaleness' as const,
        additionalRegions: [{ location: 'northeurope' }],
        maxIntervalSeconds: 60,
      },
      /invalid maxIntervalSeconds 60: allowed is an integer from 300 to 86400 seconds \(multi-region minimum 300\)/,
    ],
    [
      'multipleWriteLocations',
      {
        multipleWriteLocations: true,
        consistencyLevel: 'Strong' as const,
        additionalRegions: [{ location: 'northeurope' }],
      },
      /invalid multipleWriteLocations true: multi-region writes cannot be combined with consistencyLevel "Strong"/,
    ],
    [
      'multipleWriteLocations',
      { multipleWriteLocations: true },
      /multi-region writes need at least one of additionalRegions/,
    ],
    [
      'additionalRegions',
      { additionalRegions: [{ location: 'West Europe' }] },
      /invalid additionalRegions\[0\].location "West Europe": each region may appear once/,
    ],
    [
      'serverless',
      { serverless: true, additionalRegions: [{ location: 'northeurope' }] },
      /invalid serverless true: a serverless account is single-region/,
    ],
    [
      'allowedIpRanges',
      { allowedIpRanges: ['203.0.113.7'] },
      /invalid allowedIpRanges \["203.0.113.7"\]: ip rules only apply with publicNetworkAccess: true/,
    ],
    [
      'allowedIpRanges',
      { publicNetworkAccess: true, allowedIpRanges: ['203.0.113.0/99'] },
      /invalid allowedIpRanges\[0\] "203.0.113.0\/99"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props as Partial<CosmosAccountProps>)).toThrow(message);
  });

  it.each<[string, (c: CosmosAccount) => unknown, RegExp]>([
    [
      'database autoscale below 1000',
      (c) => c.addSqlDatabase('iot', { autoscaleMaxThroughput: 400 }),
      /invalid addSqlDatabase\(iot\).autoscaleMaxThroughput 400: allowed is 1000 to 1000000 RU\/s in steps of 1000/,
    ],
    [
      'container autoscale off the 1000 step',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/deviceId'],
          autoscaleMaxThroughput: 4500,
        }),
      /invalid addSqlContainer\(readings\).autoscaleMaxThroughput 4500: allowed is 1000 to 1000000/,
    ],
    [
      'autoscale above 1000000',
      (c) => c.addSqlDatabase('iot', { autoscaleMaxThroughput: 1001000 }),
      /invalid addSqlDatabase\(iot\).autoscaleMaxThroughput 1001000/,
    ],
    [
      'database name',
      (c) => c.addSqlDatabase('iot/raw'),
      /invalid addSqlDatabase\(iot\/raw\).name "iot\/raw"/,
    ],
    [
      'partition key without slash',
      (c) => c.addSqlContainer({ name: 'iot' }, 'readings', { partitionKeyPaths: ['deviceId'] }),
      /invalid addSqlContainer\(readings\).partitionKeyPaths\[0\] "deviceId": allowed is a json path starting with a slash/,
    ],
    [
      'four partition key levels',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/a', '/b', '/c', '/d'],
        }),
      /invalid addSqlContainer\(readings\).partitionKeyPaths \["\/a","\/b","\/c","\/d"\]: allowed is one path, or two to three/,
    ],
    [
      'repeated key path',
      (c) => c.addSqlContainer({ name: 'iot' }, 'readings', { partitionKeyPaths: ['/a', '/a'] }),
      /the paths of a hierarchical key must differ/,
    ],
    [
      'ttl zero',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/deviceId'],
          defaultTtlSeconds: 0,
        }),
      /invalid addSqlContainer\(readings\).defaultTtlSeconds 0: allowed is an integer from 1 to 2147483647 seconds \(or -1/,
    ],
    [
      'unique key path',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/deviceId'],
          uniqueKeys: [['seq']],
        }),
      /invalid addSqlContainer\(readings\).uniqueKeys\[0\]\[0\] "seq"/,
    ],
    [
      'single-path composite index',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/deviceId'],
          indexingPolicy: { compositeIndexes: [[{ path: '/ts', order: 'Ascending' }]] },
        }),
      /a composite index combines at least two paths/,
    ],
    [
      'no indexing with included paths',
      (c) =>
        c.addSqlContainer({ name: 'iot' }, 'readings', {
          partitionKeyPaths: ['/deviceId'],
          indexingPolicy: { mode: 'none', includedPaths: ['/*'] },
        }),
      /invalid addSqlContainer\(readings\).indexingPolicy.mode "none": indexing mode none takes no included paths/,
    ],
    [
      'grant on a container this account does not create',
      (c) => c.grantDataReader({ principalId: 'p' }, { database: 'iot', container: 'readings' }),
      /invalid DataReader scope.container "iot\/readings": a grant on a container needs the container added with addSqlContainer first/,
    ],
    [
      'grant on a database this account does not create',
      (c) => c.grantDataReader({ principalId: 'p' }, { database: 'iot' }),
      /invalid DataReader scope.database "iot": a grant on a database needs the database added/,
    ],
    [
      'grant scope container name',
      (c) => c.grantDataReader({ principalId: 'p' }, { database: 'iot', container: 'a#b' }),
      /invalid DataReader scope.container "a#b"/,
    ],
  ])('rejects a bad %s', (_what, act, message) => {
    expect(() => synth({}, (c) => act(c))).toThrow(message);
  });

  it('rejects provisioned throughput on a serverless account', () => {
    expect(() =>
      synth({ serverless: true }, (c) => c.addSqlDatabase('iot', { autoscaleMaxThroughput: 1000 })),
    ).toThrow(/a serverless account has no provisioned throughput/);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'x' })).toThrow(/^test\/Cosmos: invalid name "x"/);
  });
});

describe('CosmosAccount.container', () => {
  it('grants read or read-write on that container only, with the ids of the string API', () => {
    let viaString = '';
    let viaHandle = '';
    synth({}, (cosmos) => {
      const db = cosmos.addSqlDatabase('iot');
      cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'] });
      const readings = cosmos.container('iot', 'readings');
      expect(readings).toMatchObject({ databaseName: 'iot', name: 'readings', account: cosmos });
      const rw = readings.grantReadWriteData({ principalId: 'ingest' });
      viaHandle = rw.node.id;
      // the handle and the string API are one grant: the second call returns the first
      expect(
        cosmos.grantDataContributor(
          { principalId: 'ingest' },
          { database: 'iot', container: 'readings' },
        ),
      ).toBe(rw);
      viaString = rw.node.id;
      readings.grantReadData({ principalId: 'web' });
    });
    expect(viaHandle).toBe(viaString);
    const out = synth({}, (cosmos) => {
      const db = cosmos.addSqlDatabase('iot');
      cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'] });
      cosmos.container('iot', 'readings').grantReadData({ principalId: 'web' });
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      principal_id: 'web',
      role_definition_id: expect.stringMatching(/00000000-0000-0000-0000-000000000001$/),
      scope: expect.stringMatching(
        /\/dbs\/\$\{azurerm_cosmosdb_sql_container\.Cosmos_Container-iot-readings_[0-9A-F]+\.database_name\}\/colls\/\$\{azurerm_cosmosdb_sql_container\.Cosmos_Container-iot-readings_[0-9A-F]+\.name\}$/,
      ),
    });
  });

  it.each([
    [
      'an unknown container',
      'iot',
      'events',
      /invalid container "iot\/events": a container added with addSqlContainer: "iot\/readings"/,
    ],
    ['an unknown database', 'other', 'readings', /invalid container "other\/readings"/],
    ['a name with a slash', 'iot', 'a/b', /invalid container\(iot, a\/b\)\.container "a\/b"/],
  ])('rejects %s with ValidationError', (_, database, container, message) => {
    expect(() =>
      synth({}, (cosmos) => {
        const db = cosmos.addSqlDatabase('iot');
        cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'] });
        cosmos.container(database, container);
      }),
    ).toThrow(message);
  });
});

describe('CosmosAccount.fromId', () => {
  const accountId =
    '/subscriptions/s/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-shared';

  it('grants on an account created elsewhere through ICosmosAccount, container handles included', () => {
    const { stack } = testScope();
    const account: ICosmosAccount = CosmosAccount.fromId(stack, 'Shared', {
      resourceId: accountId,
    });
    expect(account).toMatchObject({
      name: 'cosmos-shared',
      endpoint: 'https://cosmos-shared.documents.azure.com:443/',
    });
    account.container('iot', 'readings').grantReadData({ principalId: 'web' });
    account.grantDataContributor({ principalId: 'ops' });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      principal_id: 'web',
      account_name: 'cosmos-shared',
      resource_group_name: 'rg-data',
      scope: `${accountId}/dbs/iot/colls/readings`,
      role_definition_id: `${accountId}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000001`,
    });
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      principal_id: 'ops',
      scope: accountId,
    });
    expect(out).not.toHaveResource(CosmosdbAccount);
  });

  it('rejects a literal id of another resource type', () => {
    const { stack } = testScope();
    expect(() =>
      CosmosAccount.fromId(stack, 'Shared', {
        resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
      }),
    ).toThrow(/invalid resourceId .*Microsoft.DocumentDB\/databaseAccounts\/<name>/);
  });
});
