/**
 * `npm run chaos`: the data path through faults, counted (issue 10 §2; ADR 0018).
 *
 *   npm run chaos                                   # 15,000 readings at 80/s, 8 faults
 *   npm run chaos -- --readings 3000 --rate 50 --seed 7 --json --out .cache/chaos/report.json
 *
 * Starts its own Kafka, PostgreSQL, Redis and Cosmos stand-in (free ports, its own folder), builds
 * the workloads to JavaScript when a source is newer than the build, starts the four services
 * from `dist/` under the same supervisor as `npm run local`, and sends a known set of readings
 * (each with its own reading id) at a steady rate through ingest. While it sends, it SIGKILLs
 * each service once (the supervisor restarts it) and restarts each engine once, one fault at a
 * time, spread through the run. A POST that fails or times out is sent again with the same
 * readings, as a device would; only readings answered 202 count as accepted. Afterwards it waits
 * for the sinks to catch up (bounded) and counts, per sink, accepted vs stored: lost, duplicated
 * (exactly-once sinks) and redelivered (at-least-once topics), and the readiness transitions
 * seen during each engine's outage.
 *
 * Exit 0 when nothing was lost or duplicated and the run was whole (every reading accepted, no
 * service exited on its own, readiness red during each outage and green after); 1 otherwise;
 * 2 on bad arguments.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { readingId } from '../workloads/shared/ids';
import { CosmosClient } from '@azure/cosmos';
import { STAND_IN_COSMOS_KEY, startCosmos } from './engines/cosmos';
import { startKafka } from './engines/kafka';
import { startPostgres } from './engines/postgres';
import { freePort, spawnManaged, tail } from './engines/process';
import { startRedis } from './engines/redis';
import type { EngineContext, RunningEngine } from './engines/types';
import { parseChaosArgs, USAGE, UsageError } from './chaos/options';
import type { ChaosOptions } from './chaos/options';
import { DEPENDENTS, ENGINES, SERVICES, faultSchedule, seededRandom } from './chaos/schedule';
import type { ChaosEngineName, FaultName, ServiceName } from './chaos/schedule';
import { tallyCounts, tallySink } from './chaos/tally';
import type { SinkTally } from './chaos/tally';
import { TcpProxy } from './chaos/tcp-proxy';
import { Supervisor } from './supervisor';
import { serviceNodeArgs } from './bench-lib';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist', 'workloads');
const BUILD_STAMP = join(DIST, '.chaos-build-stamp');

/** Bounds of each step, in ms: every wait of the run has one. */
const SERVICE_READY_MS = 90_000;
const HOLD_UNTIL_RED_MS = 30_000;
const GREEN_AGAIN_MS = 120_000;
const POST_TIMEOUT_MS = 15_000;
const RETRY_AFTER_SEND_MS = 180_000;
const MAX_IN_FLIGHT = 64;
const READINESS_POLL_MS = 250;

type Readiness = 'green' | 'red' | 'down';

/** One reading as a device sends it, and the id ingest derives from it. */
interface ChaosReading {
  readonly id: string;
  readonly body: { deviceId: string; ts: string; seq: number; metrics: { temp: number } };
}

/** What happened to one fault. */
export interface FaultReport {
  readonly fault: FaultName;
  readonly plannedAtMs: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Engine stopped → answering again, or SIGKILL → the new process ready. */
  downMs: number;
  /** Whether readings were still being sent when the fault began. */
  duringTraffic: boolean;
  /** Per dependent service: red seen during the outage, and green again after it, ms from its start. */
  readonly readiness: { service: ServiceName; redAtMs?: number; greenAtMs?: number }[];
  problems: string[];
}

/** A service process that ended; `expected` when the run killed or stopped it. */
export interface ServiceExit {
  readonly service: ServiceName;
  readonly pid: number;
  readonly code: number | string;
  readonly atMs: number;
  readonly expected: boolean;
}

