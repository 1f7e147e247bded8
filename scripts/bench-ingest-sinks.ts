/**
 * Ingest with its real sinks (Cosmos stand-in + Kafka, each reading durable in both before the
 * 202), side by side with Kafka's own `kafka-producer-perf-test.sh` (ProducerPerformance, from
 * the kafka-tools jar of the same Kafka version as the broker) at the same record size and acks.
 *
 *   npm run bench -- ingest
 *   npx tsx scripts/bench-ingest-sinks.ts [--seconds 15] [--connections 32] [--batch 100]
 *   ENGINES=external npx tsx scripts/bench-ingest-sinks.ts   # engines from KAFKA_BROKERS, COSMOS_*
 *   INGEST_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx scripts/bench-ingest-sinks.ts
 *   # side by side in one run, alternated in rounds: an earlier commit's ingest, settings variants
 *   npx tsx scripts/bench-ingest-sinks.ts --rounds 2 --before b0735d7 \
 *     --variant 'sequential:INGEST_WRITE_ORDER=cosmos-then-kafka'
 *   # NODE_ARGS in a variant adds node options: --variant 'semi16:NODE_ARGS=--max-semi-space-size=16'
 *   # replicas: as many ingest processes as dev deploys (stacks/environments/dev.ts), each on its
 *   # own port, the connections spread round-robin as a Service does; REPLICAS in a variant
 *   npx tsx scripts/bench-ingest-sinks.ts --replicas 2 --variant 'one:REPLICAS=1'
 *
 * Every variant runs as its own ingest process on the same engines and bodies; the RESULT lines
 * quote the current code with its defaults (the last variant), best of the rounds, and its
 * ratio to each other variant.
 *
 * Ingest runs compiled (dist/workloads/ingest/server.js), as in its image. The load is a closed
 * loop of 100-reading NDJSON batches on keep-alive connections, after a 3 s warm-up. The baseline
 * then writes as many records as ingest wrote in the measured run (at least 100,000), of the mean
 * size of a reading's Kafka value, acks=all, idempotent, to the same topic on the same broker.
 * Ingest's Kafka write rate is its accepted readings per second: each one is one Kafka record.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  ROOT,
  SERVICE_NODE_ARGS,
  buildWorkloads,
  closedLoop,
  fmt,
  formatCpuSplit,
  latencySummary,
  loadAverage,
  parseProducerPerf,
  ratio,
  result,
  runToEnd,
  sampleCpuSplit,
  sampleRss,
} from './bench-lib';
import { DEV_INGEST_REPLICAS, parseReplicas } from './bench-replicas';
import { kafkaVersion, startEngines } from './engines';
import type { Engines } from './engines';
import { freePort, spawnManaged, waitUntilReady } from './engines/process';
import type { LoadOutcome } from './bench-lib';
import { toReadings, parseTelemetryBody } from '../workloads/ingest/parse';
import { Fleet, toBodies } from '../workloads/simulator/generator';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    variant: { type: 'string', multiple: true },
    before: { type: 'string' },
    /** Ingest processes (default: the dev environment's replica count). */
    replicas: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const BATCH = Number(args.batch);
const PERF_TOPIC = `bench.producer-perf.${process.pid}`;
const REPLICAS = parseReplicas(args.replicas, DEV_INGEST_REPLICAS);

/** The kafka-tools jar (ProducerPerformance) of the broker's version, fetched once with Maven. */
function kafkaToolsClasspath(): string {
  const version = kafkaVersion();
  const libs = join(ROOT, '.cache', 'kafka', version, 'libs');
  const tools = join(ROOT, '.cache', 'kafka-tools', version);
  if (!existsSync(join(tools, `kafka-tools-${version}.jar`))) {
    mkdirSync(tools, { recursive: true });
    console.log(`fetching org.apache.kafka:kafka-tools:${version} with mvn`);
    execFileSync(
      'mvn',
      [
        '-q',
        'dependency:copy',
        `-Dartifact=org.apache.kafka:kafka-tools:${version}`,
        `-DoutputDirectory=${tools}`,
      ],
      { stdio: 'inherit' },
    );
  }
  return `${libs}/*:${tools}/*`;
}

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  /** Ingest processes (`REPLICAS=` in the variant, else --replicas). */
  readonly replicas: number;
  /** Where dist/workloads/ingest/server.js is (another checkout's build for `--before`). */
  readonly root: string;
}

