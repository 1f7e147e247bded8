import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { CosmosdbAccount } from '@cdktf/provider-azurerm/lib/cosmosdb-account';
import { CosmosdbSqlContainer } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-container';
import { CosmosdbSqlDatabase } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-database';
import { CosmosdbSqlRoleAssignment } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  IPrincipal,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantOnce,
  identityBlock,
  isConstruct,
  moveFromLegacyGrantId,
  parseResourceId,
  isUnresolved,
  NamingRules,
  validateIpRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/**
 * A Cosmos DB account as other constructs take it: one this program creates
 * ({@link CosmosAccount}) or one created elsewhere ({@link CosmosAccount.fromId}). Both grant
 * the same data-plane roles.
 */
export interface ICosmosAccount {
  readonly id: string;
  readonly name: string;
  /** `https://<name>.documents.azure.com:443/`, what SDK clients connect to. */
  readonly endpoint: string;
  /**
   * Grants the built-in data-plane role `Cosmos DB Built-in Data Contributor` (read and write
   * items) on the account, or on one database or container. No control-plane rights.
   */
  grantDataContributor(principal: IPrincipal, scope?: CosmosDataScope): CosmosdbSqlRoleAssignment;
  /**
   * Grants the built-in data-plane role `Cosmos DB Built-in Data Reader` (read items and
   * queries) on the account, or on one database or container. No control-plane rights.
   */
  grantDataReader(principal: IPrincipal, scope?: CosmosDataScope): CosmosdbSqlRoleAssignment;
  /**
   * A handle on one container, whose grants are scoped to it. An account of this program knows
   * its containers and rejects an unknown name (ValidationError); an imported one cannot check.
   */
  container(database: string, container: string): ICosmosSqlContainer;
}

/** One NoSQL container of an account, for grants scoped to it (`<account>/dbs/<db>/colls/<c>`). */
export interface ICosmosSqlContainer {
  /** The account the container belongs to. */
  readonly account: ICosmosAccount;
  /** Database name. */
  readonly databaseName: string;
  /** Container name. */
  readonly name: string;
  /** Grants `Cosmos DB Built-in Data Reader` on this container only: read items and queries. */
  grantReadData(principal: IPrincipal): CosmosdbSqlRoleAssignment;
  /** Grants `Cosmos DB Built-in Data Contributor` on this container only: read and write items. */
  grantReadWriteData(principal: IPrincipal): CosmosdbSqlRoleAssignment;
}

/** A Cosmos DB account created elsewhere, for {@link CosmosAccount.fromId}. */
export interface CosmosAccountAttributes {
  /**
   * Resource id, `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.DocumentDB/databaseAccounts/<name>`,
   * or a Terraform reference to one.
   */
  readonly resourceId: string;
  /**
   * The account endpoint.
   * @default - `https://<name>.documents.azure.com:443/`, the name taken from `resourceId`
   */
  readonly endpoint?: string;
}

/** Consistency levels of the NoSQL API, weakest last. */
export type CosmosConsistencyLevel =
  | 'Strong'
  | 'BoundedStaleness'
  | 'Session'
  | 'ConsistentPrefix'
  | 'Eventual';

/** A replica region besides the account's primary location. */
export interface CosmosRegion {
  /** Azure region, e.g. `northeurope`. */
  readonly location: string;
  /**
   * Replicas spread over the region's availability zones.
   * @default - the account's `zoneRedundant`
   */
  readonly zoneRedundant?: boolean;
}

