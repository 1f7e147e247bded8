/**
 * The four services, compiled, on the local engines: memory under load, 1,000 concurrent ingest
 * connections, and CPU at idle. One benchmark per `--mode`:
 *
 *   npm run bench -- memory        # RSS of each service at idle, then under --rate readings/s
 *   npm run bench -- concurrency   # --connections keep-alive connections on ingest at once
 *   npm run bench -- idle          # CPU of each service with no traffic, over --seconds
 *   npx tsx scripts/bench-services.ts --mode memory [--rate 2000] [--seconds 20]
 *   npx tsx scripts/bench-services.ts --mode concurrency [--replicas 2] [--compare-one]
 *   ENGINES=external npx tsx scripts/bench-services.ts --mode idle   # engines from the env
 *
 * Baselines, measured in the same run: memory — each service's own RSS at idle just before the
 * load; concurrency — a raw `node:http` server with ingest's parser and a no-op sink, in its own
 * process, on the same connections and bodies (what Node itself costs at that concurrency; ingest
 * runs alone on the engines, without the consumers); idle — a bare Node
 * process (`setInterval` every second) sampled over the same window.
 */
import { execFile, spawn } from 'node:child_process';
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
  sampleTcpCounters,
} from './bench-lib';
import type { LoadOutcome } from './bench-lib';
import { DEV_INGEST_REPLICAS, parseReplicas } from './bench-replicas';
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
    /** Concurrency: ingest processes behind the connections (default: dev's replica count). */
    replicas: { type: 'string' },
    /** Concurrency: also measure one ingest process, in the same run. */
    'compare-one': { type: 'boolean', default: false },
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

/** The latencies of every request but each connection's first (the one that waited for its connect). */
function afterFirst(run: LoadOutcome): number[] {
  const firsts = new Map<number, number>();
  for (const l of run.firstLatenciesMs) firsts.set(l, (firsts.get(l) ?? 0) + 1);
  return run.latenciesMs.filter((l) => {
    const n = firsts.get(l) ?? 0;
    if (n > 0) firsts.set(l, n - 1);
    return n === 0;
  });
}

/**
 * Samples, every 500 ms with `ss`, the server side of the connections on `ports`: the listeners'
 * accept queues (connected, not yet accepted) and the accepted sockets holding unread bytes
 * (a request the server has not read yet), and the load generator's sockets holding an answer
 * it has not read. `stop()` returns each sample, in order.
 */
function sampleSocketQueues(
  ports: readonly number[],
): () => Promise<{ accept: number[]; unread: number[]; unreadByClient: number[] }> {
  const accept: number[] = [];
  const unread: number[] = [];
  const unreadByClient: number[] = [];
  const filter = ports.map((p) => `sport = :${p}`).join(' or ');
  const clientFilter = ports.map((p) => `dport = :${p}`).join(' or ');
  const ss = (args: string[], f = filter) =>
    new Promise<string>((resolve) =>
      execFile('ss', [...args, f], (err, out) => resolve(err ? '' : out)),
    );
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = (async () => {
      const listen = await ss(['-ltnH']);
      accept.push(
        listen
          .split('\n')
          .map((line) => Number(line.trim().split(/\s+/)[1] ?? 0) || 0)
          .reduce((a, b) => a + b, 0),
      );
      const est = await ss(['-tnH', 'state', 'established']);
      unread.push(est.split('\n').filter((l) => Number(l.trim().split(/\s+/)[0] ?? 0) > 0).length);
      const client = await ss(['-tnH', 'state', 'established'], clientFilter);
      unreadByClient.push(
        client.split('\n').filter((l) => Number(l.trim().split(/\s+/)[0] ?? 0) > 0).length,
      );
    })();
  }, 500);
  return async () => {
    clearInterval(timer);
    await pending;
    return { accept, unread, unreadByClient };
  };
}

