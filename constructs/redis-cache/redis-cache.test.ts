import type { TerraformStack } from 'cdktf';
import { TerraformOutput, Testing } from 'cdktf';
import { ManagedRedis } from '@cdktf/provider-azurerm/lib/managed-redis';
import { RedisCache as AzRedisCache } from '@cdktf/provider-azurerm/lib/redis-cache';
import { RedisCacheAccessPolicyAssignment } from '@cdktf/provider-azurerm/lib/redis-cache-access-policy-assignment';
import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { RedisCache } from './redis-cache';
import type { IRedisCache, RedisCacheProps } from './redis-cache';
import { testScope } from '../../test/construct-helpers';

function synth(
  props: Partial<RedisCacheProps> = {},
  extra?: (redis: RedisCache, stack: TerraformStack) => void,
): string {
  const { stack, rg } = testScope();
  const redis = new RedisCache(stack, 'Redis', {
    name: 'redis-iot-test',
    resourceGroup: rg,
    ...props,
  });
  extra?.(redis, stack);
  return Testing.synth(stack);
}

function outputs(stack: TerraformStack, values: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(values)) new TerraformOutput(stack, k, { value: v });
  const out = JSON.parse(Testing.synth(stack)).output as Record<string, { value: string }>;
  return Object.fromEntries(Object.keys(values).map((k) => [k, out[k].value]));
}

function resources(out: string, type: string): Record<string, Record<string, unknown>> {
  return JSON.parse(out).resource[type] ?? {};
}

const endpoint = {
  subnet: { id: 'snet-id', name: 'snet' },
  privateDnsZones: [{ id: 'zone-id', name: 'privatelink.redis.azure.net' }],
};

