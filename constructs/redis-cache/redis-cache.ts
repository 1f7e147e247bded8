import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import { ManagedRedis } from '@cdktf/provider-azurerm/lib/managed-redis';
import { RedisCache as AzRedisCache } from '@cdktf/provider-azurerm/lib/redis-cache';
import { RedisCacheAccessPolicyAssignment } from '@cdktf/provider-azurerm/lib/redis-cache-access-policy-assignment';
import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  IPrincipal,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  mapDiagnosticSettings,
  ValidationError,
  addDiagnosticSettings,
  applyCommonInterfaces,
  grantId,
  grantOnce,
  identityBlock,
  legacyGrantId,
  moveFromLegacyGrantId,
  isUnresolved,
  NamingRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/**
 * Which Azure Redis offering backs the construct. `managed` is Azure Managed Redis
 * (`azurerm_managed_redis`); `classic` is Azure Cache for Redis (`azurerm_redis_cache`), which
 * takes no new instances since 2026-10 and retires 2028-09: use it only for existing estates.
 */
export type RedisFlavour = 'managed' | 'classic';

/** Azure Managed Redis SKUs (azurerm 4.55). */
export const MANAGED_REDIS_SKUS = [
  'Balanced_B0',
  'Balanced_B1',
  'Balanced_B3',
  'Balanced_B5',
  'Balanced_B10',
  'Balanced_B20',
  'Balanced_B50',
  'Balanced_B100',
  'Balanced_B150',
  'Balanced_B250',
  'Balanced_B350',
  'Balanced_B500',
  'Balanced_B700',
  'Balanced_B1000',
  'MemoryOptimized_M10',
  'MemoryOptimized_M20',
  'MemoryOptimized_M50',
  'MemoryOptimized_M100',
  'MemoryOptimized_M150',
  'MemoryOptimized_M250',
  'MemoryOptimized_M350',
  'MemoryOptimized_M500',
  'MemoryOptimized_M700',
  'MemoryOptimized_M1000',
  'MemoryOptimized_M1500',
  'MemoryOptimized_M2000',
  'ComputeOptimized_X3',
  'ComputeOptimized_X5',
  'ComputeOptimized_X10',
  'ComputeOptimized_X20',
  'ComputeOptimized_X50',
  'ComputeOptimized_X100',
  'ComputeOptimized_X150',
  'ComputeOptimized_X250',
  'ComputeOptimized_X350',
  'ComputeOptimized_X500',
  'ComputeOptimized_X700',
  'FlashOptimized_A250',
  'FlashOptimized_A500',
  'FlashOptimized_A700',
  'FlashOptimized_A1000',
  'FlashOptimized_A1500',
  'FlashOptimized_A2000',
  'FlashOptimized_A4500',
] as const;

/** An Azure Managed Redis SKU. */
export type ManagedRedisSku = (typeof MANAGED_REDIS_SKUS)[number];

/** Classic Azure Cache for Redis tiers. */
export const CLASSIC_REDIS_SKUS = ['Basic', 'Standard', 'Premium'] as const;

/** A classic Azure Cache for Redis tier. */
export type ClassicRedisSku = (typeof CLASSIC_REDIS_SKUS)[number];

/** Eviction policies, in Azure Managed Redis spelling; mapped to `maxmemory-policy` on classic. */
export const REDIS_EVICTION_POLICIES = [
  'VolatileLRU',
  'VolatileLFU',
  'VolatileTTL',
  'VolatileRandom',
  'AllKeysLRU',
  'AllKeysLFU',
  'AllKeysRandom',
  'NoEviction',
] as const;

/** What Redis removes when memory is full. */
export type RedisEvictionPolicy = (typeof REDIS_EVICTION_POLICIES)[number];

/** How Azure Managed Redis shards the default database. */
export type RedisClusteringPolicy = 'EnterpriseCluster' | 'OSSCluster' | 'NoCluster';

/** Redis persistence to disk (Managed Redis) or to a storage account (classic Premium). */
export interface RedisPersistenceProps {
  /** `rdb`: periodic snapshots; `aof`: append-only file, every write logged each second. */
  readonly mode: 'rdb' | 'aof';
  /**
   * Snapshot interval for `rdb`.
   * @default "1h"
   */
  readonly rdbFrequency?: '1h' | '6h' | '12h';
  /**
   * Classic only: the storage account connection string the cache writes to, as a Terraform
   * token (e.g. a storage account's `primaryBlobConnectionString`); literals are rejected so no
   * key is written in code. The cache reaches it with its managed identity.
   * @default - none; required for classic persistence
   */
  readonly storageConnectionString?: string;
}

