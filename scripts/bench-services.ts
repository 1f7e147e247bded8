/**
 * The four services, compiled, on the local engines: memory under load, 1,000 concurrent ingest
 * connections, and CPU at idle. One benchmark per `--mode`:
 *
 *   npm run bench -- memory        # RSS of each service at idle, then under --rate readings/s
 *   npm run bench -- concurrency   # --connections keep-alive connections on ingest at once
 *   npm run bench -- idle          # CPU of each service with no traffic, over --seconds
 *   npx tsx scripts/bench-services.ts --mode memory [--rate 2000] [--seconds 20]
 *   ENGINES=external npx tsx scripts/bench-services.ts --mode idle   # engines from the env
 *
 * Baselines, measured in the same run: memory — each service's own RSS at idle just before the
 * load; concurrency — a raw `node:http` server with ingest's parser and a no-op sink, in its own
 * process, on the same connections and bodies (what Node itself costs at that concurrency; ingest
 * runs alone on the engines, without the consumers); idle — a bare Node
 * process (`setInterval` every second) sampled over the same window.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  SERVICE_NODE_ARGS,
  buildWorkloads,
  closedLoop,
  cpuPercent,
  cpuSeconds,
  fmt,
  formatCpuSplit,
  latencySummary,
  loadAverage,
  memoryMiB,
  ratio,
  result,
  sampleCpuSplit,
  sampleRss,
} from './bench-lib';
import { startEngines } from './engines';
import type { Engines } from './engines';
import { startPipeline } from '../test/e2e/pipeline';
import type { Pipeline } from '../test/e2e/pipeline';
import { startService } from '../test/e2e/services';
import type { ServiceHandle } from '../test/e2e/services';
import { Fleet, toBodies } from '../workloads/simulator/generator';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'memory' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '10' },
  },
});
const MODE = args.mode as 'memory' | 'concurrency' | 'idle';
const SECONDS = Number(args.seconds);

function bodiesFor(batch: number, devices: number) {
  const fleet = new Fleet({ devices, anomalyRate: 0, seed: 7, prefix: `s${process.pid}` });
  const now = Date.now();
  return toBodies(
    Array.from({ length: 64 }, (_, i) => fleet.take(batch * 16, now - (64 - i) * 1000)).flat(),
    batch,
    'ndjson',
  ).map((b) => ({ count: b.count, buffer: Buffer.from(b.body) }));
}

/**
 * The concurrency baseline: ingest's parser behind a raw node:http server with a no-op sink, in
 * its OWN process (scripts/bench-ingest.ts --serve raw), as ingest is: sharing the load
 * generator's event loop made it a weak baseline.
 */
async function rawServer(): Promise<{ url: string; pid: number; close: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'bench-ingest.ts'), '--serve', 'raw'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    close: () => child.kill('SIGTERM'),
  };
}