/** Where a closed loop's time went: the connect-bearing first requests, the generator's loop. */
function tailDiagnosis(run: LoadOutcome, tcp: Record<string, number>): string {
  const first = latencySummary(run.firstLatenciesMs);
  const all = [...run.latenciesMs].sort((a, b) => a - b);
  const p99 = all[Math.floor(all.length * 0.99)] ?? NaN;
  const slowFirst = run.firstLatenciesMs.filter((l) => l >= p99).length;
  const slow = all.filter((l) => l >= p99).length;
  const later = latencySummary(afterFirst(run));
  const connect = latencySummary(run.connectMs);
  return (
    `tail: ${slowFirst} of the ${slow} requests at or above p99 (${Math.round(p99)} ms) were a connection's first ` +
    `(first requests p50 ${first.p50} / p99 ${first.p99} / max ${first.max} ms, of which TCP connect p50 ${connect.p50} / p99 ${connect.p99} / max ${connect.max} ms; every later request p50 ${later.p50} / p99 ${later.p99} / max ${later.max} ms); load generator's event-loop delay ` +
    `p50 ${run.generatorLoopDelayMs.p50} / p99 ${run.generatorLoopDelayMs.p99} / max ${run.generatorLoopDelayMs.max} ms; ` +
    `kernel TCP counters over the run: ${Object.entries(tcp)
      .map(([k, v]) => `${k} +${v}`)
      .join(', ')}`
  );
}

