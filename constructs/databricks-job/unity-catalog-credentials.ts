import { Construct } from 'constructs';
import { Credential } from '@cdktf/provider-databricks/lib/credential';
import { ExternalLocation } from '@cdktf/provider-databricks/lib/external-location';
import { Grants } from '@cdktf/provider-databricks/lib/grants';
import { StorageCredential } from '@cdktf/provider-databricks/lib/storage-credential';
import { ValidationError, isUnresolved, validateName } from '../core';

/** Props of {@link UnityCatalogCredentials}. */
export interface UnityCatalogCredentialsProps {
  /** Prefix of every Unity Catalog object's name, e.g. `iot-dev`. */
  readonly namePrefix: string;
  /** The workspace's access connector (`DatabricksWorkspace.accessConnectorId`). */
  readonly accessConnectorId: string;
  /**
   * External locations by short name, each an `abfss://<container>@<account>.dfs.core.windows.net/`
   * URL the access connector may read and write (it needs `Storage Blob Data Contributor`).
   */
  readonly locations: Record<string, string>;
  /**
   * Create a service credential on the access connector, for Kafka sources on Event Hubs
   * (`databricks.serviceCredential`; the connector needs `Azure Event Hubs Data Receiver`).
   * @default false
   */
  readonly serviceCredential?: boolean;
  /**
   * Principals (user names, group names or service principal application ids) that get
   * `READ_FILES`/`WRITE_FILES` on the locations and `ACCESS` on the service credential. The
   * deploying identity owns all of them and needs no grant.
   * @default - none
   */
  readonly principals?: string[];
}

/**
 * What a Unity Catalog job needs to reach the lake and Event Hubs as the workspace's access
 * connector (a managed identity, so no secret exists): a storage credential, one external
 * location per container, optionally a service credential, and grants on them.
 */
export class UnityCatalogCredentials extends Construct {
  public readonly storageCredential: StorageCredential;
  /** External locations by short name. */
  public readonly locations: ReadonlyMap<string, ExternalLocation>;
  /** The service credential, when asked for. */
  public readonly serviceCredential?: Credential;

  constructor(scope: Construct, id: string, props: UnityCatalogCredentialsProps) {
    super(scope, id);
    validateName(this, 'namePrefix', props.namePrefix, {
      resource: 'unity catalog name prefix',
      minLength: 1,
      maxLength: 100,
      pattern: /^[a-zA-Z0-9][\w-]*$/,
      patternDescription: 'letters, digits, underscores and hyphens',
    });
    const entries = Object.entries(props.locations);
    if (entries.length === 0) {
      throw new ValidationError(this, 'locations', {}, 'at least one external location');
    }
    for (const [key, url] of entries) {
      validateName(this, `locations.${key}`, key, { ...KEY_RULE });
      if (
        !isUnresolved(url) &&
        !/^abfss:\/\/[a-z0-9-]+@[a-z0-9]+\.dfs\.core\.windows\.net\//.test(url)
      ) {
        throw new ValidationError(
          this,
          `locations.${key}`,
          url,
          'an abfss://<container>@<account>.dfs.core.windows.net/ url',
        );
      }
    }

    this.storageCredential = new StorageCredential(this, 'StorageCredential', {
      name: `${props.namePrefix}-lake`,
      comment: 'the workspace access connector (managed identity) on the lakehouse storage',
      azureManagedIdentity: { accessConnectorId: props.accessConnectorId },
    });
    const locations = new Map<string, ExternalLocation>();
    for (const [key, url] of entries) {
      locations.set(
        key,
        new ExternalLocation(this, `Location-${key}`, {
          name: `${props.namePrefix}-${key}`,
          url,
          credentialName: this.storageCredential.name,
          comment: `lakehouse ${key}`,
        }),
      );
    }
    this.locations = locations;
    if (props.serviceCredential) {
      this.serviceCredential = new Credential(this, 'ServiceCredential', {
        name: `${props.namePrefix}-eventhubs`,
        purpose: 'SERVICE',
        comment: 'the workspace access connector (managed identity) on the Event Hubs namespace',
        azureManagedIdentity: { accessConnectorId: props.accessConnectorId },
      });
    }

    const principals = props.principals ?? [];
    if (principals.length === 0) return;
    for (const [key, location] of locations) {
      new Grants(this, `Grants-${key}`, {
        externalLocation: location.name,
        grant: principals.map((principal) => ({
          principal,
          privileges: ['READ_FILES', 'WRITE_FILES'],
        })),
      });
    }
    if (this.serviceCredential) {
      new Grants(this, 'Grants-service-credential', {
        credential: this.serviceCredential.name,
        grant: principals.map((principal) => ({ principal, privileges: ['ACCESS'] })),
      });
    }
  }
}

const KEY_RULE = {
  resource: 'external location key',
  minLength: 1,
  maxLength: 40,
  pattern: /^[a-z][a-z0-9-]*$/,
  patternDescription: 'lower-case letters, digits and hyphens, starting with a letter',
};