/** `--variant 'name:KEY=V,KEY2=V2'` (repeatable); the current code with defaults comes last. */
function parseVariants(specs: readonly string[]): Variant[] {
  const variants = specs.map((spec) => {
    const [name, pairs = ''] = spec.split(':');
    const env = Object.fromEntries(
      pairs
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { name, env, root: ROOT, replicas: parseReplicas(env.REPLICAS, REPLICAS) };
  });
  variants.push({ name: 'current', env: {}, root: ROOT, replicas: REPLICAS });
  return variants;
}

/**
 * Builds the workloads of an earlier commit (`--before <commit>`) into a folder of their own
 * (git archive, then tsc with this checkout's node_modules), so the old ingest runs side by side
 * with the current one on the same engines and load.
 */
function buildBefore(commit: string): string {
  const dir = join(tmpdir(), `ingest-before-${commit}`);
  if (existsSync(join(dir, 'dist', 'workloads', 'ingest', 'server.js'))) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`building ingest as of ${commit} into ${dir}`);
  execFileSync('sh', ['-c', `git archive ${commit} workloads tsconfig.json | tar -x -C ${dir}`], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'workloads/tsconfig.build.json'],
    { cwd: dir, stdio: 'inherit' },
  );
  return dir;
}

interface Measured {
  readonly rate: number;
  /** Ingest's CPU milliseconds per 1,000 readings accepted. */
  readonly ingestCpuPerK: number;
  readonly run: LoadOutcome;
  /** The largest RSS of any replica (the memory target is per process). */
  readonly rss: { max: number; mean: number };
  readonly summary: string;
  readonly detail: string[];
}