/** Props of {@link CosmosAccount}. */
export interface CosmosAccountProps extends AzureResourceProps {
  /** Account name: 3–44 lower-case letters, digits and hyphens, globally unique. */
  readonly name: string;
  /**
   * Default consistency level.
   * @default "Session" - read-your-writes per client at near-eventual cost, what the workloads assume
   */
  readonly consistencyLevel?: CosmosConsistencyLevel;
  /**
   * Most versions a read may lag behind with `BoundedStaleness` (10–2147483647).
   * @default 100000 - the least a multi-region account accepts
   */
  readonly maxStalenessPrefix?: number;
  /**
   * Most seconds a read may lag behind with `BoundedStaleness` (5–86400).
   * @default 300 - the least a multi-region account accepts
   */
  readonly maxIntervalSeconds?: number;
  /**
   * Replicas of the primary region spread over availability zones (and the default for
   * `additionalRegions`).
   * @default false - production sets true; zone redundancy is fixed at region creation
   */
  readonly zoneRedundant?: boolean;
  /**
   * Further regions, in failover order (the first gets failover priority 1).
   * @default - none (single region)
   */
  readonly additionalRegions?: CosmosRegion[];
  /**
   * Service-managed failover to the next region when the write region goes down.
   * @default true
   */
  readonly automaticFailover?: boolean;
  /**
   * Writes accepted in every region (multi-region writes).
   * @default false - one write region keeps conflict resolution out of the workloads
   */
  readonly multipleWriteLocations?: boolean;
  /**
   * Continuous backup tier (point-in-time restore window).
   * @default "Continuous7Days" - point-in-time restore at no extra cost; production may buy 30 days
   */
  readonly backupTier?: 'Continuous7Days' | 'Continuous30Days';
  /**
   * Serverless capacity (billed per request). Single region only, no provisioned throughput.
   * @default false
   */
  readonly serverless?: boolean;
  /**
   * Whether the public endpoint accepts traffic (still filtered by `allowedIpRanges`).
   * @default false - reach the account through its private endpoint
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Public IPv4 addresses or CIDRs allowed when public access is on.
   * @default - none
   */
  readonly allowedIpRanges?: string[];
  /**
   * Let trusted Azure services bypass the network ACL.
   * @default false - nothing bypasses the private endpoint
   */
  readonly allowTrustedAzureServices?: boolean;
  /**
   * Key (primary/secondary key and resource token) authentication.
   * @default false - Entra ID only; data access is granted with `grantDataContributor` / `grantDataReader`
   */
  readonly localAuthentication?: boolean;
  /**
   * Whether account keys may change account metadata (databases, containers, throughput).
   * @default false - metadata changes only through Azure Resource Manager, i.e. this code
   */
  readonly accessKeyMetadataWrites?: boolean;
  /**
   * Managed identities of the account.
   * @default - none, or the customer-managed key's identity
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Customer-managed key for data at rest; only settable when the account is created. Its
   * identity needs `Key Vault Crypto Service Encryption User` on the key's vault first.
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
}

/** Options of {@link CosmosAccount.addSqlDatabase}. */
export interface CosmosSqlDatabaseOptions {
  /**
   * Shared autoscale throughput ceiling in RU/s (1000–1000000, steps of 1000); containers
   * without their own throughput share it.
   * @default - none; containers provision their own (or the account is serverless)
   */
  readonly autoscaleMaxThroughput?: number;
}

/** Indexing policy of a container. */
export interface CosmosIndexingPolicy {
  /**
   * `consistent` indexes synchronously; `none` turns indexing off (point reads only).
   * @default "consistent"
   */
  readonly mode?: 'consistent' | 'none';
  /**
   * Paths to index.
   * @default ["/*"]
   */
  readonly includedPaths?: string[];
  /**
   * Paths not to index (saves RU on writes).
   * @default ['/"_etag"/?']
   */
  readonly excludedPaths?: string[];
  /**
   * Composite indexes for ORDER BY over several properties.
   * @default - none
   */
  readonly compositeIndexes?: {
    readonly path: string;
    readonly order: 'Ascending' | 'Descending';
  }[][];
  /**
   * Paths of GeoJSON properties to index spatially.
   * @default - none
   */
  readonly spatialPaths?: string[];
}

/** Options of {@link CosmosAccount.addSqlContainer}. */
export interface CosmosSqlContainerOptions {
  /**
   * Partition key paths: one path, or up to three for a hierarchical (MultiHash) key, e.g.
   * `['/tenantId', '/deviceId']`.
   */
  readonly partitionKeyPaths: string[];
  /**
   * Time to live of items in seconds; `-1` turns TTL on with no default (items set their own).
   * @default - TTL off, items live forever
   */
  readonly defaultTtlSeconds?: number;
  /**
   * Indexing policy.
   * @default - consistent, everything indexed except `_etag`
   */
  readonly indexingPolicy?: CosmosIndexingPolicy;
  /**
   * Unique keys, each a set of paths unique within a logical partition.
   * @default - none
   */
  readonly uniqueKeys?: string[][];
  /**
   * Autoscale throughput ceiling of the container in RU/s (1000–1000000, steps of 1000).
   * @default - the database's shared throughput
   */
  readonly autoscaleMaxThroughput?: number;
}

/** Where a data-plane grant applies: the account, a database, or a container. */
export interface CosmosDataScope {
  /** Database name. */
  readonly database: string;
  /**
   * Container name within `database`.
   * @default - the whole database
   */
  readonly container?: string;
}

/** Built-in Cosmos DB data-plane role definitions of the NoSQL API. */
export const CosmosBuiltInDataRoles = {
  /** Read items, queries, change feed. */
  reader: '00000000-0000-0000-0000-000000000001',
  /** Read, create, replace, delete items and run stored procedures. */
  contributor: '00000000-0000-0000-0000-000000000002',
} as const;

const CONSISTENCY: readonly CosmosConsistencyLevel[] = [
  'Strong',
  'BoundedStaleness',
  'Session',
  'ConsistentPrefix',
  'Eventual',
];

/**
 * The data-plane grants every {@link ICosmosAccount} of this library has: each is one
 * `azurerm_cosmosdb_sql_role_assignment`, a child of the construct that grants, so a repeated
 * grant returns the first one.
 */
export abstract class CosmosAccountBase extends Construct implements ICosmosAccount {
  public abstract readonly id: string;
  public abstract readonly name: string;
  public abstract readonly endpoint: string;
  /** Resource group of the account, which its SQL role assignments name. */
  protected abstract readonly resourceGroupName: string;