describe('RedisCache (managed, the default)', () => {
  it('is Azure Managed Redis, TLS only, entra only, private, highly available by default', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(ManagedRedis, {
      name: 'redis-iot-test',
      location: 'westeurope',
      sku_name: 'Balanced_B1',
      high_availability_enabled: true,
      public_network_access: 'Disabled',
      default_database: {
        client_protocol: 'Encrypted',
        access_keys_authentication_enabled: false,
        clustering_policy: 'EnterpriseCluster',
        eviction_policy: 'VolatileLRU',
      },
    });
    expect(out).not.toHaveResource(AzRedisCache);
  });

  it('exposes what a client needs: hostname, tls port 10000, rediss url, entra auth', () => {
    const { stack, rg } = testScope();
    const redis = new RedisCache(stack, 'Redis', { name: 'redis-iot-test', resourceGroup: rg });
    expect(redis.port).toBe(10000);
    expect(redis.flavour).toBe('managed');
    expect(redis.authenticationModes).toEqual(['entra']);
    expect(redis.clusterAwareClientRequired).toBe(false);
    expect(outputs(stack, { host: redis.hostname, url: redis.url })).toEqual({
      host: '${azurerm_managed_redis.Redis_FF642DF2.hostname}',
      url: 'rediss://${azurerm_managed_redis.Redis_FF642DF2.hostname}:10000',
    });
    const osscluster = new RedisCache(stack, 'Oss', {
      name: 'redis-oss',
      resourceGroup: rg,
      clusteringPolicy: 'OSSCluster',
    });
    expect(osscluster.clusterAwareClientRequired).toBe(true);
  });

  it('takes persistence, modules and eviction settings into the default database', () => {
    expect(
      synth({
        persistence: { mode: 'rdb', rdbFrequency: '6h' },
        modules: [{ name: 'RedisJSON' }],
        evictionPolicy: 'AllKeysLRU',
      }),
    ).toHaveResourceWithProperties(ManagedRedis, {
      default_database: expect.objectContaining({
        persistence_redis_database_backup_frequency: '6h',
        eviction_policy: 'AllKeysLRU',
        module: [{ name: 'RedisJSON' }],
      }),
    });
    expect(synth({ persistence: { mode: 'aof' } })).toHaveResourceWithProperties(ManagedRedis, {
      default_database: expect.objectContaining({
        persistence_append_only_file_backup_frequency: '1s',
      }),
    });
  });

  it('encrypts with a customer-managed key and attaches its identity', () => {
    const out = synth({
      customerManagedKey: {
        key: { id: 'key-v1', versionlessId: 'https://kv.vault.azure.net/keys/redis' },
        identity: { id: 'uai-id', principalId: 'p', clientId: 'c' },
      },
    });
    expect(out).toHaveResourceWithProperties(ManagedRedis, {
      identity: { type: 'UserAssigned', identity_ids: ['uai-id'] },
      customer_managed_key: {
        key_vault_key_id: 'https://kv.vault.azure.net/keys/redis',
        user_assigned_identity_id: 'uai-id',
      },
    });
  });

  it('creates a redisEnterprise private endpoint, a lock, metrics on the cluster and logs on the database', () => {
    const out = synth({
      privateEndpoints: { main: endpoint },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({
        subresource_names: ['redisEnterprise'],
      }),
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['zone-id'] },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
    const diags = Object.values(resources(out, 'azurerm_monitor_diagnostic_setting'));
    expect(diags).toHaveLength(2);
    expect(diags).toContainEqual(
      expect.objectContaining({
        target_resource_id: '${azurerm_managed_redis.Redis_FF642DF2.id}',
        enabled_log: [],
        enabled_metric: [{ category: 'AllMetrics' }],
      }),
    );
    expect(diags).toContainEqual(
      expect.objectContaining({
        target_resource_id: '${azurerm_managed_redis.Redis_FF642DF2.id}/databases/default',
        enabled_log: [{ category_group: 'allLogs' }],
        enabled_metric: [],
      }),
    );
    expect(out).toHaveResourceWithProperties(ManagedRedis, { tags: { env: 'test' } });
  });

  it('grants data access through an access policy assignment on the default policy', () => {
    let name = '';
    const out = synth({}, (redis, stack) => {
      const id = new UserAssignedIdentity(stack, 'Web', {
        name: 'id-web',
        location: 'westeurope',
        resourceGroupName: 'rg-test',
      });
      const held: IRedisCache = redis; // declared on the interface
      const grant = held.grantDataAccess(id);
      expect(grant).toBeInstanceOf(ResourceGroupTemplateDeployment);
      name = (grant as ResourceGroupTemplateDeployment).nameInput ?? '';
    });
    expect(name).toMatch(/^redis-access-[0-9a-f]{16}$/);
    const [deployment] = Object.values(
      resources(out, 'azurerm_resource_group_template_deployment'),
    );
    expect(deployment).toMatchObject({
      name,
      resource_group_name: 'rg-test',
      deployment_mode: 'Incremental',
      depends_on: ['azurerm_managed_redis.Redis_FF642DF2'],
    });
    expect(deployment.parameters_content).toBe(
      '${jsonencode({"clusterName" = {"value" = azurerm_managed_redis.Redis_FF642DF2.name}, "objectId" = {"value" = azurerm_user_assigned_identity.Web.principal_id}})}',
    );
    const template = JSON.parse(deployment.template_content as string);
    expect(template.resources).toEqual([
      expect.objectContaining({
        type: 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments',
        properties: {
          accessPolicyName: 'default',
          user: { objectId: "[parameters('objectId')]" },
        },
      }),
    ]);
    expect(out).not.toHaveResource(RedisCacheAccessPolicyAssignment);
  });

  it('chains access policy writes so the service never sees two updates of the database at once', () => {
    const out = synth({}, (redis) => {
      redis.grantDataAccess({ principalId: 'obj-1' });
      redis.grantDataAccess({ principalId: 'obj-2' });
      redis.grantDataAccess({ principalId: 'obj-3' });
    });
    const deployments = Object.entries(
      resources(out, 'azurerm_resource_group_template_deployment'),
    );
    const byObject = new Map(
      deployments.map(([name, d]) => [
        /"value" = "(obj-\d)"/.exec(d.parameters_content as string)?.[1],
        { address: `azurerm_resource_group_template_deployment.${name}`, d },
      ]),
    );
    expect(byObject.get('obj-1')?.d.depends_on).toEqual(['azurerm_managed_redis.Redis_FF642DF2']);
    expect(byObject.get('obj-2')?.d.depends_on).toEqual([byObject.get('obj-1')?.address]);
    expect(byObject.get('obj-3')?.d.depends_on).toEqual([byObject.get('obj-2')?.address]);
  });

  it('returns the first access policy grant when the same principal is granted twice', () => {
    const out = synth({}, (redis, stack) => {
      const id = new UserAssignedIdentity(stack, 'Web', {
        name: 'id-web',
        location: 'westeurope',
        resourceGroupName: 'rg',
      });
      const first = redis.grantDataAccess(id);
      expect(redis.grantDataAccess(id)).toBe(first);
      const p = { principalId: id.principalId };
      expect(redis.grantDataAccess(p)).toBe(redis.grantDataAccess({ ...p }));
    });
    expect(Object.keys(resources(out, 'azurerm_resource_group_template_deployment'))).toHaveLength(
      1,
    );
  });

  it('rejects an access policy on managed redis, which only has the default one', () => {
    expect(() =>
      synth({}, (redis) => redis.grantDataAccess({ principalId: 'p' }, 'Data Reader')),
    ).toThrow(
      /invalid grantDataAccess.accessPolicy "Data Reader": azure managed redis has only its default/,
    );
  });
});