/** A classic Azure Cache for Redis patch window. */
export interface RedisPatchWindow {
  /** Weekday, e.g. `Sunday`. */
  readonly dayOfWeek:
    | 'Monday'
    | 'Tuesday'
    | 'Wednesday'
    | 'Thursday'
    | 'Friday'
    | 'Saturday'
    | 'Sunday';
  /** Start hour in UTC (0–23); the window lasts five hours. */
  readonly startHourUtc: number;
}

/** A Redis module loaded into the Managed Redis default database. */
export interface RedisModuleProps {
  /** Module name. */
  readonly name: 'RediSearch' | 'RedisJSON' | 'RedisBloom' | 'RedisTimeSeries';
  /**
   * Module configuration arguments.
   * @default - the module's defaults
   */
  readonly args?: string;
}

/** A Redis cache as other constructs and clients take it. */
export interface IRedisCache {
  readonly id: string;
  readonly name: string;
  /** DNS name clients connect to. */
  readonly hostname: string;
  /** TLS port: 10000 on Managed Redis, 6380 on classic. */
  readonly port: number;
  /** `rediss://<hostname>:<port>`, without credentials (clients authenticate with Entra ID). */
  readonly url: string;
  /** Grants Entra data access (an access policy assignment) to `principal`. */
  grantDataAccess(
    principal: IPrincipal,
    accessPolicy?: RedisAccessPolicy,
  ): RedisCacheAccessPolicyAssignment | ResourceGroupTemplateDeployment;
}

/** Props of {@link RedisCache}. */
export interface RedisCacheProps extends AzureResourceProps {
  /** Cache name: 1–60 (managed) or 1–63 (classic) letters, digits and single hyphens; globally unique. */
  readonly name: string;
  /**
   * Azure Managed Redis or classic Azure Cache for Redis (legacy: existing estates only).
   * @default "managed" - classic takes no new instances since 2026-10
   */
  readonly flavour?: RedisFlavour;
  /**
   * SKU: a Managed Redis SKU (`Balanced_B1`, `MemoryOptimized_M10`, ...) or, on classic,
   * `Basic` / `Standard` / `Premium`.
   * @default "Balanced_B1" (managed) or "Standard" (classic) - the smallest SKUs with a replica
   */
  readonly sku?: ManagedRedisSku | ClassicRedisSku;
  /**
   * Classic only: cache size within the tier (C family 0–6 for Basic/Standard, P family 1–5 for
   * Premium); the family follows from the tier.
   * @default 1
   */
  readonly capacity?: number;
  /**
   * A replica that takes over on failure. On Managed Redis replicas are spread across
   * availability zones where the region has them; on classic it needs Standard or Premium.
   * @default true - a cache outage stalls the live dashboard
   */
  readonly highAvailability?: boolean;
  /**
   * Classic Premium only: availability zones for the nodes, e.g. `["1","2","3"]`. Managed Redis
   * spreads across zones by itself when `highAvailability` is on.
   * @default - no zone pinning
   */
  readonly zones?: string[];
  /**
   * Classic Premium only: replicas per primary.
   * @default - Azure's default (1)
   */
  readonly replicasPerPrimary?: number;
  /**
   * Whether the public endpoint accepts traffic.
   * @default false - reach the cache through its private endpoint
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Whether access keys work besides Entra ID. Keep off: keys are shared secrets that never
   * expire.
   * @default false
   */
  readonly accessKeysAuthentication?: boolean;
  /**
   * Managed only: how the default database is sharded. `EnterpriseCluster` shows clients one
   * endpoint (any client works); `OSSCluster` needs a cluster-aware client but scales further.
   * @default "EnterpriseCluster" - the reference workloads use a non-cluster client
   */
  readonly clusteringPolicy?: RedisClusteringPolicy;
  /**
   * What Redis evicts when memory is full.
   * @default "VolatileLRU" - only keys with a TTL are evicted, so streams without one survive
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
  /**
   * Persistence of the data set.
   * @default - none; the cache holds derived data that processing rebuilds from Kafka
   */
  readonly persistence?: RedisPersistenceProps;
  /**
   * Managed only: Redis modules for the default database.
   * @default - none
   */
  readonly modules?: RedisModuleProps[];
  /**
   * Classic only: weekly patch windows.
   * @default - Azure patches at any time
   */
  readonly patchWindows?: RedisPatchWindow[];
  /**
   * Managed identities of the cache (used for CMK on managed and for persistence on classic).
   * @default - none, or the customer-managed key's identity
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Managed only: encrypt data at rest with a customer-managed key; its identity is attached
   * to the cache automatically.
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
}

/** Classic data-plane access policies (Azure built-ins). */
export type RedisAccessPolicy = 'Data Owner' | 'Data Contributor' | 'Data Reader';

const CLASSIC_EVICTION: Record<RedisEvictionPolicy, string> = {
  VolatileLRU: 'volatile-lru',
  VolatileLFU: 'volatile-lfu',
  VolatileTTL: 'volatile-ttl',
  VolatileRandom: 'volatile-random',
  AllKeysLRU: 'allkeys-lru',
  AllKeysLFU: 'allkeys-lfu',
  AllKeysRandom: 'allkeys-random',
  NoEviction: 'noeviction',
};

const RDB_MINUTES = { '1h': 60, '6h': 360, '12h': 720 } as const;

/** ARM API version of the Managed Redis access policy assignment (GA). */
const MANAGED_REDIS_API_VERSION = '2025-04-01';

/**
 * ARM template of one Managed Redis access policy assignment. The assignment name must be
 * alphanumeric, so it is the principal's object id without hyphens: one assignment per
 * principal, and re-granting is idempotent.
 */
const ACCESS_POLICY_TEMPLATE = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: {
    clusterName: { type: 'string' },
    objectId: { type: 'string' },
  },
  resources: [
    {
      type: 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments',
      apiVersion: MANAGED_REDIS_API_VERSION,
      name: "[format('{0}/default/{1}', parameters('clusterName'), replace(parameters('objectId'), '-', ''))]",
      properties: {
        accessPolicyName: 'default',
        user: { objectId: "[parameters('objectId')]" },
      },
    },
  ],
};