  public grantDataContributor(
    principal: IPrincipal,
    scope?: CosmosDataScope,
  ): CosmosdbSqlRoleAssignment {
    return this.grantData('DataContributor', CosmosBuiltInDataRoles.contributor, principal, scope);
  }

  public grantDataReader(
    principal: IPrincipal,
    scope?: CosmosDataScope,
  ): CosmosdbSqlRoleAssignment {
    return this.grantData('DataReader', CosmosBuiltInDataRoles.reader, principal, scope);
  }

  public container(database: string, container: string): ICosmosSqlContainer {
    validateCosmosResourceName(this, `container(${database}, ${container}).database`, database);
    validateCosmosResourceName(this, `container(${database}, ${container}).container`, container);
    this.checkContainer(database, container);
    return new CosmosSqlContainerHandle(this, database, container);
  }

  /** Throws when the account knows its containers and `database/container` is not one. */
  protected abstract checkContainer(database: string, container: string): void;

  /** The data-plane scope path (`/dbs/<db>[/colls/<c>]`) of a grant on `scope`. */
  protected abstract scopePath(prefix: string, scope: CosmosDataScope): string;

  private grantData(
    prefix: string,
    roleId: string,
    principal: IPrincipal,
    scope: CosmosDataScope | undefined,
  ): CosmosdbSqlRoleAssignment {
    if (scope) {
      validateCosmosResourceName(this, `${prefix} scope.database`, scope.database);
      if (scope.container !== undefined) {
        validateCosmosResourceName(this, `${prefix} scope.container`, scope.container);
      }
    }
    const path = scope ? this.scopePath(prefix, scope) : '';
    // One principal may hold the role on several scopes, so the scope is part of the id; token
    // names (known at apply) are hashed, which is stable for a given program.
    const given = scope
      ? `/dbs/${scope.database}${scope.container !== undefined ? `/colls/${scope.container}` : ''}`
      : '';
    const suffix = !scope
      ? ''
      : isUnresolved(given)
        ? `-${createHash('sha256').update(given).digest('hex').slice(0, 8)}`
        : `-${[scope.database, scope.container].filter((x) => x !== undefined).join('-')}`;
    return grantOnce(this, ['cosmos', roleId, given, principal.principalId], () => {
      const assignment = new CosmosdbSqlRoleAssignment(
        this,
        `${grantId(prefix, this, principal)}${suffix}`,
        {
          accountName: this.name,
          resourceGroupName: this.resourceGroupName,
          roleDefinitionId: `${this.id}/sqlRoleDefinitions/${roleId}`,
          principalId: principal.principalId,
          scope: `${this.id}${path}`,
        },
      );
      moveFromLegacyGrantId(assignment, suffix);
      return assignment;
    });
  }
}

/** A container handle: grants go through the account, so ids match the account's own grants. */
class CosmosSqlContainerHandle implements ICosmosSqlContainer {
  constructor(
    public readonly account: ICosmosAccount,
    public readonly databaseName: string,
    public readonly name: string,
  ) {}