/** The machine-readable report (`--json`, `--out`). */
export interface ChaosReport {
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly options: ChaosOptions;
  readonly loadAverage: {
    readonly before: readonly number[];
    readonly after: readonly number[];
    readonly max1m: number;
  };
  readonly timingsMs: Record<string, number>;
  readonly sender: {
    readonly readings: number;
    readonly accepted: number;
    readonly notAccepted: number;
    readonly posts: number;
    readonly retriedPosts: number;
    readonly outcomes: Record<string, number>;
    readonly sendMs: number;
    readonly achievedRatePerSecond: number;
  };
  readonly faults: readonly FaultReport[];
  readonly sinks: readonly SinkTally[];
  readonly readinessTransitions: readonly {
    atMs: number;
    service: ServiceName;
    from: Readiness;
    to: Readiness;
  }[];
  readonly exits: readonly ServiceExit[];
  readonly logsDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loads = () => loadavg().map((l) => Math.round(l * 100) / 100);

let t0 = Date.now();
const now = () => Date.now() - t0;
const progress = (message: string) =>
  process.stderr.write(`chaos: +${(now() / 1000).toFixed(1)} s ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Build

/** Newest modification time under `dir` of files `keep` selects. */
function newestMtime(dir: string, keep: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') {
        newest = Math.max(newest, newestMtime(path, keep));
      }
    } else if (keep(path)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Compiles the workloads (tsc -p workloads/tsconfig.build.json, to dist/) when a source, a
 * migration, a static file or a tsconfig is newer than the last build, and copies what the
 * images copy beside the JavaScript (processing's migrations, web's public folder).
 * Returns whether it built.
 */
function buildIfStale(): boolean {
  const sources = Math.max(
    newestMtime(join(ROOT, 'workloads'), (f) => !f.endsWith('.test.ts')),
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
  );
  if (existsSync(BUILD_STAMP) && statSync(BUILD_STAMP).mtimeMs >= sources) return false;
  progress('building the workloads (tsc -p workloads/tsconfig.build.json)');
  try {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'workloads', 'tsconfig.build.json')],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`building the workloads failed:\n${out.slice(0, 4000)}`);
  }
  cpSync(
    join(ROOT, 'workloads', 'processing', 'migrations'),
    join(DIST, 'processing', 'migrations'),
    {
      recursive: true,
    },
  );
  cpSync(join(ROOT, 'workloads', 'web', 'public'), join(DIST, 'web', 'public'), {
    recursive: true,
  });
  writeFileSync(BUILD_STAMP, new Date().toISOString());
  return true;
}

// ---------------------------------------------------------------------------------------------
// Engines: the run's own, each restartable on its folder and port

interface OwnedEngine {
  readonly name: ChaosEngineName;
  readonly env: Record<string, string>;
  /** Where the run itself reads the engine (the Cosmos stand-in bypasses its proxy). */
  readonly directEndpoint?: string;
  /** Stops the engine, runs `whileDown`, starts it again on the same data and port. */
  restart(whileDown: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Restart by starting again on the same folder and port (PostgreSQL keeps its data, Redis does not). */
async function restartable(
  name: ChaosEngineName,
  start: (ctx: EngineContext) => Promise<RunningEngine>,
  dir: string,
): Promise<OwnedEngine> {
  const port = await freePort();
  let running = await start({ dir, port });
  return {
    name,
    env: running.env,
    restart: async (whileDown) => {
      await running.stop();
      await whileDown();
      running = await start({ dir, port });
    },
    stop: () => running.stop(),
  };
}

/** Ids of every document in the stand-in's readings container (one entry per document). */
async function cosmosIds(endpoint: string): Promise<string[]> {
  // The stand-in evaluates a query document by document (about 1 ms each on a busy machine):
  // tens of thousands take longer than the SDK's default 60 s request timeout.
  const client = new CosmosClient({
    endpoint,
    key: STAND_IN_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false, requestTimeout: 600_000 },
  });
  const container = client.database('iot').container('readings');
  const list = async (maxItemCount: number) => {
    const ids: string[] = [];
    const pages = container.items.query<{ id: string }>('SELECT c.id FROM c', { maxItemCount });
    while (pages.hasMoreResults()) {
      for (const r of (await pages.fetchNext()).resources) ids.push(r.id);
    }
    return ids;
  };
  try {
    // One page is the quickest; pages of 5,000 if the stand-in fails to answer it (seen once
    // with 31,000 documents).
    return await list(1_000_000).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 404) throw err;
      progress(`listing the Cosmos stand-in in one page failed (${String(err)}); paging`);
      return list(5000);
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return [];
    throw err;
  } finally {
    client.dispose();
  }
}

/**
 * The Cosmos stand-in behind a {@link TcpProxy}. Restart: cut the proxy (no write can land
 * any more), list what the stand-in holds (a real Cosmos DB keeps it across a restart; the
 * stand-in does not), stop it, start it empty on the same port, open the proxy again.
 */
async function cosmosEngine(dir: string, snapshots: string[][]): Promise<OwnedEngine> {
  const port = await freePort();
  let running = await startCosmos({ dir, port });
  const proxy = await TcpProxy.start(port);
  const direct = running.env.COSMOS_ENDPOINT!;
  return {
    name: 'cosmos',
    env: { ...running.env, COSMOS_ENDPOINT: `http://127.0.0.1:${proxy.port}` },
    directEndpoint: direct,
    restart: async (whileDown) => {
      await proxy.cut();
      try {
        // A request the stand-in had already read when its socket was reset still completes.
        await sleep(500);
        snapshots.push(await cosmosIds(direct));
      } finally {
        // Even when the listing failed (the run then fails on it), the stand-in comes back.
        await running.stop();
        await whileDown();
        running = await startCosmos({ dir, port });
        await proxy.resume();
      }
    },
    stop: async () => {
      await proxy.close();
      await running.stop();
    },
  };
}

