import { readFileSync } from 'node:fs';
import { ConfigError, bool, int, loadConfig, port, str, url } from '../shared/config';
import type { ConfigOf } from '../shared/config';
import { kafkaConfigSpec } from '../shared/kafka';

/**
 * Splunk's rule for index names: lower-case letters, digits, underscores and hyphens, not
 * starting with an underscore or a hyphen (internal indexes start with `_`), at most 80 chars.
 */
export const SPLUNK_INDEX = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/** A source or source type: printable ASCII without spaces, at most 256 characters. */
const SPLUNK_NAME = /^[\x21-\x7e]{1,256}$/;

/** The forwarder's environment. */
export const forwarderConfigSpec = {
  /** Port of /livez, /readyz, /metrics (no other HTTP API). */
  PORT: port({ default: 8083 }),
  HOST: str({ default: '0.0.0.0' }),
  LOG_LEVEL: str({ default: 'info', pattern: /^(fatal|error|warn|info|debug|trace|silent)$/ }),
  CONSUMER_GROUP: str({ default: 'splunk-forwarder' }),
  /**
   * Base URL of the HTTP Event Collector, e.g. `https://hec.splunk.example.org:8088`; the
   * forwarder posts to `<base>/services/collector/event`. https is required unless
   * KAFKA_MODE=local (a developer machine with a local receiver).
   */
  SPLUNK_HEC_URL: url({ protocols: ['https:', 'http:'] }),
  /** File holding the HEC token (the Key Vault CSI mount in the cluster). */
  SPLUNK_HEC_TOKEN_FILE: str({ optional: true }),
  /** The HEC token itself, for local runs only (exactly one of the file or this). */
  SPLUNK_HEC_TOKEN: str({ optional: true, secret: true }),
  /** Index every event goes to; the token must allow it. */
  SPLUNK_INDEX: str({ pattern: SPLUNK_INDEX }),
  /** `source` of every event. */
  SPLUNK_SOURCE: str({ default: 'iot-streaming-platform', pattern: SPLUNK_NAME }),
  /** `sourcetype` of analysed readings. */
  SPLUNK_SOURCETYPE: str({ default: 'iot:telemetry:analyzed', pattern: SPLUNK_NAME }),
  /** `sourcetype` of alert transitions. */
  SPLUNK_ALERT_SOURCETYPE: str({ default: 'iot:alert', pattern: SPLUNK_NAME }),
  /** Most events in one HEC request. */
  SPLUNK_BATCH_MAX_EVENTS: int({ default: 500, min: 1, max: 100_000 }),
  /**
   * Most bytes in one HEC request body. Splunk's `max_content_length` (limits.conf) defaults
   * to far more; Splunk Cloud accepts 1 MB per request, hence the default below it.
   */
  SPLUNK_BATCH_MAX_BYTES: int({ default: 900_000, min: 1_000, max: 100_000_000 }),
  /** How long the first event of a batch waits for more before the batch is sent. */
  SPLUNK_BATCH_LINGER_MS: int({ default: 200, min: 0, max: 60_000 }),
  /**
   * Whether the token has indexer acknowledgement on (Splunk Enterprise). Off — Splunk Cloud
   * offers acks only to Firehose — a 200 from HEC counts as delivered: weaker, since HEC answers
   * before indexing.
   */
  SPLUNK_HEC_ACKS: bool({ default: true }),
  /** HEC batches awaiting their acknowledgement at the same time. */
  SPLUNK_MAX_IN_FLIGHT: int({ default: 4, min: 1, max: 64 }),
  /** Interval of `/services/collector/ack` polls while a batch awaits its acknowledgement. */
  SPLUNK_ACK_POLL_MS: int({ default: 500, min: 10, max: 60_000 }),
  /**
   * A batch not acknowledged this long is sent again (Splunk loses pending acks when an
   * indexer restarts); the event id bounds the duplicates this makes.
   */
  SPLUNK_ACK_TIMEOUT_MS: int({ default: 60_000, min: 100, max: 3_600_000 }),
  /** First retry delay after a 5xx, 429 or network error, doubled per attempt, with jitter. */
  SPLUNK_RETRY_INITIAL_MS: int({ default: 250, min: 1, max: 60_000 }),
  /** Longest retry delay (a Retry-After header may ask for more, up to 10 minutes). */
  SPLUNK_RETRY_MAX_MS: int({ default: 30_000, min: 1, max: 600_000 }),
  /** Timeout of one HEC request. */
  SPLUNK_REQUEST_TIMEOUT_MS: int({ default: 30_000, min: 100, max: 600_000 }),
  /** Partitions handled concurrently (each adds its records to the shared batches). */
  PARTITIONS_CONCURRENTLY: int({ default: 6, min: 1, max: 64 }),
  SHUTDOWN_TIMEOUT_MS: int({ default: 25_000, min: 1000, max: 600_000 }),
  ...kafkaConfigSpec,
};

