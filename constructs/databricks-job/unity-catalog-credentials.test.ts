import { Testing } from 'cdktf';
import { Credential } from '@cdktf/provider-databricks/lib/credential';
import { ExternalLocation } from '@cdktf/provider-databricks/lib/external-location';
import { StorageCredential } from '@cdktf/provider-databricks/lib/storage-credential';
import { ValidationError } from '../core';
import { UnityCatalogCredentials } from './unity-catalog-credentials';
import type { UnityCatalogCredentialsProps } from './unity-catalog-credentials';
import { testScope } from '../../test/construct-helpers';

const locations = {
  lakehouse: 'abfss://lakehouse@stlake.dfs.core.windows.net/',
  checkpoints: 'abfss://checkpoints@stlake.dfs.core.windows.net/',
};

function synth(props: Partial<UnityCatalogCredentialsProps> = {}): string {
  const { stack } = testScope();
  new UnityCatalogCredentials(stack, 'Uc', {
    namePrefix: 'iot-dev',
    accessConnectorId: 'connector-id',
    locations,
    ...props,
  });
  return Testing.synth(stack);
}

const count = (out: string, type: string) =>
  Object.keys(
    (JSON.parse(out) as { resource: Record<string, Record<string, unknown>> }).resource[type] ?? {},
  ).length;

describe('UnityCatalogCredentials', () => {
  it('reaches the lake as the access connector: one storage credential, one external location per container', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(StorageCredential, {
      name: 'iot-dev-lake',
      azure_managed_identity: { access_connector_id: 'connector-id' },
    });
    expect(out).toHaveResourceWithProperties(ExternalLocation, {
      name: 'iot-dev-lakehouse',
      url: locations.lakehouse,
      credential_name: expect.stringMatching(/databricks_storage_credential\.\w+\.name/),
    });
    expect(count(out, 'databricks_external_location')).toBe(2);
    expect(count(out, 'databricks_credential')).toBe(0);
    expect(count(out, 'databricks_grants')).toBe(0);
  });

  it('adds a service credential for event hubs and grants principals exactly what the job needs', () => {
    const out = synth({ serviceCredential: true, principals: ['job-sp'] });
    expect(out).toHaveResourceWithProperties(Credential, {
      name: 'iot-dev-eventhubs',
      purpose: 'SERVICE',
      azure_managed_identity: { access_connector_id: 'connector-id' },
    });
    const grants = Object.values(
      (JSON.parse(out) as { resource: Record<string, Record<string, Record<string, unknown>>> })
        .resource.databricks_grants,
    );
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          external_location: expect.stringMatching(/databricks_external_location\.[\w-]+\.name/),
          grant: [{ principal: 'job-sp', privileges: ['READ_FILES', 'WRITE_FILES'] }],
        },
        {
          credential: expect.stringMatching(/databricks_credential\.[\w-]+\.name/),
          grant: [{ principal: 'job-sp', privileges: ['ACCESS'] }],
        },
      ]),
    );
    expect(grants).toHaveLength(3);
  });

  it('rejects no locations, a url that is not abfss and a bad prefix', () => {
    const prop = (props: Partial<UnityCatalogCredentialsProps>) => {
      try {
        synth(props);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).prop;
      }
      return undefined;
    };
    expect(prop({ locations: {} })).toBe('locations');
    expect(prop({ locations: { lake: 'https://stlake.blob.core.windows.net/x' } })).toBe(
      'locations.lake',
    );
    expect(prop({ namePrefix: '-x' })).toBe('namePrefix');
  });
});
