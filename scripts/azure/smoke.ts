/**
 * The deploy stages' smoke test: posts readings for a fresh device through API Management,
 * injects one spike, and waits for that device's alert on the dashboard's live stream
 * (`GET /api/stream`, Server-Sent Events). It proves the deployed chain end to end: gateway →
 * ingest → Kafka → analysis → processing → Redis → web.
 *
 *   APIM_SUBSCRIPTION_KEY=… DASHBOARD_BEARER_TOKEN=… npx tsx scripts/azure/smoke.ts \
 *     --ingest-url https://apim-iot-dev-7k2q.azure-api.net/telemetry \
 *     --dashboard-url https://app-iot-dev-7k2q.azurewebsites.net --timeout 120
 *
 * Credentials come from the environment only: APIM_SUBSCRIPTION_KEY (or INGEST_BEARER_TOKEN) for
 * the gateway, DASHBOARD_BEARER_TOKEN for the dashboard's Entra sign-in (an access token for the
 * sign-in app registration). Exit codes:
 *   0  the spike's alert arrived on the stream (prints the latency from the spike's 202)
 *   1  no alert for the device within --timeout seconds
 *   2  usage: a missing or malformed argument
 *   3  the gateway refused the readings (a final status other than 202, after retries)
 *   4  the stream could not be opened (not 200 text/event-stream) or ended before the alert
 */
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { SendStats, postBatch } from '../../workloads/simulator/sender';
import { authHeaders, telemetryUrl } from '../../workloads/simulator/cli';

/** Exit codes of the smoke test (see the header). */
export const EXIT = { ok: 0, noAlert: 1, usage: 2, ingestRefused: 3, stream: 4 } as const;

/** A failure with the exit code it maps to. */
export class SmokeError extends Error {
  constructor(
    readonly code: (typeof EXIT)[keyof typeof EXIT],
    message: string,
  ) {
    super(message);
  }
}

/** What the smoke test needs, parsed once. */
export interface SmokeOptions {
  /** Base URL of the ingest API (`<gateway>/telemetry`); `/v1/telemetry` is appended. */
  readonly ingestUrl: URL;
  /** Base URL of the dashboard; the stream is `<url>/api/stream`. */
  readonly dashboardUrl: URL;
  readonly timeoutMs: number;
  /** Headers for the gateway (subscription key or bearer token). */
  readonly ingestHeaders: OutgoingHttpHeaders;
  /** Headers for the dashboard (bearer token for its Entra sign-in). */
  readonly dashboardHeaders: OutgoingHttpHeaders;
  /** Device id the readings are posted for. @default - `smoke-<12 hex>`, new per run */
  readonly deviceId?: string;
  /** Readings before the spike: past the detector's warm-up. @default 40 */
  readonly baselineReadings?: number;
}

function url(value: string | undefined, name: string): URL {
  if (!value) throw new SmokeError(EXIT.usage, `--${name} is required`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new SmokeError(
      EXIT.usage,
      `--${name} must be an http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new SmokeError(
      EXIT.usage,
      `--${name} must be an http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  if (u.username || u.password) {
    throw new SmokeError(EXIT.usage, `--${name} must not carry credentials (use the environment)`);
  }
  return u;
}

/** Parses the command line and the credentials in the environment; throws SmokeError(usage). */
export function parseSmokeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SmokeOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'ingest-url': { type: 'string' },
        'dashboard-url': { type: 'string' },
        timeout: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new SmokeError(EXIT.usage, (e as Error).message);
  }
  const timeout = values.timeout === undefined ? 180 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) {
    throw new SmokeError(
      EXIT.usage,
      `--timeout must be seconds in (0, 3600], got ${JSON.stringify(values.timeout)}`,
    );
  }
  const dashboardHeaders: OutgoingHttpHeaders = {};
  if (env.DASHBOARD_BEARER_TOKEN) {
    dashboardHeaders.authorization = `Bearer ${env.DASHBOARD_BEARER_TOKEN}`;
  }
  return {
    ingestUrl: url(values['ingest-url'], 'ingest-url'),
    dashboardUrl: url(values['dashboard-url'], 'dashboard-url'),
    timeoutMs: timeout * 1000,
    ingestHeaders: authHeaders(env),
    dashboardHeaders,
  };
}

/** One Server-Sent Event. */
export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/**
 * The SSE wire format, fed in chunks as they arrive: `field: value` lines, a blank line ends an
 * event, `:` starts a comment, CRLF or LF line ends; `data` lines join with `\n`; an event
 * without `event:` is a `message`.
 */
export class SseParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const eol = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + eol);
      if (line === '') {
        if (this.current.data.length > 0) {
          out.push({
            ...(this.current.id !== undefined ? { id: this.current.id } : {}),
            event: this.current.event ?? 'message',
            data: this.current.data.join('\n'),
          });
        }
        this.current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.current.data.push(value);
      else if (field === 'event') this.current.event = value;
      else if (field === 'id') this.current.id = value;
    }
    return out;
  }
}

