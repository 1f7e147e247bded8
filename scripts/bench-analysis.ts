/**
 * Analysis' consumption capacity: how many readings per second the compiled analysis service
 * takes off `telemetry.raw` (parse, validate, score, produce `telemetry.analyzed` + alerts,
 * commit), against a bare kafkajs consumer + producer that does no work at all, in the same
 * run, on the same messages.
 *
 *   npm run bench -- analysis
 *   npx tsx scripts/bench-analysis.ts --readings 150000 --rounds 2
 *   npx tsx scripts/bench-analysis.ts --compare before=/tmp/old/dist   # another build, same run
 *   ENGINES=external npx tsx scripts/bench-analysis.ts
 *   npx tsx scripts/bench-analysis.ts --cpu-prof /tmp/prof   # + CPU profiles of analysis
 *   npx tsx scripts/bench-analysis.ts --variant small=ANALYSIS_FETCH_MAX_BYTES=65536,X=1
 *     # analysis again with these settings, as one more contender of each round; NODE_ARGS=…
 *     # (space-separated) replaces the image's node options for that contender
 *
 * `--readings` simulator readings (1,000 devices, as the e2e benchmark) are written to
 * `telemetry.raw` first. Then, per round, each contender drains the whole topic with a fresh
 * consumer group, one after the other (never side by side), and the rate is taken from the
 * group's committed offsets between 5 % and 100 % of the messages, so start-up and the group
 * join are left out:
 * - baseline: a bare kafkajs consumer (analysis' fetch and concurrency settings, manual commit
 *   after the produce) copying each value unchanged to a scratch topic with the same idempotent,
 *   acks=all producer — the Kafka client's own cost, the ceiling for any consumer of this topic;
 * - analysis: `dist/workloads/analysis/server.js` with the node options of its image's CMD;
 * - each `--compare label=<dist folder>`: that build's analysis, with the same options (e.g. a
 *   build of an earlier commit, for a before/after measured side by side).
 * It prints each contender's rate, its ratio to the round's baseline, its max RSS and the load.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import {
  ROOT,
  buildWorkloads,
  fmt,
  loadAverage,
  ratio,
  result,
  sampleRss,
  serviceNodeArgs,
} from './bench-lib';
import { startEngines } from './engines';
import type { Engines } from './engines';
import { spawnManaged } from './engines/process';
import type { ManagedProcess } from './engines/process';
import { readingId } from '../workloads/shared/ids';
import { Fleet } from '../workloads/simulator/generator';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '150000' },
    rounds: { type: 'string', default: '2' },
    compare: { type: 'string', multiple: true, default: [] },
    'timeout-s': { type: 'string', default: '90' },
    'cpu-prof': { type: 'string' },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
const READINGS = Number(args.readings);
const ROUNDS = Number(args.rounds);
const TIMEOUT_MS = Number(args['timeout-s']) * 1000;
const RAW = 'telemetry.raw';
const SCRATCH = 'bench.passthrough';

/** The baseline consumer as a plain script (no loader, no project code): only kafkajs. */
const PASSTHROUGH = `
const { Kafka, Partitioners, logLevel } = require(${JSON.stringify(require.resolve('kafkajs'))});
const kafka = new Kafka({ clientId: 'bench-passthrough', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.WARN });
(async () => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: process.env.CONSUMER_GROUP, maxBytesPerPartition: Number(process.env.MAX_BYTES_PER_PARTITION || 1048576), allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [${JSON.stringify(RAW)}], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Number(process.env.CONCURRENCY || 3),
    eachBatch: async ({ batch, resolveOffset }) => {
      if (batch.messages.length === 0) return;
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: ${JSON.stringify(SCRATCH)}, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) }] });
      const last = batch.messages[batch.messages.length - 1].offset;
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    },
  });
  const stop = async () => { await consumer.disconnect(); await producer.disconnect(); process.exit(0); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Contender {
  readonly label: string;
  /** node arguments (options + script) */
  readonly args: (group: string) => string[];
  readonly env: (group: string) => Record<string, string>;
}

async function committed(admin: ReturnType<Kafka['admin']>, group: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [RAW] });
  return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Runs one contender until its group has committed `total` messages; returns its rate. */
async function drain(
  admin: ReturnType<Kafka['admin']>,
  c: Contender,
  total: number,
  logDir: string,
  round: number,
): Promise<{ rate: number; rssMax: number }> {
  const group = `bench-analysis-${c.label}-${round}-${process.pid}`;
  const proc: ManagedProcess = spawnManaged({
    name: c.label,
    command: process.execPath,
    args: c.args(group),
    cwd: ROOT,
    logFile: join(logDir, `${c.label}-${round}.log`),
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', PORT: '0', ...c.env(group) },
  });
  const rss = sampleRss(proc.pid, 250);
  const deadline = Date.now() + TIMEOUT_MS;
  let first: { t: number; n: number } | undefined;
  let done: { t: number; n: number } | undefined;
  let r: { max: number; mean: number };
  try {
    while (!done) {
      if (proc.exited) throw new Error(`${c.label} exited; see ${proc.logFile}`);
      if (Date.now() > deadline) throw new Error(`${c.label}: not drained in ${TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
      const n = await committed(admin, group).catch(() => 0);
      const t = performance.now();
      if (!first && n >= total * 0.05) first = { t, n };
      if (n >= total) done = { t, n };
    }
  } finally {
    // Stop sampling first: a process being reaped has no VmRSS any more.
    r = rss();
    await proc.stop('SIGTERM', 15_000);
  }
  const rate = first && done.t > first.t ? ((done.n - first.n) / (done.t - first.t)) * 1000 : NaN;
  return { rate, rssMax: r.max };
}