/** Starts ingest for one variant, warms it up, measures one closed-loop run, stops it. */
async function measure(
  variant: Variant,
  bodies: ReadonlyArray<{ buffer: Buffer; count: number }>,
  logDir: string,
  enginePid: (name: string) => number | undefined,
): Promise<Measured> {
  const procs: Array<ReturnType<typeof spawnManaged>> = [];
  const urls: string[] = [];
  try {
    // One after the other: the first creates the Cosmos database and container.
    for (let i = 0; i < variant.replicas; i++) {
      const port = await freePort();
      const proc = spawnManaged({
        name: variant.replicas === 1 ? 'ingest' : `ingest#${i + 1}`,
        command: process.execPath,
        args: [
          ...SERVICE_NODE_ARGS,
          // e.g. INGEST_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile ingest
          ...(process.env.INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
          // a variant's own node options (V8 takes the last of a repeated flag)
          ...(variant.env.NODE_ARGS ?? '').split(' ').filter(Boolean),
          join(variant.root, 'dist', 'workloads', 'ingest', 'server.js'),
        ],
        cwd: variant.root,
        logFile: join(logDir, `ingest-${variant.name.replace(/[^\w.-]+/g, '_')}-${i + 1}.log`),
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: String(port),
          COSMOS_CREATE_IF_MISSING: 'true',
          LOG_LEVEL: 'warn',
          ...variant.env,
        },
      });
      procs.push(proc);
      const url = `http://127.0.0.1:${port}`;
      urls.push(url);
      await waitUntilReady(proc, async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
    }
    const named = (i: number) => (procs.length === 1 ? 'ingest' : `ingest#${i + 1}`);
    const target = {
      url: urls.map((u) => `${u}/v1/telemetry`),
      bodies,
      contentType: 'application/x-ndjson',
    };
    await closedLoop({ ...target, connections: CONNECTIONS, seconds: 3 });
    const metricsOf = () =>
      Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    const metricsBefore = await metricsOf();
    const stopRss = procs.map((p) => sampleRss(p.pid));
    const stopCpu = sampleCpuSplit({
      ...Object.fromEntries(procs.map((p, i) => [named(i), p.pid])),
      'cosmos stand-in': enginePid('cosmos'),
      'kafka broker': enginePid('kafka'),
      'load generator': process.pid,
    });
    const run = await closedLoop({ ...target, connections: CONNECTIONS, seconds: SECONDS });
    const cpu = stopCpu();
    const rssEach = stopRss.map((stop) => stop());
    const rss = rssEach.reduce((a, b) => (b.max > a.max ? b : a));
    const metrics = await metricsOf();
    const lat = latencySummary(run.latenciesMs);
    const rate = run.items / run.seconds;
    const detail = [
      `CPU, % of one core (200 % = the machine): ${formatCpuSplit(cpu)}; per 1,000 readings: ` +
        cpu
          .filter((c) => c.name !== 'machine' && c.name !== 'other')
          .map((c) => {
            // A replica's CPU per 1,000 of the readings it accepted; every other process's per
            // 1,000 of all readings.
            const i = procs.findIndex((_, j) => named(j) === c.name);
            const items = i >= 0 && procs.length > 1 ? run.acceptedByTarget[i] * BATCH : run.items;
            return `${c.name} ${((c.seconds / Math.max(1, items)) * 1e6).toFixed(0)} ms`;
          })
          .join(', '),
      `load generator's event-loop delay p50 ${run.generatorLoopDelayMs.p50} / p99 ${run.generatorLoopDelayMs.p99} / max ${run.generatorLoopDelayMs.max} ms; ` +
        `readings accepted per replica ${run.acceptedByTarget.map((n) => fmt(n * BATCH)).join(', ')}`,
    ];
    for (const dep of ['cosmos', 'kafka']) {
      const stat = (text: string, kind: 'sum' | 'count') =>
        Number(
          new RegExp(
            `ingest_dependency_write_seconds_${kind}\\{[^}]*dependency="${dep}",outcome="ok"\\} ([\\d.e+-]+)`,
          ).exec(text)?.[1] ?? 0,
        );
      const total = (texts: string[], kind: 'sum' | 'count') =>
        texts.reduce((a, t) => a + stat(t, kind), 0);
      const count = total(metrics, 'count') - total(metricsBefore, 'count');
      const sum = total(metrics, 'sum') - total(metricsBefore, 'sum');
      if (count > 0)
        detail.push(
          `ingest's own metric: ${dep} write mean ${((sum / count) * 1000).toFixed(1)} ms over ${count} requests`,
        );
    }
    // Every replica's CPU together: the cost of a reading, wherever it was handled.
    const ingestCpuPct = cpu
      .filter((c) => c.name.startsWith('ingest'))
      .reduce((a, c) => a + c.percent, 0);
    detail[0] += `; ingest replicas together ${Math.round(ingestCpuPct)} % of a core`;
    const ingestCpuS = cpu
      .filter((c) => c.name.startsWith('ingest'))
      .reduce((a, c) => a + c.seconds, 0);
    return {
      rate,
      ingestCpuPerK: (ingestCpuS / Math.max(1, run.items)) * 1e6,
      run,
      rss,
      detail,
      summary:
        `${fmt(rate)} readings/s (${fmt(run.requests / run.seconds)} requests/s), statuses ${JSON.stringify(run.byStatus)}, ` +
        `errors ${run.errors}; 202 latency p50 ${lat.p50} / p95 ${lat.p95} / p99 ${lat.p99} / max ${lat.max} ms; ` +
        `ingest ×${procs.length}, RSS max per replica ${rssEach.map((r) => r.max).join(', ')} MiB · load ${loadAverage()}`,
    };
  } finally {
    for (const proc of procs) await proc.stop('SIGTERM', 10_000);
  }
}

async function main(): Promise<void> {
  buildWorkloads();
  const classpath = kafkaToolsClasspath();
  let engines: Engines | undefined;
  if (process.env.ENGINES !== 'external') {
    engines = await startEngines({ log: (m) => console.log(`engines: ${m}`) });
    Object.assign(process.env, engines.env);
  }
  const logDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  try {
    const fleet = new Fleet({
      devices: 1000,
      anomalyRate: 0.01,
      seed: 42,
      prefix: `b${process.pid}`,
    });
    const now = Date.now();
    const readings = Array.from({ length: 64 }, (_, i) =>
      fleet.take(BATCH, now - (64 - i) * 1000),
    ).flat();
    const bodies = toBodies(readings, BATCH, 'ndjson').map((b) => ({
      count: b.count,
      buffer: Buffer.from(b.body),
    }));
    // The Kafka value ingest writes for these readings (what the baseline's records must weigh).
    const parsed = parseTelemetryBody(bodies[0].buffer.toString('utf8'), 'ndjson', {
      maxItems: 100_000,
      nowMs: Date.now(),
    });
    if (!('valid' in parsed)) throw new Error('bench bodies do not parse');
    const values = toReadings(parsed.valid, new Date().toISOString()).map((r) => JSON.stringify(r));
    const recordSize = Math.round(
      values.reduce((a, v) => a + Buffer.byteLength(v), 0) / values.length,
    );
    const variants = parseVariants(args.variant ?? []);
    const before = args.before ? buildBefore(args.before) : undefined;
    if (before)
      variants.unshift({
        name: `before (${args.before})`,
        env: {},
        root: before,
        replicas: REPLICAS,
      });
    console.log(
      `ingest (compiled) with Cosmos stand-in + Kafka: ${BATCH}-reading NDJSON batches, ${CONNECTIONS} connections, ` +
        `${SECONDS} s after a 3 s warm-up; Kafka value ${recordSize} B/reading; ` +
        `${ROUNDS} round(s) of ${variants.map((v) => `${v.name} (×${v.replicas})`).join(', ')} · load ${loadAverage()}`,
    );
    const enginePid = (name: string) => engines?.engines.find((e) => e.name === name)?.pid;
    const outcomes = new Map<string, Measured[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of variants) {
        const m = await measure(variant, bodies, logDir, enginePid);
        outcomes.set(variant.name, [...(outcomes.get(variant.name) ?? []), m]);
        console.log(`round ${round} · ${variant.name}: ${m.summary}`);
        for (const line of m.detail) console.log(`  ${line}`);
      }
    }
    // The figures of record: the current code with its defaults (the last variant), best round.
    const current = variants[variants.length - 1].name;
    const best = (name: string) => outcomes.get(name)!.reduce((a, b) => (b.rate > a.rate ? b : a));
    const run = best(current).run;
    const rss = best(current).rss;
    const lat = latencySummary(run.latenciesMs);
    const rate = best(current).rate;
    for (const v of variants.slice(0, -1)) {
      const other = best(v.name);
      result('ingest', `readings/s, ${current} vs ${v.name} (best of ${ROUNDS})`, fmt(rate), {
        baseline: `${v.name} ${fmt(other.rate)}`,
        ratio: ratio(rate, other.rate),
      });
      // Less sensitive to what else runs than the rate: ingest's own CPU per reading.
      const cpuOf = (name: string) => Math.min(...outcomes.get(name)!.map((m) => m.ingestCpuPerK));
      result(
        'ingest',
        `ingest CPU per 1,000 readings, ${current} vs ${v.name} (least of ${ROUNDS})`,
        `${cpuOf(current).toFixed(0)} ms`,
        {
          baseline: `${v.name} ${cpuOf(v.name).toFixed(0)} ms`,
          ratio: ratio(cpuOf(current), cpuOf(v.name)),
        },
      );
    }

    const records = Math.max(100_000, run.items);
    // Its own topic, partitioned like telemetry.raw: its random records are no readings.
    const admin = new Kafka({
      brokers: (process.env.KAFKA_BROKERS as string).split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: PERF_TOPIC, numPartitions: 6, replicationFactor: 1 }],
    });
    await admin.disconnect();
    console.log(
      `baseline: kafka-producer-perf-test (ProducerPerformance ${kafkaVersion()}) ${fmt(records)} records of ${recordSize} B, acks=all, idempotent, ${PERF_TOPIC} (6 partitions, as telemetry.raw) · load ${loadAverage()}`,
    );
    const stopPerfCpu = sampleCpuSplit({
      'kafka broker': engines?.engines.find((e) => e.name === 'kafka')?.pid,
    });
    const perf = await runToEnd('java', [
      '-Xmx256m',
      '-cp',
      classpath,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      PERF_TOPIC,
      '--num-records',
      String(records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${process.env.KAFKA_BROKERS}`,
      'acks=all',
      'enable.idempotence=true',
    ]);
    const perfCpu = stopPerfCpu();
    const baseline = parseProducerPerf(perf.output);
    console.log(
      `kafka-producer-perf-test: ${fmt(baseline.recordsPerSecond)} records/s (${baseline.mbPerSecond} MB/s), latency avg ${baseline.avgLatencyMs} / p50 ${baseline.p50Ms} / p99 ${baseline.p99Ms} ms`,
    );
    console.log(
      `  CPU over the baseline (its JVM is in "other"), % of one core: ${formatCpuSplit(perfCpu)}`,
    );
    const replicas = variants[variants.length - 1].replicas;
    result(
      'ingest',
      `readings/s with real sinks (202 after Cosmos + Kafka), ingest ×${replicas}`,
      fmt(rate),
      {
        target: '≥ 20,000',
        met: rate >= 20_000,
      },
    );
    result('ingest', '202 p99', `${lat.p99} ms`, { target: '≤ 250 ms', met: lat.p99 <= 250 });
    result('ingest', 'Kafka write rate', `${fmt(rate)} records/s`, {
      baseline: `kafka-producer-perf-test ${fmt(baseline.recordsPerSecond)} records/s`,
      ratio: ratio(rate, baseline.recordsPerSecond),
      target: '≥ 0.50×',
      met: rate / baseline.recordsPerSecond >= 0.5,
    });
    result('ingest', 'RSS under load (largest replica)', `${rss.max} MiB`, {
      target: '≤ 150 MiB',
      met: rss.max <= 150,
    });
  } finally {
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