/** Paced load at `rate` readings/s in 100 ms ticks, bounded in-flight, until `stop()`. */
function pacedLoad(url: string, rate: number) {
  const fleet = new Fleet({ devices: 1000, anomalyRate: 0, seed: 11, prefix: `m${process.pid}` });
  let running = true;
  let accepted = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    let next = Date.now();
    while (running) {
      const batch = fleet.take(Math.round(rate / 10), Date.now());
      if (inFlight.size < 64) {
        const p = fetch(`${url}/v1/telemetry`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        })
          .then(async (r) => {
            await r.arrayBuffer();
            if (r.status === 202) accepted += batch.length;
            else failed += batch.length;
          })
          .catch(() => {
            failed += batch.length;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      } else failed += batch.length;
      next += 100;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await Promise.all(inFlight);
    return { accepted, failed };
  };
}

async function memory(p: Pipeline): Promise<void> {
  const rate = Number(args.rate);
  const services = [p.ingest, p.analysis, p.processing, p.web];
  await new Promise((r) => setTimeout(r, 3000));
  const idle = Object.fromEntries(services.map((s) => [s.name, memoryMiB(s.proc.pid)?.rss ?? NaN]));
  console.log(
    `memory: idle RSS ${JSON.stringify(idle)} MiB; now ${rate} readings/s for ${SECONDS} s · load ${loadAverage()}`,
  );
  const stream = await fetch(`${p.web.url}/api/stream`); // one dashboard watching, as in use
  const samplers = services.map((s) => ({ name: s.name, stop: sampleRss(s.proc.pid, 250) }));
  const stop = pacedLoad(p.ingest.url, rate);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const sent = await stop();
  await stream.body?.cancel();
  console.log(`memory: ${fmt(sent.accepted / SECONDS)} readings/s accepted, ${sent.failed} failed`);
  for (const s of samplers) {
    const r = s.stop();
    result('memory', `${s.name} RSS under ${fmt(rate)} readings/s (max)`, `${r.max} MiB`, {
      baseline: `own idle RSS ${idle[s.name].toFixed(1)} MiB`,
      ratio: ratio(r.max, idle[s.name]),
      target: '≤ 150 MiB',
      met: r.max <= 150,
    });
  }
}

async function concurrency(ingest: ServiceHandle, engines: Engines | undefined): Promise<void> {
  const connections = Number(args.connections);
  const batch = Number(args.batch);
  const bodies = bodiesFor(batch, connections);
  const seconds = Math.min(SECONDS, 15);
  const raw = await rawServer();
  const run = async (url: string) =>
    closedLoop({
      url: `${url}/v1/telemetry`,
      bodies,
      contentType: 'application/x-ndjson',
      connections,
      seconds,
    });
  const enginePid = (name: string) => engines?.engines.find((e) => e.name === name)?.pid;
  console.log(
    `concurrency: ${connections} keep-alive connections, each posting ${batch}-reading NDJSON batches back to back, ${seconds} s per server; ingest alone on the engines (no consumers) · load ${loadAverage()}`,
  );
  const baseCpu = sampleCpuSplit({ 'raw server': raw.pid, 'load generator': process.pid });
  const base = await run(raw.url);
  const baseShares = baseCpu();
  raw.close();
  const bl = latencySummary(base.latenciesMs);
  console.log(
    `baseline raw node:http in its own process (no-op sink): ${fmt(base.items / base.seconds)} readings/s, statuses ${JSON.stringify(base.byStatus)}, errors ${base.errors}, p50 ${bl.p50} / p99 ${bl.p99} ms · load ${loadAverage()}`,
  );
  console.log(`  CPU, % of one core: ${formatCpuSplit(baseShares)}`);
  const rss = sampleRss(ingest.proc.pid);
  const cpu = sampleCpuSplit({
    ingest: ingest.proc.pid,
    'cosmos stand-in': enginePid('cosmos'),
    'kafka broker': enginePid('kafka'),
    'load generator': process.pid,
  });
  const r = await run(ingest.url);
  const shares = cpu();
  const mem = rss();
  const l = latencySummary(r.latenciesMs);
  console.log(
    `ingest (Cosmos + Kafka): ${fmt(r.items / r.seconds)} readings/s, statuses ${JSON.stringify(r.byStatus)}, errors ${r.errors}, p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} ms, RSS max ${mem.max} MiB`,
  );
  console.log(`  CPU, % of one core: ${formatCpuSplit(shares)}`);
  const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
  for (const line of metrics.split('\n')) {
    if (/^ingest_dependency_write_seconds_(sum|count)|^ingest_requests_refused_total/.test(line))
      console.log(`  ingest's own metric: ${line}`);
  }
  const all = r.errors === 0 && Object.keys(r.byStatus).every((s) => s === '202');
  result(
    'concurrency',
    `${connections} connections on ingest: 202 p50`,
    `${l.p50} ms (${all ? 'every request answered 202' : `statuses ${JSON.stringify(r.byStatus)}, ${r.errors} errors`})`,
    {
      baseline: `raw node:http p50 ${bl.p50} ms`,
      ratio: ratio(l.p50, bl.p50),
      target: '≤ 1000 ms',
      met: l.p50 <= 1000 && all,
    },
  );
}

async function idle(p: Pipeline): Promise<void> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const services = [
    ...[p.ingest, p.analysis, p.processing, p.web].map((s) => ({ name: s.name, pid: s.proc.pid })),
    { name: 'bare node', pid: bare.pid! },
  ];
  console.log(`idle: settling 10 s, then CPU over ${SECONDS} s · load ${loadAverage()}`);
  await new Promise((r) => setTimeout(r, 10_000));
  const before = services.map((s) => cpuSeconds(s.pid) ?? NaN);
  const t = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const wall = (performance.now() - t) / 1000;
  const pct = services.map((s, i) => cpuPercent(before[i], cpuSeconds(s.pid) ?? NaN, wall));
  bare.kill();
  const bareP = pct[pct.length - 1];
  services.slice(0, -1).forEach((s, i) => {
    result('idle', `${s.name} CPU with no traffic over ${SECONDS} s`, `${pct[i].toFixed(2)} %`, {
      baseline: `bare node ${bareP.toFixed(2)} %`,
      ratio: ratio(pct[i], bareP),
      target: '< 1 %',
      met: pct[i] < 1,
    });
  });
}

async function main(): Promise<void> {
  if (!['memory', 'concurrency', 'idle'].includes(MODE)) {
    console.error(`bench-services: --mode must be memory, concurrency or idle, not ${MODE}`);
    process.exit(2);
  }
  buildWorkloads();
  let engines: Engines | undefined;
  if (process.env.ENGINES !== 'external') {
    engines = await startEngines({ log: (m) => console.log(`engines: ${m}`) });
    Object.assign(process.env, engines.env);
  }
  const logDir = mkdtempSync(join(tmpdir(), `bench-${MODE}-`));
  let pipeline: Pipeline | undefined;
  let ingest: ServiceHandle | undefined;
  try {
    if (MODE === 'concurrency') {
      // Ingest alone: the consumers would only compete with it for the same 2 cores.
      ingest = await startService(
        'ingest',
        {
          KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
          COSMOS_ENDPOINT: process.env.COSMOS_ENDPOINT as string,
          COSMOS_KEY: process.env.COSMOS_KEY as string,
          COSMOS_CREATE_IF_MISSING: 'true',
          LOG_LEVEL: 'warn',
        },
        {
          logDir,
          compiled: {
            // e.g. INGEST_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile ingest
            nodeArgs: [
              ...SERVICE_NODE_ARGS,
              ...(process.env.INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
            ],
          },
        },
      );
      console.log(`ingest up, compiled (logs in ${logDir})`);
      await concurrency(ingest, engines);
      return;
    }
    pipeline = await startPipeline({
      logDir,
      redisDb: 15,
      compiled: { nodeArgs: SERVICE_NODE_ARGS },
      env: Object.fromEntries(
        ['ingest', 'analysis', 'processing', 'web'].map((n) => [n, { LOG_LEVEL: 'warn' }]),
      ),
    });
    console.log(`services up, compiled (logs in ${logDir})`);
    if (MODE === 'memory') await memory(pipeline);
    else await idle(pipeline);
  } finally {
    await ingest?.stop();
    await pipeline?.stop();
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
