/**
 * Device simulator CLI:
 *   npm run simulate -- --devices 50 --rate 200 --duration 60 --anomaly-rate 0.01 --url http://127.0.0.1:8080
 * Generates readings at a steady rate, posts them in batches, shows progress on one line and
 * prints a summary. Exit code 0 when every request was answered 202/400, 1 otherwise, 2 on bad
 * arguments.
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Fleet, toBodies } from './generator';
import type { BatchFormat } from './generator';
import type { ReadingInput } from '../shared/schema';
import { SendStats, postBatch } from './sender';

const USAGE = `usage: npm run simulate -- [options]
  --url URL             ingest base URL (default http://127.0.0.1:8080); through API Management:
                        https://<apim>.azure-api.net/telemetry (readings go to <url>/v1/telemetry)
  --devices N           fleet size (default 50)
  --rate N              readings per second, whole fleet (default 200)
  --duration S          seconds to run (default 60)
  --anomaly-rate P      probability per reading of starting a spike or drift (default 0.01)
  --spike-device ID     inject one spike on this device after --spike-after readings of it
  --spike-after N       (default 40, past the detector's warm-up)
  --batch N             readings per request (default 100)
  --linger MS           max wait to fill a batch (default 200)
  --format ndjson|json  body format (default ndjson)
  --concurrency N       requests in flight (default 4)
  --seed N              PRNG seed (default 1)
  --prefix P            device id prefix (default sim)
environment (kept out of the command line and shell history):
  APIM_SUBSCRIPTION_KEY sent as Ocp-Apim-Subscription-Key (API Management products)
  INGEST_BEARER_TOKEN   sent as Authorization: Bearer (API Management's Entra validate-jwt mode)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function numberArg(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    fail(`--${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** `<base>/v1/telemetry`, keeping the base's path (API Management serves the API under one). */