  public grantReadData(principal: IPrincipal): CosmosdbSqlRoleAssignment {
    return this.account.grantDataReader(principal, {
      database: this.databaseName,
      container: this.name,
    });
  }

  public grantReadWriteData(principal: IPrincipal): CosmosdbSqlRoleAssignment {
    return this.account.grantDataContributor(principal, {
      database: this.databaseName,
      container: this.name,
    });
  }
}

/** An account created elsewhere: grants only, on scopes it cannot check. */
class ImportedCosmosAccount extends CosmosAccountBase {
  public readonly id: string;
  public readonly name: string;
  public readonly endpoint: string;
  protected readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, attrs: CosmosAccountAttributes) {
    super(scope, id);
    const parts = parseResourceId(
      this,
      'resourceId',
      attrs.resourceId,
      'Microsoft.DocumentDB/databaseAccounts',
    );
    this.id = parts.id;
    this.name = parts.name;
    this.resourceGroupName = parts.resourceGroupName;
    this.endpoint = attrs.endpoint ?? `https://${parts.name}.documents.azure.com:443/`;
  }

  protected checkContainer(): void {
    // the containers of an account created elsewhere are not known here
  }

  protected scopePath(_prefix: string, scope: CosmosDataScope): string {
    return `/dbs/${scope.database}${scope.container !== undefined ? `/colls/${scope.container}` : ''}`;
  }
}

/**
 * An Azure Cosmos DB for NoSQL account with Entra-only authentication (key auth off), no public
 * network access, continuous backup, TLS 1.2, optional zone redundancy and extra regions, plus
 * database and container factories and data-plane grants.
 *
 * @example
 * const cosmos = new CosmosAccount(this, 'Cosmos', {
 *   name: 'cosmos-iot-prod-weu', resourceGroup: rg, zoneRedundant: true,
 *   additionalRegions: [{ location: 'northeurope' }],
 *   privateEndpoints: [{ subnet: endpoints, privateDnsZones: [documentsZone] }],
 * });
 * const db = cosmos.addSqlDatabase('iot');
 * cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'], autoscaleMaxThroughput: 4000 });
 * cosmos.grantDataContributor(ingestIdentity, { database: 'iot', container: 'readings' });
 */
