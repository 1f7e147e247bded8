/**
 * End-to-end alert latency: from ingest's 202 for a spiking reading to the alert arriving on
 * web's SSE stream, under a steady background load, plus the RSS of each service.
 *
 *   npm run bench -- e2e                               # 2,000 and 5,000 readings/s
 *   npx tsx scripts/bench-e2e.ts                       # one rate (--rate, default 2000)
 *   npx tsx scripts/bench-e2e.ts --rate 5000 --spikes 100
 *   ENGINES=external npx tsx scripts/bench-e2e.ts      # engines from KAFKA_BROKERS, DATABASE_URL, …
 *   ANALYSIS_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx scripts/bench-e2e.ts --rate 5000
 *     # <SERVICE>_NODE_ARGS adds node options to that one service (profiles, --trace-gc, --inspect)
 *
 * The four services run compiled (dist/workloads, built first when stale), one process each, as
 * in their images. Baseline, in the same run: the same spikes with no background load first
 * (`--idle-spikes`), so the ratio says what the load costs. Consumer lag of analysis (on
 * telemetry.raw) and processing (on telemetry.analyzed) is sampled every second during the
 * measured window: bounded means it ends no higher than 2 s of traffic. Background readings come in batches every 100 ms from the simulator's `Fleet`
 * (`--devices` devices, daily cycle + noise, random anomalies off); each spike (temperature 150)
 * goes to its own fresh device, so each one opens a new alert episode (threshold rule
 * temperature > 50, and the z-score rule). Latency is measured from the moment ingest's 202
 * arrives to the moment the alert arrives on web's `/api/stream`; the request time itself
 * (send → 202) is reported separately. Over the measured window it prints each process's CPU
 * (services, Cosmos stand-in, broker, Redis, load generator; PostgreSQL's backends land in
 * "other"), and the CPU in the second of analysis's largest lag; the JSON line carries the
 * per-second CPU timeline beside the lag samples.
 */
import { mkdtempSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import {
  SERVICE_NODE_ARGS,
  buildWorkloads,
  formatCpuSplit,
  loadAverage,
  ratio,
  result as result_,
  sampleCpuSplit,
  sampleCpuTimeline,
} from './bench-lib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Engines } from './engines';
import { startEngines } from './engines';
import { postReadings, startPipeline } from '../test/e2e/pipeline';
import type { Pipeline } from '../test/e2e/pipeline';
import { rssBytes } from '../test/e2e/services';
import { Fleet } from '../workloads/simulator/generator';
import { openSse } from '../test/e2e/sse-client';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    devices: { type: 'string', default: '1000' },
    'idle-spikes': { type: 'string', default: '10' },
    spikes: { type: 'string', default: '50' },
    'spike-interval-ms': { type: 'string', default: '500' },
    'warmup-s': { type: 'string', default: '10' },
  },
});
const RATE = Number(args.rate);
const DEVICES = Number(args.devices);
const SPIKES = Number(args.spikes);
const SPIKE_INTERVAL_MS = Number(args['spike-interval-ms']);
const WARMUP_S = Number(args['warmup-s']);
const IDLE_SPIKES = Number(args['idle-spikes']);

/** Summed consumer lag (high watermark − committed offset) of every group named `prefix…` on `topic`. */
async function lagOf(
  admin: ReturnType<Kafka['admin']>,
  prefix: string,
  topic: string,
): Promise<number> {
  const { groups } = await admin.listGroups();
  const high = await admin.fetchTopicOffsets(topic);
  let lag = 0;
  for (const g of groups.filter(
    (x) => x.groupId.startsWith(prefix) && !x.groupId.includes('-replay-'),
  )) {
    const [committed] = await admin.fetchOffsets({ groupId: g.groupId, topics: [topic] });
    for (const p of high) {
      const c = Number(
        committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? -1,
      );
      lag += Number(p.high) - Math.max(0, c);
    }
  }
  return lag;
}

interface Reading {
  deviceId: string;
  ts: string;
  seq: number;
  metrics: Record<string, number>;
}

/** Normal values for the few readings that precede a spike on its fresh device. */
function normal(deviceId: string, index: number, seq: number, now: number): Reading {
  const phase = (now / 60_000 + index) % (2 * Math.PI);
  return {
    deviceId,
    ts: new Date(now).toISOString(),
    seq,
    metrics: {
      temperature: 21 + 3 * Math.sin(phase) + (Math.random() - 0.5),
      humidity: 45 + 5 * Math.cos(phase) + (Math.random() - 0.5) * 2,
      vibration: 0.4 + Math.random() * 0.1,
    },
  };
}

