import { authHeaders, telemetryUrl } from './cli';

describe('simulator CLI', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/v1/telemetry'],
    [
      'https://apim-iot-dev.azure-api.net/telemetry',
      'https://apim-iot-dev.azure-api.net/telemetry/v1/telemetry',
    ],
    [
      'https://apim-iot-dev.azure-api.net/telemetry/',
      'https://apim-iot-dev.azure-api.net/telemetry/v1/telemetry',
    ],
  ])('posts readings under the base URL %s', (base, expected) => {
    expect(telemetryUrl(new URL(base)).toString()).toBe(expected);
  });

  it('takes gateway credentials from the environment only', () => {
    expect(authHeaders({})).toEqual({});
    expect(authHeaders({ APIM_SUBSCRIPTION_KEY: 'k', INGEST_BEARER_TOKEN: 't' })).toEqual({
      'ocp-apim-subscription-key': 'k',
      authorization: 'Bearer t',
    });
  });
});
