import { loadConfig } from './config';
import { BULK_CHUNK, cosmosConfigSpec, createCosmosClient, isLocalEndpoint } from './cosmos';

describe('cosmos settings', () => {
  it('treats plain http and loopback as local (endpoint discovery off)', () => {
    expect(isLocalEndpoint('http://127.0.0.1:8081')).toBe(true);
    expect(isLocalEndpoint('https://localhost:8081/')).toBe(true);
    expect(isLocalEndpoint('https://iot.documents.azure.com:443/')).toBe(false);
  });

  it('builds a key-auth client without discovery for the stand-in', () => {
    const client = createCosmosClient({ endpoint: 'http://127.0.0.1:1', key: 'a2V5' });
    const policy = (
      client as unknown as { clientContext: { connectionPolicy: Record<string, unknown> } }
    ).clientContext.connectionPolicy;
    expect(policy.enableEndpointDiscovery).toBe(false);
    expect(policy.requestTimeout).toBe(5000);
    client.dispose();
  });

  it('requires an endpoint and defaults the database and container', () => {
    expect(() => loadConfig(cosmosConfigSpec, { COSMOS_KEY: 'c2VjcmV0' })).toThrow(
      /COSMOS_ENDPOINT=<unset>: is required/,
    );
    const config = loadConfig(cosmosConfigSpec, {
      COSMOS_ENDPOINT: 'https://a.documents.azure.com',
    });
    expect(config).toMatchObject({
      COSMOS_DATABASE: 'iot',
      COSMOS_CONTAINER: 'readings',
      COSMOS_CREATE_IF_MISSING: false,
    });
    expect(BULK_CHUNK).toBe(100);
  });
});