/** The alert for `deviceId` in an `alert` event, or undefined (other devices, other events). */
export function alertFor(e: SseEvent, deviceId: string): Record<string, unknown> | undefined {
  if (e.event !== 'alert') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.data);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' &&
    parsed !== null &&
    (parsed as { deviceId?: unknown }).deviceId === deviceId
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/** Opens the stream; resolves once it answered 200 text/event-stream. */
function openStream(options: SmokeOptions): Promise<IncomingMessage> {
  const streamUrl = new URL(options.dashboardUrl);
  streamUrl.pathname = `${streamUrl.pathname.replace(/\/+$/, '')}/api/stream`;
  const request = streamUrl.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      streamUrl,
      { headers: { ...options.dashboardHeaders, accept: 'text/event-stream' } },
      (res) => {
        const type = String(res.headers['content-type'] ?? '');
        if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
          res.resume();
          reject(
            new SmokeError(
              EXIT.stream,
              `${streamUrl.href} answered ${res.statusCode} ${type || '(no content type)'}, not a 200 event stream`,
            ),
          );
          return;
        }
        resolve(res);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (e) =>
      reject(new SmokeError(EXIT.stream, `${streamUrl.href}: ${(e as Error).message}`)),
    );
    req.end();
  });
}

/** What a passing smoke test saw. */
export interface SmokeResult {
  readonly deviceId: string;
  /** From the spike's 202 to its alert on the stream. */
  readonly latencyMs: number;
  readonly alert: Record<string, unknown>;
}

/**
 * Runs the smoke test: stream first (so the alert cannot be missed), then the baseline readings
 * and the spike through the gateway, then waits for the device's alert. Rejects with a
 * {@link SmokeError} carrying the exit code.
 */
export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const deviceId = options.deviceId ?? `smoke-${randomBytes(6).toString('hex')}`;
  const n = options.baselineReadings ?? 40;
  const stream = await openStream(options);
  const deadline = Date.now() + options.timeoutMs;
  let spikeAcceptedAt = 0;
  const seen = new Promise<{ alert: Record<string, unknown>; at: number }>((resolve, reject) => {
    const parser = new SseParser();
    const timer = setTimeout(
      () =>
        reject(
          new SmokeError(
            EXIT.noAlert,
            `no alert for ${deviceId} within ${Math.round(options.timeoutMs / 1000)} s`,
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const e of parser.push(chunk)) {
        const alert = alertFor(e, deviceId);
        if (alert) {
          clearTimeout(timer);
          resolve({ alert, at: Date.now() });
        }
      }
    });
    const ended = (why: string) => {
      clearTimeout(timer);
      reject(new SmokeError(EXIT.stream, `the stream ${why} before the alert for ${deviceId}`));
    };
    stream.on('end', () => ended('ended'));
    stream.on('error', (e) => ended(`failed (${e.message})`));
  });
  // A rejection before we await it (stream ended while posting) must not go unhandled.
  seen.catch(() => undefined);
  try {
    const target = telemetryUrl(options.ingestUrl);
    const agent =
      target.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true })
        : new HttpAgent({ keepAlive: true });
    const stats = new SendStats();
    const t0 = Date.now() - (n + 1) * 1000;
    // Values that vary a little, as sensors do, so the detector has a spread to score against.
    const readings = Array.from({ length: n }, (_, i) => ({
      deviceId,
      ts: new Date(t0 + i * 1000).toISOString(),
      seq: i,
      metrics: {
        temperature: 20 + (i % 3) * 0.5,
        humidity: 40 + (i % 5),
        vibration: 0.25 + (i % 2) * 0.05,
      },
    }));
    const spike = {
      deviceId,
      ts: new Date(t0 + n * 1000).toISOString(),
      seq: n,
      metrics: { temperature: 120, humidity: 41, vibration: 7.5 },
    };
    const send = async (batch: object[]) => {
      const status = await postBatch(
        { body: JSON.stringify(batch), count: batch.length, contentType: 'application/json' },
        { url: target, agent, stats, headers: options.ingestHeaders },
      );
      if (status !== 202) {
        throw new SmokeError(
          EXIT.ingestRefused,
          `${target.href} answered ${status || 'no response'} for ${batch.length} reading(s): ${stats.lastProblem ?? ''}`.trim(),
        );
      }
    };
    await send(readings);
    await send([spike]);
    spikeAcceptedAt = Date.now();
    agent.destroy();
    const { alert, at } = await seen;
    return { deviceId, latencyMs: at - spikeAcceptedAt, alert };
  } finally {
    stream.destroy();
  }
}

async function main(): Promise<number> {
  let options: SmokeOptions;
  try {
    options = parseSmokeArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`smoke: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  try {
    const r = await runSmoke(options);
    process.stdout.write(
      `smoke: alert for ${r.deviceId} on the dashboard stream ${r.latencyMs} ms after the spike's 202 (${String(r.alert.rule ?? '')} on ${String(r.alert.metric ?? '')})\n`,
    );
    return EXIT.ok;
  } catch (e) {
    process.stderr.write(`smoke: ${(e as Error).message}\n`);
    return e instanceof SmokeError ? e.code : EXIT.stream;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