/** The forwarder's typed configuration, cross-variable checks included. */
export type ForwarderConfig = ConfigOf<typeof forwarderConfigSpec> & {
  /** Reads the token now (the file may be rotated by the CSI driver). */
  readonly readToken: () => string;
};

/** Reads a token file: its content, trimmed; an empty file is an error. */
export function readTokenFile(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw new Error('the file is empty');
  return token;
}

/**
 * Loads and checks the forwarder's configuration: the spec, then what crosses variables (https
 * outside local, exactly one token source, a readable token file).
 * @throws ConfigError listing every bad variable.
 */
export function loadForwarderConfig(env: NodeJS.ProcessEnv = process.env): ForwarderConfig {
  const config = loadConfig(forwarderConfigSpec, env);
  const issues: { variable: string; value: string; reason: string }[] = [];
  const hec = new URL(config.SPLUNK_HEC_URL);
  if (hec.protocol !== 'https:' && config.KAFKA_MODE !== 'local') {
    issues.push({
      variable: 'SPLUNK_HEC_URL',
      value: JSON.stringify(config.SPLUNK_HEC_URL),
      reason: `must be an https:// URL with KAFKA_MODE=${config.KAFKA_MODE} (http only for local runs)`,
    });
  }
  if (hec.username || hec.password || hec.search || hec.hash) {
    issues.push({
      variable: 'SPLUNK_HEC_URL',
      value: '(redacted)',
      reason: 'must be a base URL without credentials, query or fragment (the token is a header)',
    });
  }
  if (/\/services\/collector/.test(hec.pathname)) {
    issues.push({
      variable: 'SPLUNK_HEC_URL',
      value: JSON.stringify(config.SPLUNK_HEC_URL),
      reason: 'must be the base URL; the forwarder appends /services/collector/event itself',
    });
  }
  const file = config.SPLUNK_HEC_TOKEN_FILE;
  const inline = config.SPLUNK_HEC_TOKEN;
  if ((file === undefined) === (inline === undefined)) {
    issues.push({
      variable: 'SPLUNK_HEC_TOKEN_FILE',
      value: file === undefined ? '<unset>' : JSON.stringify(file),
      reason:
        file === undefined
          ? 'is required (or SPLUNK_HEC_TOKEN for local runs): the forwarder needs a HEC token'
          : 'and SPLUNK_HEC_TOKEN are both set: set exactly one',
    });
  } else if (inline !== undefined && config.KAFKA_MODE !== 'local') {
    issues.push({
      variable: 'SPLUNK_HEC_TOKEN',
      value: '<redacted>',
      reason: 'is for local runs only: in the cluster the token comes from SPLUNK_HEC_TOKEN_FILE',
    });
  } else if (file !== undefined) {
    try {
      readTokenFile(file);
    } catch (error) {
      issues.push({
        variable: 'SPLUNK_HEC_TOKEN_FILE',
        value: JSON.stringify(file),
        reason: `cannot be read: ${(error as Error).message}`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...config,
    readToken: file !== undefined ? () => readTokenFile(file) : () => inline!,
  };
}