async function startOwnEngines(
  base: string,
  cosmosSnapshots: string[][],
): Promise<Record<ChaosEngineName, OwnedEngine>> {
  const dirFor = (name: string) => {
    const d = join(base, name);
    mkdirSync(d, { recursive: true, mode: 0o711 });
    return d;
  };
  const kafkaStart = async (): Promise<OwnedEngine> => {
    const k = await startKafka({ dir: dirFor('kafka'), port: await freePort() });
    return {
      name: 'kafka',
      env: k.env,
      restart: (whileDown) => k.restart!(whileDown),
      stop: () => k.stop(),
    };
  };
  const results = await Promise.allSettled([
    kafkaStart(),
    restartable('postgres', startPostgres, dirFor('postgres')),
    restartable('redis', startRedis, dirFor('redis')),
    cosmosEngine(dirFor('cosmos'), cosmosSnapshots),
  ]);
  const up = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(up.map((e) => e.stop()));
    throw failed.reason;
  }
  return Object.fromEntries(up.map((e) => [e.name, e])) as Record<ChaosEngineName, OwnedEngine>;
}

// ---------------------------------------------------------------------------------------------
// Services: compiled JavaScript under the supervisor of `npm run local`

interface OwnedService {
  readonly name: ServiceName;
  readonly url: string;
  readonly supervisor: Supervisor;
  readonly logFile: string;
}

async function readinessOf(url: string): Promise<Readiness> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200 ? 'green' : 'red';
  } catch {
    return 'down';
  }
}