/**
 * A Redis cache reached over TLS with Entra ID: Azure Managed Redis by default, classic Azure
 * Cache for Redis as a legacy option. Access keys and the non-TLS port are off, public access
 * is off (use `privateEndpoints`), and a replica is on.
 *
 * @example
 * const redis = new RedisCache(this, 'Redis', {
 *   name: 'redis-iot-prod-weu', resourceGroup: rg, sku: 'Balanced_B5',
 *   privateEndpoints: [{ subnet: endpoints, privateDnsZones: [redisZone] }],
 *   diagnosticSettings: [{ workspace }],
 * });
 * redis.grantDataAccess(webIdentity);
 */
export class RedisCache extends Construct implements IRedisCache {
  public readonly id: string;
  public readonly name: string;
  public readonly hostname: string;
  public readonly port: number;
  public readonly url: string;
  /** Which offering backs the cache. */
  public readonly flavour: RedisFlavour;
  /** Whether clients must speak the Redis Cluster protocol (OSSCluster). */
  public readonly clusterAwareClientRequired: boolean;
  /** How clients authenticate: Entra ID tokens, plus access keys when they were turned on. */
  public readonly authenticationModes: readonly ('entra' | 'accessKey')[];
  /** Resource id of the Managed Redis default database (its logs live there), or undefined on classic. */
  public readonly databaseId?: string;
  /**
   * Principal id of the system-assigned identity (e.g. to grant it the storage account classic
   * persistence writes to), or undefined without one.
   */
  public readonly systemAssignedPrincipalId?: string;
  /** The `azurerm_managed_redis` or `azurerm_redis_cache`. */
  public readonly resource: ManagedRedis | AzRedisCache;