export function telemetryUrl(base: URL): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/telemetry`;
  return url;
}

/** Gateway credentials from the environment, never from arguments. */
export function authHeaders(env: NodeJS.ProcessEnv): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (env.APIM_SUBSCRIPTION_KEY) headers['ocp-apim-subscription-key'] = env.APIM_SUBSCRIPTION_KEY;
  if (env.INGEST_BEARER_TOKEN) headers.authorization = `Bearer ${env.INGEST_BEARER_TOKEN}`;
  return headers;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        devices: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        'anomaly-rate': { type: 'string' },
        'spike-device': { type: 'string' },
        'spike-after': { type: 'string' },
        linger: { type: 'string' },
        batch: { type: 'string' },
        format: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
        prefix: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let base: URL;
  try {
    base = new URL(values.url ?? 'http://127.0.0.1:8080');
  } catch {
    fail(`--url must be a URL, got ${JSON.stringify(values.url)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    fail(`--url must be http:// or https://, got ${JSON.stringify(values.url)}`);
  }
  const devices = Math.floor(numberArg(values.devices, 'devices', 50, 1));
  const rate = numberArg(values.rate, 'rate', 200, 0.1);
  const durationS = numberArg(values.duration, 'duration', 60, 0.1);
  const anomalyRate = numberArg(values['anomaly-rate'], 'anomaly-rate', 0.01, 0);
  const batchSize = Math.floor(numberArg(values.batch, 'batch', 100, 1));
  const concurrency = Math.floor(numberArg(values.concurrency, 'concurrency', 4, 1));
  const spikeAfter = Math.floor(numberArg(values['spike-after'], 'spike-after', 40, 0));
  const lingerMs = numberArg(values.linger, 'linger', 200, 0);
  const seed = Math.floor(numberArg(values.seed, 'seed', 1, 0));
  const format = (values.format ?? 'ndjson') as BatchFormat;
  if (format !== 'ndjson' && format !== 'json') fail(`--format must be ndjson or json`);
  if (anomalyRate > 1) fail('--anomaly-rate must be at most 1');

  const fleet = new Fleet({ devices, anomalyRate, seed, prefix: values.prefix });
  const spikeDevice = values['spike-device'];
  if (spikeDevice && !fleet.devices.some((d) => d.id === spikeDevice)) {
    fail(
      `--spike-device ${spikeDevice} is not in the fleet (ids ${fleet.devices[0].id} … ${fleet.devices[devices - 1].id})`,
    );
  }
  const url = telemetryUrl(base);
  const agent =
    url.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency })
      : new Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = authHeaders(process.env);
  const stats = new SendStats();
  const tty = process.stdout.isTTY;
  const started = Date.now();
  const deadline = started + durationS * 1000;
  let generated = 0;
  let spikeSent = false;
  let stopping = false;
  const inFlight = new Set<Promise<unknown>>();
  const pending: Array<{ body: string; count: number; contentType: string }> = [];
  let behind = 0;
  const buffered: ReadingInput[] = [];
  let lastFlush = Date.now();

  const progress = (final = false) => {
    const elapsed = (Date.now() - started) / 1000;
    const line =
      `sent ${stats.sentReadings} accepted ${stats.acceptedReadings} rejected ${stats.rejectedReadings} ` +
      `503s ${stats.status503} 429s ${stats.status429} failed ${stats.failedRequests} | ${(stats.acceptedReadings / Math.max(elapsed, 0.001)).toFixed(0)}/s ` +
      `| p50 ${stats.percentile(50).toFixed(1)} ms p99 ${stats.percentile(99).toFixed(1)} ms | ${elapsed.toFixed(0)}/${durationS}s`;
    // A terminal gets one updating line; a log file gets a line every 5 s.
    if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else process.stdout.write(`${line}\n`);
  };
  const progressTimer = setInterval(progress, tty ? 500 : 5000);
  process.once('SIGINT', () => {
    stopping = true;
  });

  // Generate on a 50 ms tick at the target rate; send whenever a slot is free.
  while (!stopping && Date.now() < deadline) {
    const owed = Math.floor(((Date.now() - started) / 1000) * rate) - generated;
    if (owed > 0) {
      const now = Date.now();
      if (spikeDevice && !spikeSent) {
        const d = fleet.devices.find((x) => x.id === spikeDevice)!;
        if (d.seq >= spikeAfter) spikeSent = fleet.requestSpike(spikeDevice);
      }
      buffered.push(...fleet.take(owed, now));
      generated += owed;
    }
    // Full batches go at once; a partial one waits up to --linger ms, like a gateway would.
    const full = Math.floor(buffered.length / batchSize) * batchSize;
    if (full > 0 || (buffered.length > 0 && Date.now() - lastFlush >= lingerMs)) {
      const n = full > 0 ? full : buffered.length;
      pending.push(...toBodies(buffered.splice(0, n), batchSize, format));
      lastFlush = Date.now();
    }
    while (pending.length > 0 && inFlight.size < concurrency) {
      const p = postBatch(pending.shift()!, { url, agent, stats, headers }).finally(() =>
        inFlight.delete(p),
      );
      inFlight.add(p);
    }
    // If ingest cannot keep up, drop the oldest unsent batches rather than grow without bound.
    while (pending.length > concurrency * 50) {
      behind += pending.shift()!.count;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (buffered.length > 0) pending.push(...toBodies(buffered.splice(0), batchSize, format));
  while (pending.length > 0 || inFlight.size > 0) {
    while (pending.length > 0 && inFlight.size < concurrency) {
      const p = postBatch(pending.shift()!, { url, agent, stats, headers }).finally(() =>
        inFlight.delete(p),
      );
      inFlight.add(p);
    }
    await Promise.race(inFlight);
  }
  clearInterval(progressTimer);
  progress(true);
  agent.destroy();

  const elapsed = (Date.now() - started) / 1000;
  const kinds = fleet.injected.reduce<Record<string, number>>((acc, a) => {
    acc[a.kind] = (acc[a.kind] ?? 0) + 1;
    return acc;
  }, {});
  const summary = {
    url: url.toString(),
    devices,
    seconds: Number(elapsed.toFixed(1)),
    generated,
    sent: stats.sentReadings,
    accepted: stats.acceptedReadings,
    rejected: stats.rejectedReadings,
    droppedBehind: behind,
    requests: stats.requests,
    status503: stats.status503,
    status429: stats.status429,
    retries: stats.retries,
    failedRequests: stats.failedRequests,
    acceptedPerSecond: Number((stats.acceptedReadings / elapsed).toFixed(1)),
    latencyMs: {
      p50: Number(stats.percentile(50).toFixed(1)),
      p95: Number(stats.percentile(95).toFixed(1)),
      p99: Number(stats.percentile(99).toFixed(1)),
    },
    anomaliesInjected: kinds,
    spikes: fleet.injected.filter((a) => a.kind === 'spike').slice(0, 10),
    ...(stats.lastProblem ? { lastProblem: stats.lastProblem } : {}),
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = stats.failedRequests > 0 ? 1 : 0;
}

if (require.main === module) void main();