/** Starts `n` compiled ingest processes, each on its own port, with the images' node options. */
async function startIngestReplicas(n: number, logDir: string): Promise<ServiceHandle[]> {
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
    COSMOS_ENDPOINT: process.env.COSMOS_ENDPOINT as string,
    COSMOS_KEY: process.env.COSMOS_KEY as string,
    COSMOS_CREATE_IF_MISSING: 'true',
    LOG_LEVEL: 'warn',
  };
  const nodeArgs = [
    ...SERVICE_NODE_ARGS,
    // e.g. INGEST_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile ingest
    ...(process.env.INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  // One after the other: the first creates the Cosmos database and container.
  const replicas: ServiceHandle[] = [];
  for (let i = 0; i < n; i++)
    replicas.push(await startService('ingest', env, { logDir, compiled: { nodeArgs } }));
  return replicas;
}

async function concurrency(
  replicas: readonly ServiceHandle[],
  engines: Engines | undefined,
): Promise<void> {
  const connections = Number(args.connections);
  const batch = Number(args.batch);
  const bodies = bodiesFor(batch, connections);
  const seconds = Math.min(SECONDS, 15);
  const raw = await rawServer();
  const run = async (urls: readonly string[]) =>
    closedLoop({
      url: urls.map((u) => `${u}/v1/telemetry`),
      bodies,
      contentType: 'application/x-ndjson',
      connections,
      seconds,
    });
  const enginePid = (name: string) => engines?.engines.find((e) => e.name === name)?.pid;
  console.log(
    `concurrency: ${connections} keep-alive connections, each posting ${batch}-reading NDJSON batches back to back, ${seconds} s per server; ` +
      `ingest alone on the engines (no consumers), ${replicas.length} replica(s), connections spread round-robin · load ${loadAverage()}`,
  );
  const baseTcp = sampleTcpCounters();
  const baseCpu = sampleCpuSplit({ 'raw server': raw.pid, 'load generator': process.pid });
  const base = await run([raw.url]);
  const baseShares = baseCpu();
  const baseTcpGrowth = baseTcp();
  raw.close();
  const bl = latencySummary(base.latenciesMs);
  console.log(
    `baseline raw node:http in its own process (no-op sink): ${fmt(base.items / base.seconds)} readings/s, statuses ${JSON.stringify(base.byStatus)}, errors ${base.errors}, p50 ${bl.p50} / p99 ${bl.p99} ms · load ${loadAverage()}`,
  );
  console.log(`  CPU, % of one core: ${formatCpuSplit(baseShares)}`);
  console.log(`  ${tailDiagnosis(base, baseTcpGrowth)}`);

  /** One measured run over the first `n` replicas. */
  const measureOn = async (n: number) => {
    const used = replicas.slice(0, n);
    const named = (i: number) => (n === 1 ? 'ingest' : `ingest#${i + 1}`);
    const rss = used.map((r) => sampleRss(r.proc.pid));
    const before = await Promise.all(
      used.map(async (r) => (await fetch(`${r.url}/metrics`)).text()),
    );
    const tcp = sampleTcpCounters();
    const queues = sampleSocketQueues(used.map((x) => x.port));
    const cpu = sampleCpuSplit({
      ...Object.fromEntries(used.map((r, i) => [named(i), r.proc.pid])),
      'cosmos stand-in': enginePid('cosmos'),
      'kafka broker': enginePid('kafka'),
      'load generator': process.pid,
    });
    const r = await run(used.map((x) => x.url));
    const shares = cpu();
    const tcpGrowth = tcp();
    const q = await queues();
    const mem = rss.map((stop) => stop());
    const l = latencySummary(r.latenciesMs);
    const ingestPct = shares
      .filter((c) => c.name.startsWith('ingest'))
      .reduce((a, c) => a + c.percent, 0);
    console.log(
      `ingest ×${n} (Cosmos + Kafka): ${fmt(r.items / r.seconds)} readings/s, statuses ${JSON.stringify(r.byStatus)}, errors ${r.errors}, ` +
        `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms; RSS max per replica ${mem.map((m) => `${m.max}`).join(', ')} MiB; ` +
        `202s per replica ${r.acceptedByTarget.map((a) => fmt(a / batch)).join(', ')} · load ${loadAverage()}`,
    );
    console.log(
      `  CPU, % of one core: ${formatCpuSplit(shares)} (ingest replicas together ${Math.round(ingestPct)} %)`,
    );
    console.log(`  ${tailDiagnosis(r, tcpGrowth)}`);
    console.log(
      `  ingest's sockets (ss, every 500 ms from the start): connections not yet accepted ${q.accept.join(' ')}; ` +
        `accepted ones with unread bytes ${q.unread.join(' ')}; the generator's sockets with an unread answer ${q.unreadByClient.join(' ')}`,
    );
    // Each replica's dependency writes over the run: is the tail in a group-commit queue?
    for (const [i, rep] of used.entries()) {
      const metrics = await (await fetch(`${rep.url}/metrics`)).text();
      for (const dep of ['cosmos', 'kafka']) {
        const bucket = (text: string, le: string) =>
          Number(
            new RegExp(
              `ingest_dependency_write_seconds_bucket\\{[^}]*le="${le.replace('+', '\\+')}"[^}]*dependency="${dep}"[^}]*\\} (\\d+)|ingest_dependency_write_seconds_bucket\\{[^}]*dependency="${dep}"[^}]*le="${le.replace('+', '\\+')}"[^}]*\\} (\\d+)`,
            )
              .exec(text)
              ?.slice(1)
              .find(Boolean) ?? 0,
          );
        const grown = (le: string) => bucket(metrics, le) - bucket(before[i], le);
        const total = grown('+Inf');
        console.log(
          `  ${named(i)}'s own metric: ${dep} writes ${total}, of which > 1 s ${total - grown('1')}, > 5 s ${total - grown('5')}`,
        );
      }
      const refused = /^ingest_requests_refused_total.*$/m.exec(metrics)?.[0];
      if (refused) console.log(`  ${named(i)}'s own metric: ${refused}`);
    }
    const all = r.errors === 0 && Object.keys(r.byStatus).every((st) => st === '202');
    return { l, all, r };
  };

  let one: { l: ReturnType<typeof latencySummary> } | undefined;
  if (args['compare-one'] && replicas.length > 1) one = await measureOn(1);
  const { l, all, r } = await measureOn(replicas.length);
  result(
    'concurrency',
    `${connections} connections on ingest ×${replicas.length} (replicas; connections round-robin): 202 p50`,
    `${l.p50} ms (${all ? 'every request answered 202' : `statuses ${JSON.stringify(r.byStatus)}, ${r.errors} errors`}; p99 ${l.p99} ms; ` +
      `after each connection's first request p50 ${latencySummary(afterFirst(r)).p50} / p99 ${latencySummary(afterFirst(r)).p99} ms)`,
    {
      baseline: `raw node:http p50 ${bl.p50} ms`,
      ratio: ratio(l.p50, bl.p50),
      target: '≤ 1000 ms',
      met: l.p50 <= 1000 && all,
    },
  );
  if (one)
    result(
      'concurrency',
      `${connections} connections, ingest ×${replicas.length} vs ×1: 202 p50`,
      `${l.p50} ms`,
      {
        baseline: `one replica ${one.l.p50} ms`,
        ratio: ratio(l.p50, one.l.p50),
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
  let ingest: ServiceHandle[] = [];
  try {
    if (MODE === 'concurrency') {
      // Ingest alone: the consumers would only compete with it for the same 2 cores.
      const n = parseReplicas(args.replicas, DEV_INGEST_REPLICAS);
      ingest = await startIngestReplicas(n, logDir);
      console.log(`ingest ×${n} up, compiled (logs in ${logDir})`);
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
    for (const replica of ingest) await replica.stop();
    await pipeline?.stop();
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