  private readonly resourceGroupName: string;
  /**
   * The last access-policy write, so the next one waits for it: the service rejects a second
   * update of the same database while one is running ("concurrent updates are not allowed").
   */
  private lastAccessPolicyWrite?: TerraformResource;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, checkConstruct(scope, id, props));
    const flavour = props.flavour ?? 'managed';
    validateOneOf(this, 'flavour', flavour, ['managed', 'classic']);
    this.flavour = flavour;
    this.resourceGroupName = props.resourceGroup.name;
    const location = props.location ?? props.resourceGroup.location;
    const identity = this.identity(props);
    this.validateCommon(props);

    if (flavour === 'managed') {
      const r = this.createManaged(props, location, identity);
      this.resource = r;
      this.port = 10000;
      this.databaseId = `${r.id}/databases/default`;
    } else {
      const r = this.createClassic(props, location, identity);
      this.resource = r;
      this.port = 6380;
    }
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.hostname = this.resource.hostname;
    this.url = `rediss://${this.hostname}:${this.port}`;
    if (props.managedIdentities?.systemAssigned === true)
      this.systemAssignedPrincipalId = this.resource.identity.principalId;
    this.clusterAwareClientRequired =
      flavour === 'managed' && props.clusteringPolicy === 'OSSCluster';
    this.authenticationModes = props.accessKeysAuthentication ? ['entra', 'accessKey'] : ['entra'];

    applyCommonInterfaces(this, this.resource, props, {
      privateEndpointSubresource: flavour === 'managed' ? 'redisEnterprise' : 'redisCache',
      diagnostics: flavour === 'classic',
    });
    if (flavour === 'managed' && this.databaseId !== undefined) {
      // Managed Redis splits its telemetry: metrics on the cluster, connection logs on the
      // database, and each rejects the other's categories.
      const settings = props.diagnosticSettings;
      addDiagnosticSettings(
        this,
        this.id,
        mapDiagnosticSettings(settings, (s) => ({
          ...s,
          logCategories: [],
          logCategoryGroups: [],
        })),
      );
      addDiagnosticSettings(
        this,
        this.databaseId,
        mapDiagnosticSettings(settings, (s) => ({ ...s, metricCategories: [] })),
        'Database',
      );
    }
  }

  /**
   * Gives `principal` data-plane access with Entra ID. Classic: an access policy assignment
   * with `accessPolicy` (default `Data Contributor`: read/write, no admin commands). Managed:
   * an access policy assignment to the database's `default` policy (the only one Azure Managed
   * Redis has: full data access), deployed as an ARM template because azurerm 4.55 has no
   * resource for it. Clients use the principal's object id as the Redis user name.
   *
   * Each grant depends on the previous one (a `depends_on` chain): Azure rejects concurrent
   * updates of one cache's access policies, and Terraform would otherwise create them in
   * parallel.
   */
  public grantDataAccess(
    principal: IPrincipal,
    accessPolicy?: RedisAccessPolicy,
  ): RedisCacheAccessPolicyAssignment | ResourceGroupTemplateDeployment {
    return grantOnce(this, ['redis', principal.principalId, accessPolicy ?? null], () =>
      this.makeDataAccess(principal, accessPolicy),
    );
  }

  private makeDataAccess(
    principal: IPrincipal,
    accessPolicy?: RedisAccessPolicy,
  ): RedisCacheAccessPolicyAssignment | ResourceGroupTemplateDeployment {
    const cid = grantId('DataAccess', this, principal);
    // The resource type, not `instanceof`: no check here depends on which copy made a class.
    if (this.resource.terraformResourceType === 'azurerm_redis_cache') {
      validateOneOf(this, 'grantDataAccess.accessPolicy', accessPolicy, [
        'Data Owner',
        'Data Contributor',
        'Data Reader',
      ]);
      const assignment = new RedisCacheAccessPolicyAssignment(this, cid, {
        name: principal.principalId,
        redisCacheId: this.id,
        accessPolicyName: accessPolicy ?? 'Data Contributor',
        objectId: principal.principalId,
        objectIdAlias: principal.principalId,
        dependsOn: this.lastAccessPolicyWrite ? [this.lastAccessPolicyWrite] : undefined,
      });
      moveFromLegacyGrantId(assignment);
      this.lastAccessPolicyWrite = assignment;
      return assignment;
    }
    if (accessPolicy !== undefined) {
      throw new ValidationError(
        this,
        'grantDataAccess.accessPolicy',
        accessPolicy,
        'azure managed redis has only its default (full data access) policy; omit accessPolicy',
      );
    }
    // Azure cannot rename a deployment: the name keeps the id grants had before they were
    // stable, so deployed ones are not replaced.
    const deploymentName = `redis-access-${createHash('sha256')
      .update(`${this.node.path}/${legacyGrantId(this, cid)}`)
      .digest('hex')
      .slice(0, 16)}`;
    const deployment = new ResourceGroupTemplateDeployment(this, cid, {
      name: deploymentName,
      resourceGroupName: this.resourceGroupName,
      deploymentMode: 'Incremental',
      templateContent: JSON.stringify(ACCESS_POLICY_TEMPLATE),
      parametersContent: Fn.jsonencode({
        clusterName: { value: this.name },
        objectId: { value: principal.principalId },
      }),
      dependsOn: [this.lastAccessPolicyWrite ?? this.resource],
    });
    moveFromLegacyGrantId(deployment);
    this.lastAccessPolicyWrite = deployment;
    return deployment;
  }

  private identity(props: RedisCacheProps): ReturnType<typeof identityBlock> {
    const cmk = props.customerManagedKey?.identity;
    const user = [...(props.managedIdentities?.userAssigned ?? [])];
    if (cmk && !user.some((u) => u.id === cmk.id)) user.push(cmk);
    return identityBlock({
      systemAssigned: props.managedIdentities?.systemAssigned,
      userAssigned: user,
    });
  }

  private validateCommon(props: RedisCacheProps): void {
    const managed = this.flavour === 'managed';
    validateName(this, 'name', props.name, managed ? NamingRules.managedRedis : NamingRules.redis);
    validateOneOf(this, 'evictionPolicy', props.evictionPolicy, REDIS_EVICTION_POLICIES);
    if (props.persistence) {
      validateOneOf(this, 'persistence.mode', props.persistence.mode, ['rdb', 'aof']);
      validateOneOf(this, 'persistence.rdbFrequency', props.persistence.rdbFrequency, [
        '1h',
        '6h',
        '12h',
      ]);
      if (props.persistence.mode === 'aof' && props.persistence.rdbFrequency !== undefined) {
        throw new ValidationError(
          this,
          'persistence.rdbFrequency',
          props.persistence.rdbFrequency,
          'only applies with persistence.mode "rdb"',
        );
      }
    }
    const managedOnly: [string, unknown][] = [
      ['clusteringPolicy', props.clusteringPolicy],
      ['modules', props.modules],
      ['customerManagedKey', props.customerManagedKey ? '<key>' : undefined],
    ];
    const classicOnly: [string, unknown][] = [
      ['capacity', props.capacity],
      ['zones', props.zones],
      ['replicasPerPrimary', props.replicasPerPrimary],
      ['patchWindows', props.patchWindows],
      ['persistence.storageConnectionString', props.persistence?.storageConnectionString],
    ];
    for (const [prop, value] of managed ? classicOnly : managedOnly) {
      if (value !== undefined) {
        throw new ValidationError(
          this,
          prop,
          prop === 'persistence.storageConnectionString' ? '<redacted>' : value,
          `only applies with flavour "${managed ? 'classic' : 'managed'}"`,
        );
      }
    }
  }

  private createManaged(
    props: RedisCacheProps,
    location: string,
    identity: ReturnType<typeof identityBlock>,
  ): ManagedRedis {
    const sku = props.sku ?? 'Balanced_B1';
    validateOneOf(this, 'sku', sku as ManagedRedisSku, MANAGED_REDIS_SKUS);
    validateOneOf(this, 'clusteringPolicy', props.clusteringPolicy, [
      'EnterpriseCluster',
      'OSSCluster',
      'NoCluster',
    ]);
    (props.modules ?? []).forEach((m, i) =>
      validateOneOf(this, `modules[${i}].name`, m.name, [
        'RediSearch',
        'RedisJSON',
        'RedisBloom',
        'RedisTimeSeries',
      ]),
    );
    const p = props.persistence;
    return new ManagedRedis(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      skuName: sku,
      highAvailabilityEnabled: props.highAvailability ?? true,
      publicNetworkAccess: props.publicNetworkAccess === true ? 'Enabled' : 'Disabled',
      identity,
      customerManagedKey: props.customerManagedKey
        ? {
            keyVaultKeyId: props.customerManagedKey.key.versionlessId,
            userAssignedIdentityId: props.customerManagedKey.identity.id,
          }
        : undefined,
      defaultDatabase: {
        clientProtocol: 'Encrypted',
        accessKeysAuthenticationEnabled: props.accessKeysAuthentication ?? false,
        clusteringPolicy: props.clusteringPolicy ?? 'EnterpriseCluster',
        evictionPolicy: props.evictionPolicy ?? 'VolatileLRU',
        persistenceRedisDatabaseBackupFrequency:
          p?.mode === 'rdb' ? (p.rdbFrequency ?? '1h') : undefined,
        persistenceAppendOnlyFileBackupFrequency: p?.mode === 'aof' ? '1s' : undefined,
        module: props.modules?.map((m) => ({ name: m.name, args: m.args })),
      },
    });
  }

  private createClassic(
    props: RedisCacheProps,
    location: string,
    identity: ReturnType<typeof identityBlock>,
  ): AzRedisCache {
    const sku = (props.sku ?? 'Standard') as ClassicRedisSku;
    validateOneOf(this, 'sku', sku, CLASSIC_REDIS_SKUS);
    const premium = sku === 'Premium';
    const capacity = props.capacity ?? 1;
    if (premium) validateRange(this, 'capacity', capacity, 1, 5, { unit: '(P family)' });
    else validateRange(this, 'capacity', capacity, 0, 6, { unit: '(C family)' });
    const ha = props.highAvailability ?? true;
    if (ha && sku === 'Basic') {
      throw new ValidationError(
        this,
        'sku',
        sku,
        'highAvailability needs "Standard" or "Premium" (Basic has no replica); set highAvailability: false for Basic',
      );
    }
    if (!ha && sku !== 'Basic') {
      throw new ValidationError(
        this,
        'highAvailability',
        false,
        'classic "Standard" and "Premium" always run a replica; use sku "Basic" for a single node',
      );
    }
    for (const [prop, value] of [
      ['zones', props.zones],
      ['replicasPerPrimary', props.replicasPerPrimary],
      ['persistence', props.persistence ? props.persistence.mode : undefined],
    ] as const) {
      if (value !== undefined && !premium) {
        throw new ValidationError(this, prop, value, 'only available with sku "Premium"');
      }
    }
    (props.zones ?? []).forEach((z, i) => validateOneOf(this, `zones[${i}]`, z, ['1', '2', '3']));
    validateRange(this, 'replicasPerPrimary', props.replicasPerPrimary, 1, 3);
    (props.patchWindows ?? []).forEach((w, i) =>
      validateRange(this, `patchWindows[${i}].startHourUtc`, w.startHourUtc, 0, 23),
    );
    const p = props.persistence;
    if (p) {
      if (p.storageConnectionString === undefined || !isUnresolved(p.storageConnectionString)) {
        throw new ValidationError(
          this,
          'persistence.storageConnectionString',
          p.storageConnectionString === undefined ? undefined : '<literal redacted>',
          'classic persistence needs a storage connection string as a terraform token, never a literal in code',
        );
      }
      if (identity === undefined) {
        throw new ValidationError(
          this,
          'managedIdentities',
          undefined,
          'classic persistence authenticates to storage with a managed identity; set managedIdentities',
        );
      }
    }
    return new AzRedisCache(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      skuName: sku,
      family: premium ? 'P' : 'C',
      capacity,
      redisVersion: '6',
      nonSslPortEnabled: false,
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? false,
      accessKeysAuthenticationEnabled: props.accessKeysAuthentication ?? false,
      zones: props.zones,
      replicasPerPrimary: props.replicasPerPrimary,
      identity,
      patchSchedule: props.patchWindows?.map((w) => ({
        dayOfWeek: w.dayOfWeek,
        startHourUtc: w.startHourUtc,
      })),
      redisConfiguration: {
        activeDirectoryAuthenticationEnabled: true,
        authenticationEnabled: true,
        maxmemoryPolicy: CLASSIC_EVICTION[props.evictionPolicy ?? 'VolatileLRU'],
        rdbBackupEnabled: p?.mode === 'rdb' ? true : undefined,
        rdbBackupFrequency: p?.mode === 'rdb' ? RDB_MINUTES[p.rdbFrequency ?? '1h'] : undefined,
        rdbStorageConnectionString: p?.mode === 'rdb' ? p.storageConnectionString : undefined,
        aofBackupEnabled: p?.mode === 'aof' ? true : undefined,
        aofStorageConnectionString0: p?.mode === 'aof' ? p.storageConnectionString : undefined,
        dataPersistenceAuthenticationMethod: p ? 'ManagedIdentity' : undefined,
      },
    });
  }
}