async function main(): Promise<void> {
  buildWorkloads();
  let engines: Engines | undefined;
  if (process.env.ENGINES !== 'external') {
    engines = await startEngines({ log: (m) => console.log(`engines: ${m}`) });
    Object.assign(process.env, engines.env);
  }
  const logDir = mkdtempSync(join(tmpdir(), 'bench-analysis-'));
  const kafka = new Kafka({
    clientId: 'bench-analysis',
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: SCRATCH, numPartitions: 6 }] }).catch(() => false);
    const before = (await admin.fetchTopicOffsets(RAW)).reduce((n, p) => n + Number(p.high), 0);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const fleet = new Fleet({ devices: 1000, anomalyRate: 0, seed: 5, prefix: `ba${process.pid}` });
    // Each device one reading a second (distinct ids: analysis drops repeated ones), in the past.
    const start = Date.now() - READINGS;
    for (let i = 0; i < READINGS; i += 5000) {
      const n = Math.min(5000, READINGS - i);
      const readings = Array.from({ length: Math.ceil(n / 1000) }, (_, k) =>
        fleet.take(Math.min(1000, n - k * 1000), start + i + k * 1000),
      ).flat();
      const receivedAt = new Date().toISOString();
      await producer.send({
        topic: RAW,
        acks: 1,
        messages: readings.map((r) => ({
          key: r.deviceId,
          value: JSON.stringify({
            id: readingId({ deviceId: r.deviceId, ts: r.ts }),
            ...r,
            receivedAt,
          }),
        })),
      });
    }
    await producer.disconnect();
    const total = (await admin.fetchTopicOffsets(RAW)).reduce((n, p) => n + Number(p.high), 0);
    console.log(
      `analysis capacity: ${fmt(total - before)} readings written to ${RAW} (${fmt(total)} on the topic, 6 partitions, 1,000 devices); each contender drains all of it with a fresh group, ${ROUNDS} round(s) · load ${loadAverage()}`,
    );

    const script = join(logDir, 'passthrough.cjs');
    writeFileSync(script, PASSTHROUGH);
    const nodeArgs = [
      ...serviceNodeArgs('analysis'),
      ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : []),
    ];
    console.log(`analysis node options (its Dockerfile CMD): ${nodeArgs.join(' ') || '(none)'}`);
    const analysisEnv = (group: string) => ({
      CONSUMER_GROUP: group,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
    });
    const contenders: Contender[] = [
      {
        label: 'baseline',
        args: () => [script],
        env: (group) => ({ CONSUMER_GROUP: group }),
      },
      {
        label: 'analysis',
        args: () => [...nodeArgs, join(ROOT, 'dist', 'workloads', 'analysis', 'server.js')],
        env: analysisEnv,
      },
      ...(args.variant ?? []).map((spec): Contender => {
        // label=NAME=value,NAME=value (a value may hold '=', e.g. NODE_OPTIONS=--x=1)
        const label = spec.slice(0, Math.max(0, spec.indexOf('=')));
        const pairs = spec.slice(label.length + 1).split(',');
        if (!label || pairs.some((p) => p.indexOf('=') < 1)) {
          throw new Error(`--variant expects label=NAME=value,NAME=value: ${spec}`);
        }
        const extra = Object.fromEntries(
          pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
        );
        // NODE_ARGS replaces the image's node options (space-separated; empty for none).
        const { NODE_ARGS, ...env } = extra;
        const options = NODE_ARGS === undefined ? nodeArgs : NODE_ARGS.split(' ').filter(Boolean);
        return {
          label,
          args: () => [...options, join(ROOT, 'dist', 'workloads', 'analysis', 'server.js')],
          env: (group) => ({ ...analysisEnv(group), ...env }),
        };
      }),
      ...(args.compare ?? []).map((spec): Contender => {
        const [label, dist] = spec.split('=');
        if (!label || !dist) throw new Error(`--compare expects label=<dist folder>: ${spec}`);
        return {
          label,
          args: () => [...nodeArgs, join(dist, 'workloads', 'analysis', 'server.js')],
          env: analysisEnv,
        };
      }),
    ];
    const rates = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
    const rssMax = new Map<string, number>();
    for (let round = 1; round <= ROUNDS; round++) {
      let base = NaN;
      for (const c of contenders) {
        const r = await drain(admin, c, total, logDir, round);
        if (c.label === 'baseline') base = r.rate;
        rates.get(c.label)!.push(r.rate);
        rssMax.set(c.label, Math.max(rssMax.get(c.label) ?? 0, r.rssMax));
        console.log(
          `round ${round} ${c.label}: ${fmt(r.rate)} readings/s${c.label === 'baseline' ? '' : `, ${ratio(r.rate, base)} of this round's baseline`}, RSS max ${r.rssMax} MiB · load ${loadAverage()}`,
        );
      }
    }
    const best = (label: string) => Math.max(...rates.get(label)!);
    for (const c of contenders.slice(1)) {
      result(
        'analysis',
        `${c.label} readings/s taken off ${RAW}, best of ${ROUNDS}`,
        `${fmt(best(c.label))} (RSS max ${rssMax.get(c.label)} MiB)`,
        {
          baseline: `bare kafkajs consumer + producer ${fmt(best('baseline'))} readings/s`,
          ratio: ratio(best(c.label), best('baseline')),
          target: '≥ 5,000 readings/s (stretch 10,000) alongside the other services',
          met: best(c.label) >= 5000,
        },
      );
    }
    console.log(`logs in ${logDir}`);
  } finally {
    await admin.disconnect();
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
