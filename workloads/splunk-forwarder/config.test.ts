import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../shared/config';
import { loadForwarderConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'splunk-config-'));
const tokenFile = join(dir, 'hec-token');
writeFileSync(tokenFile, 'file-token\n');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, ' \n');

const base = {
  SPLUNK_HEC_URL: 'https://hec.splunk.contoso.com:8088',
  SPLUNK_HEC_TOKEN_FILE: tokenFile,
  SPLUNK_INDEX: 'iot',
  KAFKA_MODE: 'hdinsight',
  KAFKA_BROKERS: 'b0:9093',
};

function issues(env: Record<string, string>): string[] {
  try {
    loadForwarderConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.variable}=${i.value}: ${i.reason}`);
  }
  return [];
}

describe('loadForwarderConfig', () => {
  it('reads the token from the mounted file, with the defaults', () => {
    const config = loadForwarderConfig(base);
    expect(config.readToken()).toBe('file-token');
    expect(config).toMatchObject({
      PORT: 8083,
      CONSUMER_GROUP: 'splunk-forwarder',
      SPLUNK_SOURCE: 'iot-streaming-platform',
      SPLUNK_SOURCETYPE: 'iot:telemetry:analyzed',
      SPLUNK_ALERT_SOURCETYPE: 'iot:alert',
      SPLUNK_HEC_ACKS: true,
      SPLUNK_BATCH_MAX_EVENTS: 500,
      SPLUNK_BATCH_MAX_BYTES: 900_000,
      SPLUNK_BATCH_LINGER_MS: 200,
    });
  });

  it('re-reads the token file on each call (the CSI driver rotates it in place)', () => {
    const rotating = join(dir, 'rotating');
    writeFileSync(rotating, 'one');
    const config = loadForwarderConfig({ ...base, SPLUNK_HEC_TOKEN_FILE: rotating });
    writeFileSync(rotating, 'two');
    expect(config.readToken()).toBe('two');
  });

  it('allows http and an inline token only locally', () => {
    const config = loadForwarderConfig({
      SPLUNK_HEC_URL: 'http://127.0.0.1:8088',
      SPLUNK_HEC_TOKEN: 'local-token',
      SPLUNK_INDEX: 'iot',
    });
    expect(config.readToken()).toBe('local-token');
  });

  it.each([
    [
      { SPLUNK_HEC_URL: 'http://hec.splunk.contoso.com:8088' },
      'SPLUNK_HEC_URL="http://hec.splunk.contoso.com:8088": must be an https:// URL with KAFKA_MODE=hdinsight (http only for local runs)',
    ],
    [{ SPLUNK_HEC_URL: 'ftp://x' }, 'SPLUNK_HEC_URL="ftp://x": must be a URL (https: or http:)'],
    [
      { SPLUNK_HEC_URL: 'https://hec.splunk.contoso.com/services/collector/event' },
      'SPLUNK_HEC_URL="https://hec.splunk.contoso.com/services/collector/event": must be the base URL; the forwarder appends /services/collector/event itself',
    ],
    [
      { SPLUNK_HEC_URL: 'https://u:p@hec.splunk.contoso.com' },
      'SPLUNK_HEC_URL=(redacted): must be a base URL without credentials, query or fragment (the token is a header)',
    ],
    [
      { SPLUNK_INDEX: '_internal' },
      expect.stringMatching(/^SPLUNK_INDEX="_internal": must be a string matching/),
    ],
    [
      { SPLUNK_INDEX: 'IoT' },
      expect.stringMatching(/^SPLUNK_INDEX="IoT": must be a string matching/),
    ],
    [
      { SPLUNK_SOURCETYPE: 'has space' },
      expect.stringMatching(/^SPLUNK_SOURCETYPE="has space": must be/),
    ],
    [
      { SPLUNK_BATCH_MAX_EVENTS: '0' },
      'SPLUNK_BATCH_MAX_EVENTS="0": must be an integer from 1 to 100000',
    ],
    [
      { SPLUNK_BATCH_LINGER_MS: 'soon' },
      'SPLUNK_BATCH_LINGER_MS="soon": must be an integer from 0 to 60000',
    ],
    [
      { SPLUNK_HEC_TOKEN_FILE: '' },
      'SPLUNK_HEC_TOKEN_FILE=<unset>: is required (or SPLUNK_HEC_TOKEN for local runs): the forwarder needs a HEC token',
    ],
    [
      { SPLUNK_HEC_TOKEN: 'inline' },
      `SPLUNK_HEC_TOKEN_FILE="${tokenFile}": and SPLUNK_HEC_TOKEN are both set: set exactly one`,
    ],
    [
      { SPLUNK_HEC_TOKEN_FILE: '', SPLUNK_HEC_TOKEN: 'inline' },
      'SPLUNK_HEC_TOKEN=<redacted>: is for local runs only: in the cluster the token comes from SPLUNK_HEC_TOKEN_FILE',
    ],
    [
      { SPLUNK_HEC_TOKEN_FILE: emptyFile },
      `SPLUNK_HEC_TOKEN_FILE="${emptyFile}": cannot be read: the file is empty`,
    ],
    [
      { SPLUNK_HEC_TOKEN_FILE: join(dir, 'missing') },
      expect.stringMatching(/^SPLUNK_HEC_TOKEN_FILE=".*missing": cannot be read: ENOENT/),
    ],
  ])('refuses %j', (overrides, message) => {
    expect(issues({ ...base, ...overrides })).toEqual([message]);
  });

  it('names a missing HEC URL and index', () => {
    expect(issues({ SPLUNK_HEC_TOKEN: 'x' })).toEqual([
      expect.stringMatching(/^SPLUNK_HEC_URL=<unset>: is required/),
      expect.stringMatching(/^SPLUNK_INDEX=<unset>: is required/),
    ]);
  });
});