/**
 * Where a service's memory is, from its own /metrics (prom-client's default Node metrics): RSS,
 * V8 heap used/total, the young ("new") and old spaces, and memory outside the heap (Buffers).
 */
async function memoryBreakdown(url: string): Promise<string> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    // `name{labels} value` lines; labels (the service's own, a heap space's) in any order.
    const get = (name: string, label = '') => {
      const line = text
        .split('\n')
        .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(label));
      return line ? (Number(line.slice(line.lastIndexOf(' ') + 1)) / 1048576).toFixed(1) : '?';
    };
    return (
      `rss ${get('process_resident_memory_bytes')}, heap used ${get('nodejs_heap_size_used_bytes')} of ${get('nodejs_heap_size_total_bytes')}` +
      ` (new ${get('nodejs_heap_space_size_total_bytes', 'space="new"')}, old ${get('nodejs_heap_space_size_total_bytes', 'space="old"')} total),` +
      ` external ${get('nodejs_external_memory_bytes')} MiB`
    );
  } catch (error) {
    return `no /metrics (${(error as Error).message})`;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

const mib = (b: number) => (b / 1048576).toFixed(1);

async function main(): Promise<void> {
  buildWorkloads();
  let engines: Engines | undefined;
  if (process.env.ENGINES !== 'external') {
    engines = await startEngines({ log: (m) => console.log(`engines: ${m}`) });
    Object.assign(process.env, engines.env);
  }
  const logDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await startPipeline({
      logDir,
      redisDb: 14,
      compiled: { nodeArgs: SERVICE_NODE_ARGS },
      env: Object.fromEntries(
        ['ingest', 'analysis', 'processing', 'web'].map((n) => [n, { LOG_LEVEL: 'warn' }]),
      ),
    });
    const p = pipeline;
    console.log(`services up, compiled (logs in ${logDir}) · load ${loadAverage()}`);
    const admin = new Kafka({
      brokers: (process.env.KAFKA_BROKERS as string).split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();

    /** Posts `count` spikes, each on a fresh device, and times 202 → alert on the SSE stream. */
    const spikes = async (count: number, tag: string) => {
      const stream = await openSse(`${p.web.url}/api/stream`);
      const out = {
        latencies: [] as number[],
        requestMs: [] as number[],
        fromSendMs: [] as number[],
        missed: 0,
        retries: 0,
      };
      for (let i = 0; i < count; i++) {
        const deviceId = `spike-${tag}-${process.pid}-${i}`;
        const base = Date.now() - 10_000;
        const readings: Reading[] = Array.from({ length: 5 }, (_, k) =>
          normal(deviceId, i, k + 1, base + k * 1000),
        );
        readings.push({
          deviceId,
          ts: new Date().toISOString(),
          seq: 6,
          metrics: { temperature: 150, humidity: 45, vibration: 0.4 },
        });
        const sentAt = Date.now();
        // A 503 (a dependency too slow on a busy machine) is retried, as a device would after
        // Retry-After; the time counts from the first attempt.
        let posted = await postReadings(p.ingest.url, readings);
        for (let retry = 0; posted.status === 503 && retry < 5; retry++) {
          out.retries++;
          await new Promise((r) => setTimeout(r, 1000));
          posted = await postReadings(p.ingest.url, readings);
        }
        const acceptedAt = Date.now();
        out.requestMs.push(acceptedAt - sentAt);
        if (posted.status !== 202) throw new Error(`spike ${i} answered ${posted.status}`);
        try {
          const e = await stream.waitFor(
            (ev) =>
              ev.event === 'alert' &&
              (JSON.parse(ev.data) as { deviceId: string }).deviceId === deviceId,
            15_000,
          );
          // Can be slightly negative: the reading is on Kafka before ingest answers, so the
          // alert may overtake the 202 on its way back to us.
          out.latencies.push(e.at - acceptedAt);
          out.fromSendMs.push(e.at - sentAt);
        } catch {
          out.missed++;
        }
        await new Promise((r) => setTimeout(r, SPIKE_INTERVAL_MS));
      }
      stream.close();
      return out;
    };
    const idle = await spikes(IDLE_SPIKES, 'idle');
    const idleSorted = [...idle.latencies].sort((a, b) => a - b);
    console.log(
      `baseline, no background load: 202 → SSE alert over ${idle.latencies.length} spikes p50 ${percentile(idleSorted, 50)} ms, p99 ${percentile(idleSorted, 99)} ms, missed ${idle.missed} · load ${loadAverage()}`,
    );

    // Background load: the simulator's fleet (daily cycle + noise), its random anomalies off so
    // the only alerts are the measured spikes.
    const fleet = new Fleet({
      devices: DEVICES,
      anomalyRate: 0,
      seed: 42,
      prefix: `bench-${process.pid}`,
    });
    let accepted = 0;
    let failed = 0;
    const perTick = RATE / 10;
    let carry = 0;
    let running = true;
    let skipped = 0;
    const MAX_IN_FLIGHT = 64;
    const inFlight = new Set<Promise<void>>();
    const background = (async () => {
      let next = Date.now();
      while (running) {
        carry += perTick;
        const n = Math.floor(carry);
        carry -= n;
        const batch = fleet.take(n, Date.now());
        // Fire and go on: ingest answers after its Cosmos bulk write, so awaiting each request
        // would cap the rate at one batch per round trip. Bounded, so a stall cannot pile up.
        if (batch.length > 0 && inFlight.size < MAX_IN_FLIGHT) {
          const req = postReadings(p.ingest.url, batch)
            .then((r) => {
              if (r.status === 202) accepted += r.body.accepted ?? 0;
              else failed += batch.length;
            })
            .catch(() => {
              failed += batch.length;
            })
            .finally(() => inFlight.delete(req));
          inFlight.add(req);
        } else if (batch.length > 0) {
          skipped += batch.length;
        }
        next += 100;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    })();

    // RSS sampling of every service.
    const rss: Record<string, number[]> = {};
    const services = [p.ingest, p.analysis, p.processing, p.web];
    const sampler = setInterval(() => {
      for (const s of services) {
        const v = rssBytes(s.proc.pid);
        if (v !== undefined) (rss[s.name] ??= []).push(v);
      }
    }, 500);

    console.log(`warm-up: ${WARMUP_S} s at ${RATE} readings/s over ${DEVICES} devices`);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    for (const k of Object.keys(rss)) rss[k] = [];
    const loadStart = Date.now();
    const acceptedAtLoadStart = accepted;

    // Who had the cores: over the measured window, and second by second beside the lag samples.
    const enginePid = (name: string) => engines?.engines.find((e) => e.name === name)?.pid;
    const cpuProcs = {
      ingest: p.ingest.proc.pid,
      analysis: p.analysis.proc.pid,
      processing: p.processing.proc.pid,
      web: p.web.proc.pid,
      'cosmos stand-in': enginePid('cosmos'),
      'kafka broker': enginePid('kafka'),
      redis: enginePid('redis'),
      'load generator': process.pid,
    };
    const stopCpu = sampleCpuSplit(cpuProcs);
    const stopCpuTimeline = sampleCpuTimeline(cpuProcs);
    const lags: { analysis: number; processing: number }[] = [];
    const lagSampler = setInterval(() => {
      void Promise.all([
        lagOf(admin, 'analysis-', 'telemetry.raw'),
        lagOf(admin, 'processing-', 'telemetry.analyzed'),
      ])
        .then(([analysis, processing]) => lags.push({ analysis, processing }))
        .catch(() => undefined);
    }, 1000);
    const measured = await spikes(SPIKES, 'load');
    clearInterval(lagSampler);
    const cpu = stopCpu();
    const cpuTimeline = stopCpuTimeline();
    const breakdown = await Promise.all(
      services.map(async (s) => `  memory ${s.name.padEnd(10)} ${await memoryBreakdown(s.url)}`),
    );
    const { latencies, requestMs, fromSendMs, missed } = measured;
    if (measured.retries + idle.retries > 0)
      console.log(
        `  spike requests retried after a 503: ${idle.retries} idle, ${measured.retries} under load`,
      );
    const loadS = (Date.now() - loadStart) / 1000;
    const achieved = (accepted - acceptedAtLoadStart) / loadS;
    running = false;
    await background;
    await Promise.all(inFlight);
    clearInterval(sampler);
    await admin.disconnect();

    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
      backgroundRate: {
        target: RATE,
        achievedAcceptedPerS: Number(achieved.toFixed(1)),
        failedReadings: failed,
        skippedReadings: skipped,
      },
      spikeRequestMs: (() => {
        const r = [...requestMs].sort((a, b) => a - b);
        return { p50: percentile(r, 50), p95: percentile(r, 95), p99: percentile(r, 99) };
      })(),
      sendToAlertMs: (() => {
        const r = [...fromSendMs].sort((a, b) => a - b);
        return { p50: percentile(r, 50), p95: percentile(r, 95), p99: percentile(r, 99) };
      })(),
      devices: DEVICES,
      spikes: SPIKES,
      missed,
      latencyMs: {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        min: sorted[0],
        max: sorted[sorted.length - 1],
      },
      rssMiB: Object.fromEntries(
        Object.entries(rss).map(([name, xs]) => [
          name,
          {
            max: Number(mib(Math.max(...xs))),
            mean: Number(mib(xs.reduce((a, b) => a + b, 0) / xs.length)),
          },
        ]),
      ),
    };
    console.log(
      `\n202 → SSE alert latency over ${latencies.length} spikes at ${achieved.toFixed(0)} readings/s background:` +
        ` p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms` +
        ` (min ${result.latencyMs.min}, max ${result.latencyMs.max}, missed ${missed})`,
    );
    console.log(
      `  ingest request → 202: p50 ${result.spikeRequestMs.p50} ms, p95 ${result.spikeRequestMs.p95} ms, p99 ${result.spikeRequestMs.p99} ms`,
    );
    console.log(
      `  request sent → SSE alert: p50 ${result.sendToAlertMs.p50} ms, p95 ${result.sendToAlertMs.p95} ms, p99 ${result.sendToAlertMs.p99} ms`,
    );
    for (const [name, r] of Object.entries(result.rssMiB)) {
      console.log(`  RSS ${name.padEnd(10)} max ${r.max} MiB, mean ${r.mean} MiB`);
    }
    for (const line of breakdown) console.log(line);
    const lagLine = (k: 'analysis' | 'processing') =>
      lags.length === 0
        ? 'no samples'
        : `first ${lags[0][k]}, max ${Math.max(...lags.map((l) => l[k]))}, last ${lags[lags.length - 1][k]}`;
    console.log(
      `  consumer lag (messages, ${lags.length} samples 1 s apart): analysis ${lagLine('analysis')}; processing ${lagLine('processing')}`,
    );
    console.log(
      `  CPU over the measured window, % of one core (200 % = the machine; PostgreSQL's backends are in "other"): ${formatCpuSplit(cpu)}`,
    );
    const worst = lags.reduce((w, l, i) => (l.analysis > lags[w].analysis ? i : w), 0);
    if (cpuTimeline[worst])
      console.log(
        `  CPU in the second of analysis's largest lag (sample ${worst + 1}, ${lags[worst]?.analysis ?? 0} messages): ${Object.entries(
          cpuTimeline[worst],
        )
          .map(([n, v]) => `${n} ${v} %`)
          .join(', ')}`,
      );
    console.log(JSON.stringify({ ...result, lags, cpuTimeline }));
    const limit = RATE >= 5000 ? 1000 : 250;
    result_(
      'e2e',
      `202 → SSE alert p99 at ${Math.round(achieved)} readings/s (target rate ${RATE})`,
      `${result.latencyMs.p99} ms (p50 ${result.latencyMs.p50}, missed ${missed} of ${SPIKES})`,
      {
        baseline: `no background load p99 ${percentile(idleSorted, 99)} ms`,
        ratio: ratio(result.latencyMs.p99, percentile(idleSorted, 99)),
        target: `≤ ${limit} ms, 0 missed`,
        met: result.latencyMs.p99 <= limit && missed === 0,
      },
    );
    const bounded = (k: 'analysis' | 'processing') =>
      lags.length > 0 && lags[lags.length - 1][k] <= Math.max(2 * RATE, 1000);
    result_(
      'e2e',
      `consumer lag at ${Math.round(achieved)} readings/s`,
      `analysis ${lagLine('analysis')}; processing ${lagLine('processing')}`,
      {
        target: 'bounded (last ≤ 2 s of traffic)',
        met: bounded('analysis') && bounded('processing'),
      },
    );
  } finally {
    await pipeline?.stop();
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
