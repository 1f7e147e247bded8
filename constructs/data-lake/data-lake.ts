import { Construct } from 'constructs';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  DiagnosticSettingsProps,
  IPrincipal,
} from '../core';
import {
  mapDiagnosticSettings,
  ValidationError,
  addDiagnosticSettings,
  applyCommonInterfaces,
  grantId,
  grantRole,
  NamingRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/** Replication of the lake's account. */
export type DataLakeReplication = 'LRS' | 'ZRS' | 'GRS' | 'GZRS' | 'RAGRS' | 'RAGZRS';

/** The default containers: the medallion layers and the streams' checkpoints. */
export const DATA_LAKE_DEFAULT_CONTAINERS = ['bronze', 'silver', 'gold', 'checkpoints'] as const;

/** Props of {@link DataLake}. */
export interface DataLakeProps extends AzureResourceProps {
  /** Storage account name: 3–24 lower-case letters and digits, globally unique. */
  readonly name: string;
  /**
   * File systems (containers) to create.
   * @default ["bronze", "silver", "gold", "checkpoints"]
   */
  readonly containers?: string[];
  /**
   * Replication.
   * @default "ZRS" - a zone outage loses no table and no checkpoint
   */
  readonly replication?: DataLakeReplication;
  /**
   * Days deleted blobs and containers stay recoverable (1–365).
   * @default 7
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Customer-managed key for encryption at rest (its identity needs
   * `Key Vault Crypto Service Encryption User` on the vault).
   * @default - Microsoft-managed keys, with infrastructure (double) encryption
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
}

/** A data lake as other constructs take it. */
export interface IDataLake {
  readonly id: string;
  readonly name: string;
  /** `abfss://<container>@<account>.dfs.core.windows.net/<path>`. */
  abfssUrl(container: string, path?: string): string;
  /** Grants `Storage Blob Data Contributor` on the account. */
  grantReadWrite(principal: IPrincipal): RoleAssignment;
  /** Grants `Storage Blob Data Reader` on the account. */
  grantRead(principal: IPrincipal): RoleAssignment;
}

/**
 * An ADLS Gen2 account for a lakehouse: hierarchical namespace, Entra-only (no shared key, OAuth
 * by default), no public network access (private endpoints for `dfs` and `blob`), TLS 1.2,
 * infrastructure encryption, soft delete, and one file system per container. Access goes through
 * `grant*` role assignments, e.g. to a Databricks access connector.
 *
 * @example
 * const lake = new DataLake(this, 'Lake', {
 *   name: 'stlakeiotdev7k2q', resourceGroup: rg,
 *   privateEndpoints: {
 *     dfs: { subnet: endpoints, privateDnsZones: [network.dnsZone('dfs')], subresource: 'dfs' },
 *     blob: { subnet: endpoints, privateDnsZones: [network.dnsZone('blob')], subresource: 'blob' },
 *   },
 * });
 * lake.grantReadWrite(databricks.accessConnectorPrincipal);
 */
export class DataLake extends Construct implements IDataLake {
  public readonly id: string;
  public readonly name: string;
  /** `https://<name>.dfs.core.windows.net/`. */
  public readonly dfsEndpoint: string;
  /** The `azurerm_storage_account`. */
  public readonly resource: StorageAccount;
  /** File systems by name. */
  public readonly containers: ReadonlyMap<string, StorageContainer>;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const names = props.containers ?? [...DATA_LAKE_DEFAULT_CONTAINERS];
    this.validate(props, names);
    const cmk = props.customerManagedKey;

    this.resource = new StorageAccount(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: props.replication ?? 'ZRS',
      isHnsEnabled: true,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      publicNetworkAccessEnabled: false,
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
      blobProperties: {
        deleteRetentionPolicy: { days: props.softDeleteRetentionDays ?? 7 },
        containerDeleteRetentionPolicy: { days: props.softDeleteRetentionDays ?? 7 },
      },
      identity: cmk ? { type: 'UserAssigned', identityIds: [cmk.identity.id] } : undefined,
      customerManagedKey: cmk
        ? { keyVaultKeyId: cmk.key.versionlessId, userAssignedIdentityId: cmk.identity.id }
        : undefined,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.dfsEndpoint = this.resource.primaryDfsEndpoint;

    // created through the management plane (storage_account_id), so neither the private-only
    // firewall nor the disabled account key stands in Terraform's way
    const containers = new Map<string, StorageContainer>();
    for (const name of names) {
      containers.set(
        name,
        new StorageContainer(this, `Container-${name}`, {
          name,
          storageAccountId: this.resource.id,
          containerAccessType: 'private',
        }),
      );
    }
    this.containers = containers;

    const settings = props.diagnosticSettings;
    applyCommonInterfaces(
      this,
      this.resource,
      // the account itself has no logs, only metrics; the blob (dfs) service has both
      { ...props, diagnosticSettings: mapDiagnosticSettings(settings, accountMetrics) },
      { privateEndpointSubresource: 'dfs' },
    );
    addDiagnosticSettings(
      this,
      `${this.resource.id}/blobServices/default`,
      mapDiagnosticSettings(settings, (s) => ({ ...s, metricCategories: ['Transaction'] })),
      'Blob',
    );
  }

  /** `abfss://<container>@<account>.dfs.core.windows.net/<path>` of a container this lake has. */
  public abfssUrl(container: string, path = ''): string {
    if (!this.containers.has(container)) {
      throw new ValidationError(
        this,
        'abfssUrl(container)',
        container,
        `a container of this lake: ${[...this.containers.keys()].join(', ')}`,
      );
    }
    const tail = path.replace(/^\/+/, '');
    return `abfss://${container}@${this.resource.name}.dfs.core.windows.net/${tail}`;
  }

  /** Grants `Storage Blob Data Contributor`: read, write and delete files. Nothing else. */
  public grantReadWrite(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('BlobDataContributor', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Storage Blob Data Contributor',
      principal,
      description: `read and write the lake ${this.node.path}`,
    });
  }

  /** Grants `Storage Blob Data Reader`: read files. */
  public grantRead(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('BlobDataReader', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Storage Blob Data Reader',
      principal,
      description: `read the lake ${this.node.path}`,
    });
  }

  private validate(props: DataLakeProps, containers: readonly string[]): void {
    validateName(this, 'name', props.name, NamingRules.storageAccount);
    validateOneOf(this, 'replication', props.replication, [
      'LRS',
      'ZRS',
      'GRS',
      'GZRS',
      'RAGRS',
      'RAGZRS',
    ]);
    validateRange(this, 'softDeleteRetentionDays', props.softDeleteRetentionDays, 1, 365, {
      unit: 'days',
    });
    if (containers.length === 0) {
      throw new ValidationError(this, 'containers', [], 'at least one container');
    }
    containers.forEach((c, i) =>
      validateName(this, `containers[${i}]`, c, {
        resource: 'storage container',
        minLength: 3,
        maxLength: 63,
        pattern: /^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$/,
        patternDescription:
          'lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
      }),
    );
    if (new Set(containers).size !== containers.length) {
      throw new ValidationError(this, 'containers', containers, 'each container name at most once');
    }
  }
}

function accountMetrics(s: DiagnosticSettingsProps): DiagnosticSettingsProps {
  return {
    ...s,
    logCategories: undefined,
    logCategoryGroups: [],
    metricCategories: ['Transaction'],
  };
}