async function isLive(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/livez`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The run

/** The readings of a run: deterministic from the seed. */
function makeReadings(options: ChaosOptions, startMs: number): ChaosReading[] {
  const random = seededRandom(options.seed);
  const perDevice = Math.ceil(options.readings / options.devices);
  // One reading per device and second, ending now: all in the past, none rejected as future.
  const baseMs = Math.floor(startMs / 1000) * 1000 - perDevice * 1000;
  const readings: ChaosReading[] = [];
  for (let i = 0; i < options.readings; i++) {
    const device = i % options.devices;
    const seq = Math.floor(i / options.devices);
    const body = {
      deviceId: `chaos-${options.seed}-${device}`,
      ts: new Date(baseMs + seq * 1000).toISOString(),
      seq,
      metrics: { temp: Math.round((20 + 4 * (random() - 0.5)) * 100) / 100 },
    };
    readings.push({ id: readingId(body), body });
  }
  return readings;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  t0 = Date.now();
  const timings: Record<string, number> = {};
  const failures: string[] = [];
  const loadBefore = loads();
  let maxLoad = loadBefore[0]!;
  const loadTimer = setInterval(() => (maxLoad = Math.max(maxLoad, loadavg()[0]!)), 2000);
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const logsDir = join(ROOT, '.cache', 'chaos', runId);
  mkdirSync(logsDir, { recursive: true });
  const engineBase = mkdtempSync(join(tmpdir(), 'chaos-engines-'));
  // PostgreSQL runs as a non-root user when we are root: it must traverse to its own folder.
  execFileSync('chmod', ['0711', engineBase]);
  progress(
    `${options.readings} readings at ${options.ratePerSecond}/s over ${options.devices} devices, ` +
      `seed ${options.seed}, faults ${options.faults.join(' ')}; load average ${loadBefore.join(' ')}`,
  );

  let step = Date.now();
  const mark = (name: string) => {
    timings[name] = Date.now() - step;
    step = Date.now();
  };
  buildIfStale();
  mark('buildMs');

  const cosmosSnapshots: string[][] = [];
  const engines = await startOwnEngines(engineBase, cosmosSnapshots);
  mark('enginesMs');
  progress(`engines ready in ${(timings.enginesMs! / 1000).toFixed(1)} s (${engineBase})`);

  const env = Object.assign({}, ...ENGINES.map((e) => engines[e].env)) as Record<string, string>;
  const exits: ServiceExit[] = [];
  const killedPids = new Set<number>();
  let stopping = false;
  const services = {} as Record<ServiceName, OwnedService>;
  for (const name of SERVICES) {
    const port = await freePort();
    const logFile = join(logsDir, `${name}.log`);
    const serviceEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: env.KAFKA_BROKERS!,
      ...(name === 'ingest'
        ? {
            COSMOS_ENDPOINT: env.COSMOS_ENDPOINT!,
            COSMOS_KEY: env.COSMOS_KEY!,
            COSMOS_CREATE_IF_MISSING: 'true',
          }
        : {}),
      ...(name === 'processing' || name === 'web'
        ? { DATABASE_URL: env.DATABASE_URL!, REDIS_URL: env.REDIS_URL! }
        : {}),
    };
    const supervisor = new Supervisor({
      name,
      log: (line) => progress(line.replace(/^local: /, '')),
      spawn: () => {
        const proc = spawnManaged({
          name,
          command: process.execPath,
          // the image's node flags (its Dockerfile CMD), as the benchmarks run them
          args: [...serviceNodeArgs(name), join(DIST, name, 'server.js')],
          cwd: ROOT,
          logFile,
          env: serviceEnv,
        });
        void proc.whenExited.then((code) =>
          exits.push({
            service: name,
            pid: proc.pid,
            code,
            atMs: now(),
            expected: killedPids.has(proc.pid) || stopping,
          }),
        );
        return proc;
      },
    });
    services[name] = { name, url: `http://127.0.0.1:${port}`, supervisor, logFile };
  }
  const stopAll = async () => {
    stopping = true;
    await Promise.allSettled(SERVICES.map((s) => services[s].supervisor.stop('SIGTERM', 20_000)));
    await Promise.allSettled(ENGINES.map((e) => engines[e].stop()));
  };

  try {
    await Promise.all(
      SERVICES.map((s) =>
        until(
          `${s} ready (log: ${services[s].logFile})`,
          async () => ((await readinessOf(services[s].url)) === 'green' ? true : undefined),
          SERVICE_READY_MS,
          250,
        ),
      ),
    );
  } catch (err) {
    await stopAll();
    throw new Error(
      `${(err as Error).message}\n${SERVICES.map((s) => `--- ${s}\n${tail(services[s].logFile, 15)}`).join('\n')}`,
    );
  }
  mark('servicesMs');
  progress(`services ready in ${(timings.servicesMs! / 1000).toFixed(1)} s (logs: ${logsDir})`);

  // Readiness: sampled all through the run; transitions are the evidence of each outage.
  const state = {} as Record<ServiceName, Readiness>;
  const transitions: { atMs: number; service: ServiceName; from: Readiness; to: Readiness }[] = [];
  for (const s of SERVICES) state[s] = 'green';
  let monitoring = true;
  const monitor = (async () => {
    while (monitoring) {
      await Promise.all(
        SERVICES.map(async (s) => {
          const next = await readinessOf(services[s].url);
          if (next !== state[s]) {
            transitions.push({ atMs: now(), service: s, from: state[s], to: next });
            state[s] = next;
          }
        }),
      );
      await sleep(READINESS_POLL_MS);
    }
  })();

  // The sender: a steady rate, batches every 100 ms, each batch resent until answered 202.
  const readings = makeReadings(options, Date.now());
  const accepted = new Set<string>();
  const outcomes: Record<string, number> = {};
  let posts = 0;
  let retriedPosts = 0;
  let inFlight = 0;
  const sendMs = Math.round((options.readings / options.ratePerSecond) * 1000);
  const sendStart = Date.now();
  const retryDeadline = sendStart + sendMs + RETRY_AFTER_SEND_MS;
  const postBatch = async (batch: ChaosReading[]) => {
    const body = JSON.stringify(batch.map((r) => r.body));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) retriedPosts++;
      posts++;
      let outcome: string;
      let retryAfterMs = Math.min(5000, 250 * 2 ** attempt);
      try {
        const res = await fetch(`${services.ingest.url}/v1/telemetry`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(POST_TIMEOUT_MS),
        });
        const answer = (await res.json().catch(() => ({}))) as {
          accepted?: number;
          rejected?: number;
        };
        outcome = String(res.status);
        if (res.status === 202 && answer.accepted === batch.length && !answer.rejected) {
          for (const r of batch) accepted.add(r.id);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          return;
        }
        if (res.status === 202 || (res.status >= 400 && res.status < 500 && res.status !== 429)) {
          // Our readings are valid: a rejection is a bug, and resending would not change it.
          outcomes[`${outcome} (rejected)`] = (outcomes[`${outcome} (rejected)`] ?? 0) + 1;
          failures.push(`ingest rejected a valid batch: ${res.status} ${JSON.stringify(answer)}`);
          return;
        }
        const header = Number(res.headers.get('retry-after'));
        if (Number.isFinite(header) && header > 0) retryAfterMs = Math.min(5000, header * 1000);
      } catch (err) {
        // A timeout, or no answer at all: refused (the service is down) or the connection
        // dropped (killed mid-request). Labelled with the cause so the report shows which.
        const cause = (err as { cause?: { code?: unknown } }).cause?.code;
        outcome =
          (err as Error).name === 'TimeoutError'
            ? 'timeout'
            : `no answer${typeof cause === 'string' ? ` (${cause})` : ''}`;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (Date.now() + retryAfterMs > retryDeadline) return;
      await sleep(retryAfterMs * (0.75 + Math.random() / 2));
    }
  };
  const pending: Promise<void>[] = [];
  let sendingDone = false;
  const sender = (async () => {
    let next = 0;
    while (next < readings.length) {
      const due = Math.min(
        readings.length,
        Math.floor(((Date.now() - sendStart) / 1000) * options.ratePerSecond) + 1,
      );
      if (due > next && inFlight < MAX_IN_FLIGHT) {
        const batch = readings.slice(next, due);
        next = due;
        inFlight++;
        pending.push(postBatch(batch).finally(() => inFlight--));
      }
      await sleep(100);
    }
    const sentMs = Date.now() - sendStart;
    sendingDone = true;
    await Promise.all(pending);
    return sentMs;
  })();

  // The faults: one at a time, each at its planned time (or after the one before it ended).
  const faults: FaultReport[] = [];
  const plan = faultSchedule(options.faults, sendMs, options.seed);
  const injector = (async () => {
    for (const planned of plan) {
      const wait = sendStart + planned.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const report: FaultReport = {
        fault: planned.fault,
        plannedAtMs: planned.atMs,
        startedAtMs: Date.now() - sendStart,
        endedAtMs: 0,
        downMs: 0,
        duringTraffic: !sendingDone,
        readiness: [],
        problems: [],
      };
      faults.push(report);
      progress(`fault ${planned.fault}`);
      const started = Date.now();
      try {
        const [kind, target] = planned.fault.split(':') as ['kill' | 'restart', string];
        if (kind === 'kill') {
          // Wait until the new process answers /livez, not /readyz: a consumer's readiness
          // waits for its group to drop the killed member (the session timeout, 30 s), and the
          // next fault need not wait for that. Its readiness is filled in from the monitor.
          const s = services[target as ServiceName];
          report.readiness.push({ service: s.name });
          const restarts = s.supervisor.restarts;
          const proc = s.supervisor.current;
          killedPids.add(proc.pid);
          await proc.stop('SIGKILL', 0);
          await until(
            `${target} restarted and live`,
            async () =>
              s.supervisor.restarts > restarts && (await isLive(s.url)) ? true : undefined,
            SERVICE_READY_MS,
          );
          report.downMs = Date.now() - started;
        } else {
          const engine = target as ChaosEngineName;
          const dependents = DEPENDENTS[engine];
          for (const service of dependents) report.readiness.push({ service });
          // Start from green, so the outage shows as green → red → green.
          await until(
            `${dependents.join(', ')} ready before ${engine} restarts`,
            () => (dependents.every((d) => state[d] === 'green') ? true : undefined),
            GREEN_AGAIN_MS,
          ).catch((err: Error) => report.problems.push(err.message));
          const stoppedAt = Date.now();
          report.startedAtMs = stoppedAt - sendStart;
          report.duringTraffic = !sendingDone;
          await engines[engine].restart(async () => {
            // Keep the engine down until every service that depends on it has turned red,
            // so the outage is one the probes must see (bounded; checked at the end).
            await until(
              `${dependents.join(', ')} red while ${engine} is down`,
              () => (dependents.every((d) => state[d] !== 'green') ? true : undefined),
              HOLD_UNTIL_RED_MS,
            ).catch(() => undefined);
          });
          report.downMs = Date.now() - stoppedAt;
          // Green again is read from the monitor at the end: a consumer may take its session
          // timeout to rejoin, and the next fault need not wait for that unless it needs it.
        }
      } catch (err) {
        report.problems.push((err as Error).message);
      }
      report.endedAtMs = Date.now() - sendStart;
      progress(
        `fault ${planned.fault} done: down ${(report.downMs / 1000).toFixed(1)} s` +
          (report.problems.length > 0 ? `; ${report.problems.join('; ')}` : ''),
      );
    }
  })();

  const sentMs = await sender;
  await injector;
  // Every service ready again, and each killed one's time to ready from the monitor.
  await until(
    'every service ready after the faults',
    () => (SERVICES.every((s) => state[s] === 'green') ? true : undefined),
    GREEN_AGAIN_MS,
  ).catch((err: Error) => failures.push(err.message));
  for (const f of faults) {
    const from = f.startedAtMs + (sendStart - t0);
    const target = f.fault.split(':')[1];
    for (const r of f.readiness) {
      const red = transitions.find(
        (t) => t.service === r.service && t.to !== 'green' && t.atMs >= from,
      );
      const green =
        red &&
        transitions.find((t) => t.service === r.service && t.to === 'green' && t.atMs > red.atMs);
      if (red) r.redAtMs = red.atMs - from;
      if (green) r.greenAtMs = green.atMs - from;
      if (!red || red.atMs - from > f.downMs) {
        f.problems.push(`${r.service} stayed ready while ${target} was down`);
      }
      if (!green) f.problems.push(`${r.service} not ready again after ${target} came back`);
    }
  }
  timings.sendMs = Date.now() - step;
  step = Date.now();
  progress(
    `sent: ${accepted.size} of ${readings.length} accepted in ${posts} posts (${retriedPosts} resent)`,
  );

  // Drain: until PostgreSQL (the last hop) holds every accepted reading, bounded.
  const pg = new Client({ connectionString: env.DATABASE_URL });
  pg.on('error', () => undefined);
  await pg.connect();
  let drained = false;
  try {
    await until(
      'processed_readings to hold every accepted reading',
      async () => {
        const { rows } = await pg.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM processed_readings',
        );
        return rows[0]!.n >= accepted.size ? true : undefined;
      },
      options.drainTimeoutMs,
      500,
    );
    drained = true;
  } catch (err) {
    failures.push((err as Error).message);
  }
  mark('drainMs');

  // Count. A sink that cannot be read is a failure of the run, not a crash without a report.
  const sinks: SinkTally[] = [];
  const count = async (name: string, tally: () => Promise<SinkTally>) => {
    try {
      sinks.push(await tally());
    } catch (err) {
      failures.push(`${name}: could not be counted: ${(err as Error).message}`);
    }
  };
  await count('cosmos readings', async () =>
    tallySink('cosmos readings', 'exactly-once', accepted, [
      ...cosmosSnapshots,
      await cosmosIds(engines.cosmos.directEndpoint!),
    ]),
  );
  for (const topic of ['telemetry.raw', 'telemetry.analyzed']) {
    await count(`kafka ${topic}`, async () =>
      tallySink(`kafka ${topic}`, 'at-least-once', accepted, [
        await topicIds(env.KAFKA_BROKERS!, topic),
      ]),
    );
  }
  await count('postgres processed_readings', async () => {
    const { rows } = await pg.query<{ reading_id: string }>(
      'SELECT reading_id FROM processed_readings',
    );
    return tallySink('postgres processed_readings', 'exactly-once', accepted, [
      rows.map((r) => r.reading_id),
    ]);
  });
  await count('postgres metric_minute counts', async () => {
    const expected = new Map<string, number>();
    for (const r of readings) {
      if (!accepted.has(r.id)) continue;
      const minute = new Date(Math.floor(Date.parse(r.body.ts) / 60_000) * 60_000).toISOString();
      const key = `${r.body.deviceId} ${minute}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const { rows } = await pg.query<{ device_id: string; minute: Date; n: number }>(
      "SELECT device_id, minute, count::int AS n FROM metric_minute WHERE metric = 'temp'",
    );
    return tallyCounts(
      'postgres metric_minute counts',
      expected,
      new Map(rows.map((c) => [`${c.device_id} ${c.minute.toISOString()}`, c.n])),
    );
  });
  await pg.end();
  mark('countMs');

  monitoring = false;
  await monitor;
  await stopAll();
  clearInterval(loadTimer);
  mark('stopMs');
  timings.totalMs = now();

  for (const s of sinks) {
    if (s.lost > 0) failures.push(`${s.sink}: ${s.lost} lost (e.g. ${s.lostSample.join(', ')})`);
    if (s.duplicated > 0) {
      failures.push(`${s.sink}: ${s.duplicated} duplicated (e.g. ${s.copiedSample.join(', ')})`);
    }
  }
  if (accepted.size < readings.length) {
    failures.push(`${readings.length - accepted.size} readings never answered 202`);
  }
  for (const f of faults) for (const p of f.problems) failures.push(`${f.fault}: ${p}`);
  for (const e of exits.filter((x) => !x.expected)) {
    failures.push(
      `${e.service} (pid ${e.pid}) exited on its own (${e.code}) at +${(e.atMs / 1000).toFixed(1)} s`,
    );
  }
  if (!drained && failures.length === 0) failures.push('the sinks did not drain');
  const ok = failures.length === 0;
  if (ok) rmSync(engineBase, { recursive: true, force: true });
  else failures.push(`engine folders kept in ${engineBase}`);

  return {
    ok,
    failures,
    options,
    loadAverage: { before: loadBefore, after: loads(), max1m: Math.round(maxLoad * 100) / 100 },
    timingsMs: timings,
    sender: {
      readings: readings.length,
      accepted: accepted.size,
      notAccepted: readings.length - accepted.size,
      posts,
      retriedPosts,
      outcomes,
      sendMs: sentMs,
      achievedRatePerSecond: Math.round((readings.length / sentMs) * 1000 * 10) / 10,
    },
    faults,
    sinks,
    readinessTransitions: transitions,
    exits,
    logsDir,
  };
}

/** Reading ids in a topic, one per message, read from the start to the end offsets of now. */
async function topicIds(brokers: string, topic: string): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'chaos-count',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  const ids: string[] = [];
  if (remaining.size === 0) return ids;
  const consumer = kafka.consumer({ groupId: `chaos-count-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolveAll, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} took over 120 s`)), 120_000);
    void consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const value = JSON.parse(m.value?.toString() ?? '{}') as { id?: string };
            if (typeof value.id === 'string') ids.push(value.id);
            const end = remaining.get(batch.partition);
            if (end !== undefined && Number(m.offset) + 1 >= end) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolveAll();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Output

function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** The text report. */
export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  const o = r.options;
  lines.push(
    `chaos: ${o.readings} readings at ${o.ratePerSecond}/s over ${o.devices} devices, seed ${o.seed}`,
  );
  lines.push(
    `load average: before ${r.loadAverage.before.join(' ')}, after ${r.loadAverage.after.join(' ')}, max 1-min ${r.loadAverage.max1m}`,
  );
  lines.push(
    `timings: ${Object.entries(r.timingsMs)
      .map(([k, v]) => `${k.replace(/Ms$/, '')} ${seconds(v)}`)
      .join(', ')}`,
  );
  const s = r.sender;
  lines.push(
    `sender: ${s.accepted} of ${s.readings} readings accepted (202) in ${s.posts} posts, ${s.retriedPosts} resent; ` +
      `${seconds(s.sendMs)} at ${s.achievedRatePerSecond}/s; answers: ${Object.entries(s.outcomes)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')}`,
  );
  lines.push('faults (times from the start of sending; readiness times from the fault):');
  for (const f of r.faults) {
    const readiness = f.readiness
      .map((x) => `${x.service} red ${seconds(x.redAtMs)} green ${seconds(x.greenAtMs)}`)
      .join('; ');
    lines.push(
      `  ${seconds(f.startedAtMs).padStart(8)}  ${f.fault.padEnd(18)} down ${seconds(f.downMs).padStart(7)}` +
        (readiness ? `  ${readiness}` : '') +
        (f.duringTraffic ? '' : '  (after the last reading was sent)') +
        (f.problems.length > 0 ? `  PROBLEM: ${f.problems.join('; ')}` : ''),
    );
  }
  lines.push(
    `  readiness transitions observed: ${r.readinessTransitions.length}; service exits: ${r.exits.length} ` +
      `(${r.exits.filter((e) => !e.expected).length} unexpected)`,
  );
  lines.push('sinks:');
  const header = [
    'sink',
    'semantics',
    'accepted',
    'stored',
    'lost',
    'duplicated',
    'redelivered',
    'unacked',
  ];
  const rows = r.sinks.map((k) => [
    k.sink,
    k.semantics,
    String(k.accepted),
    String(k.stored),
    String(k.lost),
    k.semantics === 'exactly-once' ? String(k.duplicated) : '—',
    k.semantics === 'at-least-once' ? String(k.redelivered) : '—',
    String(k.unacknowledged),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) {
    lines.push(
      `  ${row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`,
    );
  }
  const lost = r.sinks.reduce((a, k) => a + k.lost, 0);
  const duplicated = r.sinks.reduce((a, k) => a + k.duplicated, 0);
  lines.push(`lost ${lost}, duplicated ${duplicated}`);
  lines.push(`logs: ${r.logsDir}`);
  lines.push(r.ok ? 'chaos: PASS' : `chaos: FAIL\n  ${r.failures.join('\n  ')}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options: ChaosOptions | 'help';
  try {
    options = parseChaosArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`chaos: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const report = await runChaos(options);
  if (options.out) {
    mkdirSync(dirname(resolve(options.out)), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // The engines and services are process groups of ours; the exit hook of spawnManaged kills them.
    process.on(signal, () => {
      progress(`${signal}: stopping`);
      process.exit(1);
    });
  }
  main().catch((err: unknown) => {
    process.stderr.write(
      `chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