export class CosmosAccount extends CosmosAccountBase {
  /**
   * An account created elsewhere (another stack, the portal), as an {@link ICosmosAccount} that
   * grants: its role assignments become children of the returned construct.
   *
   * @example
   * const shared = CosmosAccount.fromId(this, 'SharedCosmos', { resourceId: sharedAccountId });
   * shared.container('iot', 'readings').grantReadData(identity);
   */
  public static fromId(
    scope: Construct,
    id: string,
    attrs: CosmosAccountAttributes,
  ): ICosmosAccount {
    return new ImportedCosmosAccount(scope, id, attrs);
  }

  public readonly id: string;
  public readonly name: string;
  public readonly endpoint: string;
  protected readonly resourceGroupName: string;
  /** Principal id of the system-assigned identity, when one is asked for. */
  public readonly principalId?: string;
  /** The `azurerm_cosmosdb_account`. */
  public readonly resource: CosmosdbAccount;

  private readonly props: CosmosAccountProps;
  /** Databases added here, by name, so grants can reference them. */
  private readonly databases = new Map<string, CosmosdbSqlDatabase>();
  /** Containers added here, by `<database>/<container>`, so grants can reference them. */
  private readonly containers = new Map<string, CosmosdbSqlContainer>();

  constructor(scope: Construct, id: string, props: CosmosAccountProps) {
    super(scope, checkConstruct(scope, id, props));
    this.props = props;
    this.validate(props);

    const location = props.location ?? props.resourceGroup.location;
    const zoneRedundant = props.zoneRedundant ?? false;
    const consistencyLevel = props.consistencyLevel ?? 'Session';
    const cmk = props.customerManagedKey;
    const identity = identityBlock({
      systemAssigned: props.managedIdentities?.systemAssigned,
      userAssigned: [
        ...(props.managedIdentities?.userAssigned ?? []),
        ...(cmk && !(props.managedIdentities?.userAssigned ?? []).includes(cmk.identity)
          ? [cmk.identity]
          : []),
      ],
    });

    this.resource = new CosmosdbAccount(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      offerType: 'Standard',
      kind: 'GlobalDocumentDB',
      consistencyPolicy: {
        consistencyLevel,
        maxStalenessPrefix:
          consistencyLevel === 'BoundedStaleness'
            ? (props.maxStalenessPrefix ?? 100000)
            : undefined,
        maxIntervalInSeconds:
          consistencyLevel === 'BoundedStaleness' ? (props.maxIntervalSeconds ?? 300) : undefined,
      },
      geoLocation: [
        { location, failoverPriority: 0, zoneRedundant },
        ...(props.additionalRegions ?? []).map((r, i) => ({
          location: r.location,
          failoverPriority: i + 1,
          zoneRedundant: r.zoneRedundant ?? zoneRedundant,
        })),
      ],
      automaticFailoverEnabled: props.automaticFailover ?? true,
      multipleWriteLocationsEnabled: props.multipleWriteLocations ?? false,
      backup: { type: 'Continuous', tier: props.backupTier ?? 'Continuous7Days' },
      capabilities: props.serverless ? [{ name: 'EnableServerless' }] : undefined,
      localAuthenticationDisabled: props.localAuthentication !== true,
      accessKeyMetadataWritesEnabled: props.accessKeyMetadataWrites ?? false,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? false,
      ipRangeFilter:
        props.allowedIpRanges && props.allowedIpRanges.length > 0
          ? props.allowedIpRanges
          : undefined,
      networkAclBypassForAzureServices: props.allowTrustedAzureServices ?? false,
      minimalTlsVersion: 'Tls12',
      identity,
      keyVaultKeyId: cmk?.key.versionlessId,
      defaultIdentityType: cmk ? `UserAssignedIdentity=${cmk.identity.id}` : undefined,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.endpoint = this.resource.endpoint;
    this.resourceGroupName = props.resourceGroup.name;
    this.principalId = props.managedIdentities?.systemAssigned
      ? this.resource.identity.principalId
      : undefined;
    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'Sql' });
  }

  /** Adds a NoSQL database, optionally with shared autoscale throughput. Returns it. */
  public addSqlDatabase(name: string, options: CosmosSqlDatabaseOptions = {}): CosmosdbSqlDatabase {
    validateCosmosResourceName(this, `addSqlDatabase(${name}).name`, name);
    this.validateThroughput(
      `addSqlDatabase(${name}).autoscaleMaxThroughput`,
      options.autoscaleMaxThroughput,
    );
    const db = new CosmosdbSqlDatabase(this, `Db-${name}`, {
      name,
      accountName: this.name,
      resourceGroupName: this.props.resourceGroup.name,
      autoscaleSettings:
        options.autoscaleMaxThroughput !== undefined
          ? { maxThroughput: options.autoscaleMaxThroughput }
          : undefined,
    });
    this.databases.set(name, db);
    return db;
  }

  /**
   * Adds a container to `database` (a database from {@link addSqlDatabase}) with its partition
   * key (hierarchical when several paths), TTL, indexing policy, unique keys and throughput.
   * Returns it.
   */
  public addSqlContainer(
    database: { readonly name: string },
    name: string,
    options: CosmosSqlContainerOptions,
  ): CosmosdbSqlContainer {
    const p = `addSqlContainer(${name})`;
    validateCosmosResourceName(this, `${p}.name`, name);
    this.validateThroughput(`${p}.autoscaleMaxThroughput`, options.autoscaleMaxThroughput);
    const keys = options.partitionKeyPaths;
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > 3) {
      throw new ValidationError(
        this,
        `${p}.partitionKeyPaths`,
        keys,
        'allowed is one path, or two to three for a hierarchical partition key',
      );
    }
    keys.forEach((k, i) => this.validatePath(`${p}.partitionKeyPaths[${i}]`, k));
    if (new Set(keys).size !== keys.length) {
      throw new ValidationError(
        this,
        `${p}.partitionKeyPaths`,
        keys,
        'the paths of a hierarchical key must differ',
      );
    }
    const ttl = options.defaultTtlSeconds;
    if (ttl !== undefined && ttl !== -1) {
      validateRange(this, `${p}.defaultTtlSeconds`, ttl, 1, 2147483647, {
        unit: 'seconds (or -1: ttl on, no default)',
      });
    }
    (options.uniqueKeys ?? []).forEach((set, i) => {
      if (set.length === 0) {
        throw new ValidationError(this, `${p}.uniqueKeys[${i}]`, set, 'a unique key needs a path');
      }
      set.forEach((path, j) => this.validatePath(`${p}.uniqueKeys[${i}][${j}]`, path));
    });
    const ip = options.indexingPolicy ?? {};
    validateOneOf(this, `${p}.indexingPolicy.mode`, ip.mode, ['consistent', 'none']);
    const mode = ip.mode ?? 'consistent';
    if (
      mode === 'none' &&
      (ip.includedPaths?.length || ip.compositeIndexes?.length || ip.spatialPaths?.length)
    ) {
      throw new ValidationError(
        this,
        `${p}.indexingPolicy.mode`,
        'none',
        'indexing mode none takes no included paths, composite or spatial indexes',
      );
    }
    (ip.compositeIndexes ?? []).forEach((c, i) => {
      if (c.length < 2) {
        throw new ValidationError(
          this,
          `${p}.indexingPolicy.compositeIndexes[${i}]`,
          c,
          'a composite index combines at least two paths',
        );
      }
    });

    const container = new CosmosdbSqlContainer(this, `Container-${idPart(database)}-${name}`, {
      name,
      accountName: this.name,
      resourceGroupName: this.props.resourceGroup.name,
      databaseName: database.name,
      partitionKeyPaths: keys,
      partitionKeyKind: keys.length > 1 ? 'MultiHash' : 'Hash',
      partitionKeyVersion: 2,
      defaultTtl: ttl,
      uniqueKey: options.uniqueKeys?.map((paths) => ({ paths })),
      autoscaleSettings:
        options.autoscaleMaxThroughput !== undefined
          ? { maxThroughput: options.autoscaleMaxThroughput }
          : undefined,
      indexingPolicy:
        mode === 'none'
          ? { indexingMode: 'none' }
          : {
              indexingMode: 'consistent',
              includedPath: (ip.includedPaths ?? ['/*']).map((path) => ({ path })),
              excludedPath: (ip.excludedPaths ?? ['/"_etag"/?']).map((path) => ({ path })),
              compositeIndex: ip.compositeIndexes?.map((index) => ({
                index: index.map((x) => ({ path: x.path, order: x.order })),
              })),
              spatialIndex: ip.spatialPaths?.map((path) => ({ path })),
            },
    });
    // The literal name the database was created with (its `name` is a token); structural, not
    // `instanceof`, so a database from another copy of the provider bindings works too.
    const nameInput = (database as { nameInput?: unknown }).nameInput;
    const dbName = typeof nameInput === 'string' ? nameInput : undefined;
    this.containers.set(`${dbName ?? database.name}/${name}`, container);
    return container;
  }

  /**
   * A handle on a container added with {@link addSqlContainer}, whose grants are scoped to it.
   * An unknown database or container name is a ValidationError naming the containers there are.
   */
  public override container(database: string, container: string): ICosmosSqlContainer {
    return super.container(database, container);
  }

  protected checkContainer(database: string, container: string): void {
    if (isUnresolved(database) || isUnresolved(container)) return;
    if (this.containers.has(`${database}/${container}`)) return;
    const known = [...this.containers.keys()].filter((k) => !isUnresolved(k));
    throw new ValidationError(
      this,
      'container',
      `${database}/${container}`,
      `a container added with addSqlContainer: ${known.map((k) => JSON.stringify(k)).join(', ') || '(none yet; add it first)'}`,
    );
  }

  /**
   * The data-plane scope path of a grant, built from the attributes of the database or
   * container resource it names, so Terraform orders the assignment after that resource (a
   * literal path would let it run before the container exists, and fail). Names given as
   * tokens (a resource created elsewhere) carry their own dependency and are used as they are.
   */
  protected scopePath(prefix: string, scope: CosmosDataScope): string {
    const { database, container } = scope;
    const tokens = isUnresolved(database) || (container !== undefined && isUnresolved(container));
    if (container !== undefined) {
      const c = this.containers.get(`${database}/${container}`);
      if (c) return `/dbs/${c.databaseName}/colls/${c.name}`;
      if (!tokens) {
        throw new ValidationError(
          this,
          `${prefix} scope.container`,
          `${database}/${container}`,
          'a grant on a container needs the container added with addSqlContainer first (or its names as terraform references), so the assignment waits for it',
        );
      }
      return `/dbs/${database}/colls/${container}`;
    }
    const db = this.databases.get(database);
    if (db) return `/dbs/${db.name}`;
    const inDb = [...this.containers.entries()].find(([k]) => k.startsWith(`${database}/`));
    if (inDb) return `/dbs/${inDb[1].databaseName}`;
    if (!tokens) {
      throw new ValidationError(
        this,
        `${prefix} scope.database`,
        database,
        'a grant on a database needs the database added with addSqlDatabase (or a container in it with addSqlContainer) first, or its name as a terraform reference, so the assignment waits for it',
      );
    }
    return `/dbs/${database}`;
  }

  private validate(props: CosmosAccountProps): void {
    validateName(this, 'name', props.name, NamingRules.cosmosAccount);
    validateOneOf(this, 'consistencyLevel', props.consistencyLevel, CONSISTENCY);
    validateOneOf(this, 'backupTier', props.backupTier, ['Continuous7Days', 'Continuous30Days']);
    const bounded = props.consistencyLevel === 'BoundedStaleness';
    const multiRegion = (props.additionalRegions ?? []).length > 0;
    for (const [prop, value] of [
      ['maxStalenessPrefix', props.maxStalenessPrefix],
      ['maxIntervalSeconds', props.maxIntervalSeconds],
    ] as const) {
      if (value !== undefined && !bounded) {
        throw new ValidationError(
          this,
          prop,
          value,
          'staleness bounds only apply with consistencyLevel "BoundedStaleness"',
        );
      }
    }
    // Multi-region accounts need wider staleness bounds (Azure's documented minimums).
    validateRange(
      this,
      'maxStalenessPrefix',
      props.maxStalenessPrefix,
      multiRegion ? 100000 : 10,
      2147483647,
      { unit: multiRegion ? 'versions (multi-region minimum 100000)' : 'versions' },
    );
    validateRange(
      this,
      'maxIntervalSeconds',
      props.maxIntervalSeconds,
      multiRegion ? 300 : 5,
      86400,
      { unit: multiRegion ? 'seconds (multi-region minimum 300)' : 'seconds' },
    );
    if (props.multipleWriteLocations === true && props.consistencyLevel === 'Strong') {
      throw new ValidationError(
        this,
        'multipleWriteLocations',
        true,
        'multi-region writes cannot be combined with consistencyLevel "Strong"',
      );
    }
    if (props.multipleWriteLocations === true && !multiRegion) {
      throw new ValidationError(
        this,
        'multipleWriteLocations',
        true,
        'multi-region writes need at least one of additionalRegions',
      );
    }
    const primary = props.location ?? props.resourceGroup.location;
    const seen = new Set<string>([normalizeRegion(primary)]);
    (props.additionalRegions ?? []).forEach((r, i) => {
      const key = normalizeRegion(r.location);
      if (!isUnresolved(r.location) && seen.has(key)) {
        throw new ValidationError(
          this,
          `additionalRegions[${i}].location`,
          r.location,
          'each region may appear once, and not repeat the primary location',
        );
      }
      seen.add(key);
    });
    if (props.serverless === true && multiRegion) {
      throw new ValidationError(
        this,
        'serverless',
        true,
        'a serverless account is single-region; remove additionalRegions or serverless',
      );
    }
    validateIpRules(this, props.publicNetworkAccess === true, props.allowedIpRanges);
  }

  private validateThroughput(prop: string, value: number | undefined): void {
    if (value === undefined || isUnresolved(value)) return;
    if (this.props.serverless === true) {
      throw new ValidationError(
        this,
        prop,
        value,
        'a serverless account has no provisioned throughput; leave it out or set serverless: false',
      );
    }
    if (!Number.isInteger(value) || value < 1000 || value > 1000000 || value % 1000 !== 0) {
      throw new ValidationError(
        this,
        prop,
        value,
        'allowed is 1000 to 1000000 RU/s in steps of 1000',
      );
    }
  }

  private validatePath(prop: string, path: string): void {
    if (isUnresolved(path)) return;
    if (!/^\/[^/\s]+(?:\/[^/\s]+)*$/.test(path)) {
      throw new ValidationError(
        this,
        prop,
        path,
        'allowed is a json path starting with a slash, e.g. /deviceId',
      );
    }
  }
}

/** Checks a database or container name against Cosmos DB's rules. */
function validateCosmosResourceName(scope: Construct, prop: string, value: string): void {
  validateName(scope, prop, value, {
    resource: 'cosmos db database or container',
    minLength: 1,
    maxLength: 255,
    pattern: /^[^/\\#?]*[^/\\#? ]$/,
    patternDescription: 'any characters except / \\ # ? and no trailing space',
  });
}

/** A construct-id-safe stand-in for a database: its literal name, or its own construct id. */
function idPart(database: { readonly name: string }): string {
  if (!isUnresolved(database.name)) return database.name;
  if (isConstruct(database)) return database.node.id.replace(/^Db-/, '');
  return createHash('sha256').update(database.name).digest('hex').slice(0, 8);
}

function normalizeRegion(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