describe('RedisCache (classic, legacy)', () => {
  it('is TLS 1.2 only, entra only, private, redis 6, standard C1 by default', () => {
    const { stack, rg } = testScope();
    const redis = new RedisCache(stack, 'Redis', {
      name: 'redis-iot-test',
      resourceGroup: rg,
      flavour: 'classic',
    });
    expect(redis.port).toBe(6380);
    new TerraformOutput(stack, 'url', { value: redis.url });
    const out = Testing.synth(stack);
    expect(JSON.parse(out).output.url.value).toBe(
      'rediss://${azurerm_redis_cache.Redis_FF642DF2.hostname}:6380',
    );
    expect(out).toHaveResourceWithProperties(AzRedisCache, {
      sku_name: 'Standard',
      family: 'C',
      capacity: 1,
      redis_version: '6',
      non_ssl_port_enabled: false,
      minimum_tls_version: '1.2',
      public_network_access_enabled: false,
      access_keys_authentication_enabled: false,
      redis_configuration: {
        active_directory_authentication_enabled: true,
        authentication_enabled: true,
        maxmemory_policy: 'volatile-lru',
      },
    });
    expect(out).not.toHaveResource(ManagedRedis);
  });

  it('runs premium across zones with persistence through a managed identity and a token connection string', () => {
    const { stack, rg } = testScope();
    const sa = new StorageAccount(stack, 'Backups', {
      name: 'stredisbackups',
      location: 'westeurope',
      resourceGroupName: 'rg-test',
      accountTier: 'Standard',
      accountReplicationType: 'ZRS',
    });
    const premium = new RedisCache(stack, 'Premium', {
      name: 'redis-premium',
      resourceGroup: rg,
      flavour: 'classic',
      sku: 'Premium',
      capacity: 2,
      zones: ['1', '2', '3'],
      replicasPerPrimary: 2,
      evictionPolicy: 'AllKeysLFU',
      persistence: {
        mode: 'rdb',
        rdbFrequency: '6h',
        storageConnectionString: sa.primaryBlobConnectionString,
      },
      managedIdentities: { systemAssigned: true },
      patchWindows: [{ dayOfWeek: 'Sunday', startHourUtc: 2 }],
    });
    new TerraformOutput(stack, 'principal', { value: premium.systemAssignedPrincipalId });
    const out = Testing.synth(stack);
    expect(JSON.parse(out).output.principal.value).toMatch(
      /^\$\{azurerm_redis_cache\.Premium_[0-9A-F]+\.identity\[0\]\.principal_id\}$/,
    );
    expect(out).toHaveResourceWithProperties(AzRedisCache, {
      name: 'redis-premium',
      family: 'P',
      capacity: 2,
      zones: ['1', '2', '3'],
      replicas_per_primary: 2,
      identity: { type: 'SystemAssigned' },
      patch_schedule: [{ day_of_week: 'Sunday', start_hour_utc: 2 }],
      redis_configuration: expect.objectContaining({
        maxmemory_policy: 'allkeys-lfu',
        rdb_backup_enabled: true,
        rdb_backup_frequency: 360,
        rdb_storage_connection_string:
          '${azurerm_storage_account.Backups.primary_blob_connection_string}',
        data_persistence_authentication_method: 'ManagedIdentity',
      }),
    });
  });

  it('sends all logs and metrics of the cache and uses a redisCache private endpoint', () => {
    const out = synth({
      flavour: 'classic',
      privateEndpoints: { main: endpoint },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
    });
    expect(out).toHaveResourceWithProperties(PrivateEndpoint, {
      private_service_connection: expect.objectContaining({ subresource_names: ['redisCache'] }),
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: '${azurerm_redis_cache.Redis_FF642DF2.id}',
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
  });

  it('grants data access through an access policy assignment, Data Contributor by default', () => {
    const out = synth({ flavour: 'classic' }, (redis) => {
      const a = redis.grantDataAccess({ principalId: 'obj-1', principalType: 'ServicePrincipal' });
      expect(a).toBeInstanceOf(RedisCacheAccessPolicyAssignment);
      redis.grantDataAccess({ principalId: 'obj-2' }, 'Data Reader');
    });
    expect(out).toHaveResourceWithProperties(RedisCacheAccessPolicyAssignment, {
      name: 'obj-1',
      redis_cache_id: '${azurerm_redis_cache.Redis_FF642DF2.id}',
      access_policy_name: 'Data Contributor',
      object_id: 'obj-1',
      object_id_alias: 'obj-1',
    });
    expect(out).toHaveResourceWithProperties(RedisCacheAccessPolicyAssignment, {
      object_id: 'obj-2',
      access_policy_name: 'Data Reader',
    });
  });

  it('chains classic access policy assignments, which the service also updates one at a time', () => {
    const out = synth({ flavour: 'classic' }, (redis) => {
      redis.grantDataAccess({ principalId: 'obj-1' });
      redis.grantDataAccess({ principalId: 'obj-2' });
    });
    const assignments = Object.entries(
      resources(out, 'azurerm_redis_cache_access_policy_assignment'),
    );
    const first = assignments.find(([, a]) => a.object_id === 'obj-1');
    const second = assignments.find(([, a]) => a.object_id === 'obj-2');
    expect(first?.[1].depends_on).toBeUndefined();
    expect(second?.[1].depends_on).toEqual([
      `azurerm_redis_cache_access_policy_assignment.${first?.[0]}`,
    ]);
  });
});

describe('RedisCache validation', () => {
  const token = '${TfToken[TOKEN.1]}';
  it.each([
    ['name', { name: 'redis--iot' }, /invalid name "redis--iot": a managed redis name allows/],
    ['name', { name: 'r'.repeat(61) }, /a managed redis name is 1 to 60 characters long/],
    [
      'name',
      { flavour: 'classic' as const, name: '-redis' },
      /invalid name "-redis": a redis cache name allows/,
    ],
    ['flavour', { flavour: 'enterprise' as never }, /invalid flavour "enterprise": allowed values/],
    [
      'sku',
      { sku: 'Standard' as const },
      /invalid sku "Standard": allowed values are "Balanced_B0"/,
    ],
    [
      'sku',
      { flavour: 'classic' as const, sku: 'Balanced_B1' as const },
      /invalid sku "Balanced_B1": allowed values are "Basic", "Standard", "Premium"/,
    ],
    [
      'capacity',
      { flavour: 'classic' as const, sku: 'Premium' as const, capacity: 0 },
      /invalid capacity 0: allowed is an integer from 1 to 5 \(P family\)/,
    ],
    [
      'capacity',
      { flavour: 'classic' as const, capacity: 7 },
      /invalid capacity 7: allowed is an integer from 0 to 6 \(C family\)/,
    ],
    [
      'sku',
      { flavour: 'classic' as const, sku: 'Basic' as const },
      /invalid sku "Basic": highAvailability needs "Standard" or "Premium"/,
    ],
    [
      'highAvailability',
      { flavour: 'classic' as const, highAvailability: false },
      /invalid highAvailability false: classic "Standard" and "Premium" always run a replica/,
    ],
    [
      'zones',
      { flavour: 'classic' as const, zones: ['1'] },
      /invalid zones \["1"\]: only available with sku "Premium"/,
    ],
    [
      'zones',
      { flavour: 'classic' as const, sku: 'Premium' as const, zones: ['4'] },
      /invalid zones\[0\] "4"/,
    ],
    ['zones', { zones: ['1'] }, /invalid zones \["1"\]: only applies with flavour "classic"/],
    [
      'clusteringPolicy',
      { flavour: 'classic' as const, clusteringPolicy: 'OSSCluster' as const },
      /invalid clusteringPolicy "OSSCluster": only applies with flavour "managed"/,
    ],
    [
      'clusteringPolicy',
      { clusteringPolicy: 'Sharded' as never },
      /invalid clusteringPolicy "Sharded": allowed values are "EnterpriseCluster"/,
    ],
    [
      'customerManagedKey',
      {
        flavour: 'classic' as const,
        customerManagedKey: {
          key: { id: 'k', versionlessId: 'k' },
          identity: { id: 'i', principalId: 'p', clientId: 'c' },
        },
      },
      /invalid customerManagedKey "<key>": only applies with flavour "managed"/,
    ],
    [
      'evictionPolicy',
      { evictionPolicy: 'allkeys-lru' as never },
      /invalid evictionPolicy "allkeys-lru": allowed values are "VolatileLRU"/,
    ],
    [
      'persistence.rdbFrequency',
      { persistence: { mode: 'aof' as const, rdbFrequency: '1h' as const } },
      /invalid persistence.rdbFrequency "1h": only applies with persistence.mode "rdb"/,
    ],
    [
      'persistence.rdbFrequency',
      { persistence: { mode: 'rdb' as const, rdbFrequency: '2h' as never } },
      /invalid persistence.rdbFrequency "2h": allowed values are "1h", "6h", "12h"/,
    ],
    [
      'persistence',
      { flavour: 'classic' as const, persistence: { mode: 'rdb' as const } },
      /invalid persistence "rdb": only available with sku "Premium"/,
    ],
    [
      'persistence.storageConnectionString',
      {
        flavour: 'classic' as const,
        sku: 'Premium' as const,
        managedIdentities: { systemAssigned: true },
        persistence: { mode: 'rdb' as const, storageConnectionString: 'AccountKey=abc' },
      },
      /invalid persistence.storageConnectionString "<literal redacted>": .*terraform token/,
    ],
    [
      'managedIdentities',
      {
        flavour: 'classic' as const,
        sku: 'Premium' as const,
        persistence: { mode: 'aof' as const, storageConnectionString: token },
      },
      /invalid managedIdentities \(undefined\): classic persistence authenticates/,
    ],
    [
      'patchWindows',
      {
        flavour: 'classic' as const,
        patchWindows: [{ dayOfWeek: 'Monday' as const, startHourUtc: 24 }],
      },
      /invalid patchWindows\[0\].startHourUtc 24/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ name: 'bad--name' })).toThrow(/^test\/Redis: invalid name/);
  });

  it('never writes a literal storage connection string into an error message', () => {
    expect(() =>
      synth({
        flavour: 'classic',
        sku: 'Premium',
        managedIdentities: { systemAssigned: true },
        persistence: { mode: 'rdb', storageConnectionString: 'AccountKey=supersecret' },
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('supersecret') }));
  });
});
