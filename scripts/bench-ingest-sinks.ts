/**
 * Ingest with its real sinks (Cosmos stand-in + Kafka, each reading durable in both before the
 * 202), side by side with Kafka's own `kafka-producer-perf-test.sh` (ProducerPerformance, from
 * the kafka-tools jar of the same Kafka version as the broker) at the same record size and acks.
 *
 *   npm run bench -- ingest
 *   npx tsx scripts/bench-ingest-sinks.ts [--seconds 15] [--connections 32] [--batch 100]
 *   ENGINES=external npx tsx scripts/bench-ingest-sinks.ts   # engines from KAFKA_BROKERS, COSMOS_*
 *   INGEST_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx scripts/bench-ingest-sinks.ts
 *
 * Ingest runs compiled (dist/workloads/ingest/server.js), as in its image. The load is a closed
 * loop of 100-reading NDJSON batches on keep-alive connections, after a 3 s warm-up. The baseline
 * then writes as many records as ingest wrote in the measured run (at least 100,000), of the mean
 * size of a reading's Kafka value, acks=all, idempotent, to the same topic on the same broker.
 * Ingest's Kafka write rate is its accepted readings per second: each one is one Kafka record.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
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
import { kafkaVersion, startEngines } from './engines';
import type { Engines } from './engines';
import { startService } from '../test/e2e/services';
import { toReadings, parseTelemetryBody } from '../workloads/ingest/parse';
import { Fleet, toBodies } from '../workloads/simulator/generator';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    batch: { type: 'string', default: '100' },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const BATCH = Number(args.batch);
const PERF_TOPIC = `bench.producer-perf.${process.pid}`;

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
    const ingest = await startService(
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
            ...(process.env.INGEST_NODE_ARGS ?? '').split(' '),
          ].filter(Boolean),
        },
      },
    );
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

    console.log(
      `ingest (compiled) with Cosmos stand-in + Kafka: ${BATCH}-reading NDJSON batches, ${CONNECTIONS} connections, ` +
        `${SECONDS} s after a 3 s warm-up; Kafka value ${recordSize} B/reading · load ${loadAverage()}`,
    );
    const target = {
      url: `${ingest.url}/v1/telemetry`,
      bodies,
      contentType: 'application/x-ndjson',
    };
    await closedLoop({ ...target, connections: CONNECTIONS, seconds: 3 });
    const stopRss = sampleRss(ingest.proc.pid);
    const stopCpu = sampleCpuSplit({
      ingest: ingest.proc.pid,
      'cosmos stand-in': engines?.engines.find((e) => e.name === 'cosmos')?.pid,
      'kafka broker': engines?.engines.find((e) => e.name === 'kafka')?.pid,
      'load generator': process.pid,
    });
    const run = await closedLoop({ ...target, connections: CONNECTIONS, seconds: SECONDS });
    const cpu = stopCpu();
    const rss = stopRss();
    const lat = latencySummary(run.latenciesMs);
    const rate = run.items / run.seconds;
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    await ingest.stop();
    console.log(
      `ingest: ${fmt(rate)} readings/s (${fmt(run.requests / run.seconds)} requests/s), statuses ${JSON.stringify(run.byStatus)}, ` +
        `errors ${run.errors}; 202 latency p50 ${lat.p50} / p95 ${lat.p95} / p99 ${lat.p99} / max ${lat.max} ms; RSS max ${rss.max} MiB`,
    );
    console.log(
      `  CPU over the run, % of one core (200 % = the machine): ${formatCpuSplit(cpu)}; per 1,000 readings: ` +
        cpu
          .filter((c) => c.name !== 'machine' && c.name !== 'other')
          .map((c) => `${c.name} ${((c.seconds / Math.max(1, run.items)) * 1e6).toFixed(0)} ms`)
          .join(', '),
    );
    for (const dep of ['cosmos', 'kafka']) {
      const sum = Number(
        new RegExp(
          `ingest_dependency_write_seconds_sum\\{[^}]*dependency="${dep}",outcome="ok"\\} ([\\d.e+-]+)`,
        ).exec(metrics)?.[1],
      );
      const count = Number(
        new RegExp(
          `ingest_dependency_write_seconds_count\\{[^}]*dependency="${dep}",outcome="ok"\\} (\\d+)`,
        ).exec(metrics)?.[1],
      );
      if (count > 0)
        console.log(
          `  ingest's own metric: ${dep} write mean ${((sum / count) * 1000).toFixed(1)} ms over ${count} requests`,
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
    result('ingest', 'readings/s with real sinks (202 after Cosmos + Kafka)', fmt(rate), {
      target: '≥ 20,000',
      met: rate >= 20_000,
    });
    result('ingest', '202 p99', `${lat.p99} ms`, { target: '≤ 250 ms', met: lat.p99 <= 250 });
    result('ingest', 'Kafka write rate', `${fmt(rate)} records/s`, {
      baseline: `kafka-producer-perf-test ${fmt(baseline.recordsPerSecond)} records/s`,
      ratio: ratio(rate, baseline.recordsPerSecond),
      target: '≥ 0.50×',
      met: rate / baseline.recordsPerSecond >= 0.5,
    });
    result('ingest', 'RSS under load', `${rss.max} MiB`, {
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
