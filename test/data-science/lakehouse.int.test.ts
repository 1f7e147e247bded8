// The lakehouse job (data-science/jobs/telemetry_lakehouse.py) on real Spark against the real local
// Kafka broker: known readings and alerts in, Delta tables read back with delta-rs
// (data-science/tools/dump_tables.py; a Delta implementation independent of the job's), compared
// with what was sent and with gold features computed here. The job is killed with SIGKILL
// mid-stream and restarted, with records sent while it is down and after the restart, and
// finally stopped with SIGTERM.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertId, readingId } from '../../workloads/shared/ids';
import { KafkaProducer, createKafka } from '../../workloads/shared/kafka';
import type { AlertMessage, AnalyzedReading } from '../../workloads/shared/messages';
import { silentLogger, testKafkaSettings } from '../../workloads/shared/testing';
import { SparkRun, assertSparkInstalled, root, venvPython } from './spark';

// Two job runs, each a JVM start (~10-20 s on two idle cores) plus the work; generous for a
// loaded machine.
jest.setTimeout(1_500_000);

const JOB = 'data-science/jobs/telemetry_lakehouse.py';
const DUMP = 'data-science/tools/dump_tables.py';
// Records per micro-batch (both topics): several batches per run, few enough MERGEs to stay quick.
const MAX_OFFSETS = 150;

const run = randomUUID().slice(0, 8);
const readingsTopic = `lakehouse-it-readings-${run}`;
const alertsTopic = `lakehouse-it-alerts-${run}`;
const devices = ['a', 'b', 'c', 'd'].map((d) => `lakehouse-it-${run}-${d}`);
const settings = testKafkaSettings('lakehouse-it');
const kafka = createKafka(settings, silentLogger());
let producer: KafkaProducer;
let dir: string;
/** Jobs still running, killed in afterAll if the test failed or timed out before stopping them. */
const running = new Set<SparkRun>();

beforeAll(async () => {
  assertSparkInstalled();
  dir = mkdtempSync(join(tmpdir(), 'lakehouse-it-'));
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: readingsTopic, numPartitions: 3, replicationFactor: 1 },
      { topic: alertsTopic, numPartitions: 2, replicationFactor: 1 },
    ],
  });
  await admin.disconnect();
  producer = await KafkaProducer.connect(kafka, settings);
});

afterAll(async () => {
  for (const job of running) {
    job.kill9();
    await job.exited;
  }
  await producer?.disconnect();
  if (dir && process.env.KEEP_LAKEHOUSE_DIR !== '1') rmSync(dir, { recursive: true, force: true });
});

/** The n-th reading of the test: deterministic values, multiples of 0.25 (exact in binary). */
function reading(n: number): AnalyzedReading {
  const deviceId = devices[n % devices.length]!;
  // Spread over five minutes, a few readings per device-minute.
  const ts = new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + n * 701).toISOString();
  const metrics: Record<string, number> = { temp: 20 + ((n * 7) % 40) * 0.25 };
  if (n % 3 !== 0) metrics.hum = 40 + ((n * 11) % 30) * 0.5;
  const anomalous = n % 7 === 0;
  return {
    id: readingId({ deviceId, ts, seq: n }),
    deviceId,
    ts,
    seq: n,
    metrics,
    receivedAt: ts,
    features: { temp: { mean: 25, std: 2, z: anomalous ? 4.2 : 0.3, ewma: 25.5, n: n + 1 } },
    score: anomalous ? 4.2 : 0.3,
    anomalous,
    analyzedAt: ts,
  };
}

/** Open and resolve transitions of alert episode k. */
function alerts(k: number): AlertMessage[] {
  const r = reading(k * 7);
  const base = {
    alertId: alertId({ deviceId: r.deviceId, rule: 'zscore', metric: 'temp', episodeStart: r.ts }),
    deviceId: r.deviceId,
    rule: 'zscore',
    metric: 'temp',
    severity: 'warning' as const,
    value: r.metrics.temp!,
    score: 4.2,
    episodeStart: r.ts,
    readingId: r.id,
  };
  return [
    { ...base, state: 'open', ts: r.ts, message: `temp z-score 4.2 on ${r.deviceId}` },
    { ...base, state: 'resolved', ts: reading(k * 7 + 4).ts, message: 'back to normal' },
  ];
}

const sentReadings: unknown[] = [];
const sentAlerts: unknown[] = [];

async function send(readings: readonly unknown[], alertMessages: readonly unknown[]) {
  const keyOf = (m: unknown) => (m as { deviceId?: string }).deviceId ?? null;
  await producer.send([
    { topic: readingsTopic, messages: readings.map((value) => ({ key: keyOf(value), value })) },
    { topic: alertsTopic, messages: alertMessages.map((value) => ({ key: keyOf(value), value })) },
  ]);
  sentReadings.push(...readings);
  sentAlerts.push(...alertMessages);
}

function jobArgs(trigger: string): string[] {
  return [
    '--kafka-mode',
    'local',
    '--kafka-brokers',
    process.env.KAFKA_BROKERS!,
    '--readings-topic',
    readingsTopic,
    '--alerts-topic',
    alertsTopic,
    '--lakehouse-path',
    join(dir, 'lakehouse'),
    '--trigger',
    trigger,
    '--max-offsets-per-trigger',
    String(MAX_OFFSETS),
  ];
}

interface Tables {
  bronze: { topic: string; partition: number; offset: number; key: string; value: string }[];
  silver: {
    reading_id: string;
    device_id: string;
    ts: string;
    minute: string;
    seq: number;
    metrics: Record<string, number>;
    anomalous: boolean;
    score: number;
  }[];
  gold: {
    device_id: string;
    minute: string;
    metric: string;
    readings: number;
    mean: number;
    min: number;
    max: number;
    stddev: number;
    anomalous_readings: number;
  }[];
  alerts: { alert_id: string; state: string; device_id: string; reading_id: string }[];
}

/** The tables through delta-rs (data-science/tools/dump_tables.py): not Spark, not the job. */
function readTables(): { tables: Tables; ms: number } {
  const started = Date.now();
  const r = spawnSync(venvPython, [DUMP, join(dir, 'lakehouse')], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`dump_tables exited ${r.status}:\n${r.stderr}`);
  const tables: Tables = { bronze: [], silver: [], gold: [], alerts: [] };
  for (const line of r.stdout.trim().split('\n')) {
    const { table, row } = JSON.parse(line) as { table: keyof Tables; row: never };
    tables[table].push(row);
  }
  return { tables, ms: Date.now() - started };
}

/** Per device, minute (UTC) and metric, from distinct readings: the gold table's definition. */
function referenceGold(readings: readonly AnalyzedReading[]) {
  const groups = new Map<string, { values: number[]; anomalous: number }>();
  for (const r of readings) {
    const minute = `${r.ts.slice(0, 16)}:00.000Z`;
    for (const [metric, value] of Object.entries(r.metrics)) {
      const key = `${r.deviceId}|${minute}|${metric}`;
      const g = groups.get(key) ?? { values: [], anomalous: 0 };
      g.values.push(value);
      if (r.anomalous) g.anomalous += 1;
      groups.set(key, g);
    }
  }
  return [...groups.entries()]
    .map(([key, g]) => {
      const [device_id, minute, metric] = key.split('|') as [string, string, string];
      const n = g.values.length;
      const mean = g.values.reduce((a, b) => a + b, 0) / n;
      const variance = g.values.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
      return {
        device_id,
        minute,
        metric,
        readings: n,
        mean,
        min: Math.min(...g.values),
        max: Math.max(...g.values),
        stddev: Math.sqrt(variance),
        anomalous_readings: g.anomalous,
      };
    })
    .sort((a, b) =>
      `${a.device_id}|${a.minute}|${a.metric}`.localeCompare(
        `${b.device_id}|${b.minute}|${b.metric}`,
      ),
    );
}

describe('lakehouse job on real Spark and Kafka', () => {
  it('writes exactly the readings sent, survives kill -9 mid-stream, and computes gold features', async () => {
    const t0 = Date.now();
    const figures: Record<string, unknown> = {};

    // Phase A: 400 readings, 12 re-sent (at-least-once upstream), 2 invalid records; 4 alert
    // episodes (open + resolve) and one re-sent transition. Sent in two parts: the second while
    // run 1 is working, so that records are in flight when it is killed.
    const a = Array.from({ length: 400 }, (_, n) => reading(n));
    const invalid = ['not an object', { deviceId: devices[0], ts: a[0]!.ts, metrics: { temp: 1 } }];
    await send([...a.slice(0, 250), ...a.slice(0, 12)], [...alerts(0), ...alerts(1)]);
    const firstPart = 262 + 4;

    // Run 1: an interval trigger, rate-limited. Once silver has committed a batch, the rest of
    // phase A goes out; the job is SIGKILLed as soon as bronze has committed some of it, while
    // silver has not (silver reads bronze's commits on its next trigger, seconds later).
    const run1 = new SparkRun(JOB, jobArgs('1s'));
    running.add(run1);
    await run1.waitFor(
      (events) =>
        events.some((e) => e.event === 'batch' && e.stream === 'silver' && e.input_rows! > 0),
      'silver committed a batch',
    );
    await send([...a.slice(250), ...invalid], [...alerts(2), ...alerts(3), alerts(0)[0]]);
    await run1.waitFor(
      () => run1.committedRows('bronze') > firstPart,
      'bronze committed records of the second part',
    );
    run1.kill9();
    const exit1 = await run1.exited;
    running.delete(run1);
    figures.run1 = {
      signal: exit1.signal,
      seconds: exit1.ms / 1000,
      bronzeRowsCommitted: run1.committedRows('bronze'),
      silverRowsCommitted: run1.committedRows('silver'),
      alertsRowsCommitted: run1.committedRows('alerts'),
      phaseARecords: sentReadings.length + sentAlerts.length,
    };
    expect(exit1.signal).toBe('SIGKILL');
    // Mid-stream: silver had committed some of phase A's readings, not all.
    expect(run1.committedRows('silver')).toBeGreaterThan(0);
    expect(run1.committedRows('silver')).toBeLessThan(sentReadings.length);

    // Phase B, while the job is down: 150 new readings, 40 re-sends of phase A, two episodes.
    const b = Array.from({ length: 150 }, (_, n) => reading(400 + n));
    await send([...b, ...a.slice(100, 140)], [...alerts(60), ...alerts(61)]);

    // Run 2: restarts from the checkpoints. Phase C goes out once it has committed a silver
    // batch: 50 new readings, re-sends from A and B, a re-sent episode.
    const run2 = new SparkRun(JOB, jobArgs('1s'));
    running.add(run2);
    await run2.waitFor(
      (events) =>
        events.some((e) => e.event === 'batch' && e.stream === 'silver' && e.input_rows! > 0),
      'silver committed a batch after the restart',
    );
    const c = Array.from({ length: 50 }, (_, n) => reading(550 + n));
    await send([...c, ...a.slice(390, 400), ...b.slice(0, 10)], [...alerts(61), ...alerts(70)]);

    // Wait, reading the tables, until everything sent is there; then a SIGTERM to the job's
    // driver stops it gracefully (exit 0). Exactness is asserted below, on the final tables.
    const distinct = [...a, ...b, ...c];
    const reference = referenceGold(distinct);
    const goldReadings = reference.reduce((sum, g) => sum + g.readings, 0);
    const alertKeys = new Set((sentAlerts as AlertMessage[]).map((m) => `${m.alertId}|${m.state}`));
    let polls = 0;
    for (;;) {
      const { tables: t } = readTables();
      polls += 1;
      const ids = new Set(t.silver.map((r) => r.reading_id));
      if (
        t.bronze.length >= sentReadings.length + sentAlerts.length &&
        distinct.every((r) => ids.has(r.id)) &&
        t.gold.reduce((sum, g) => sum + g.readings, 0) >= goldReadings &&
        t.alerts.length >= alertKeys.size
      ) {
        break;
      }
      if (run2.exitedCode() !== undefined) {
        throw new Error(`run 2 exited before it caught up:\n${run2.stderrTail()}`);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const driverPid = run2.events.find((e) => e.event === 'start')?.pid as number;
    process.kill(driverPid, 'SIGTERM');
    const exit2 = await run2.exited;
    running.delete(run2);
    figures.run2 = {
      exit: exit2.code,
      seconds: exit2.ms / 1000,
      bronzeRowsCommitted: run2.committedRows('bronze'),
      silverRowsCommitted: run2.committedRows('silver'),
      bronzeBatches: run2.committedBatches('bronze'),
      tablePolls: polls,
    };
    if (exit2.code !== 0) throw new Error(`run 2 exited ${exit2.code}:\n${run2.stderrTail()}`);
    expect(run2.events.some((e) => e.event === 'signal' && e.signal === 'SIGTERM')).toBe(true);

    const { tables, ms: readMs } = readTables();
    figures.readerSeconds = readMs / 1000;

    // Bronze: every record sent, once (no (topic, partition, offset) twice), values as sent.
    const coordinates = new Set(tables.bronze.map((r) => `${r.topic}/${r.partition}/${r.offset}`));
    expect(coordinates.size).toBe(tables.bronze.length);
    const bronzeValues = (topic: string) =>
      tables.bronze
        .filter((r) => r.topic === topic)
        .map((r) => r.value)
        .sort();
    // The producer sends a string as is and anything else JSON-encoded.
    const encoded = (m: unknown) => (typeof m === 'string' ? m : JSON.stringify(m));
    expect(bronzeValues(readingsTopic)).toEqual(sentReadings.map(encoded).sort());
    expect(bronzeValues(alertsTopic)).toEqual(sentAlerts.map(encoded).sort());

    // Silver: exactly the distinct valid readings, once each, with their content.
    const expectedSilver = distinct
      .map((r) => ({
        reading_id: r.id,
        device_id: r.deviceId,
        ts: r.ts,
        minute: `${r.ts.slice(0, 16)}:00.000Z`,
        seq: r.seq,
        metrics: r.metrics,
        anomalous: r.anomalous,
        score: r.score,
      }))
      .sort((x, y) => x.reading_id.localeCompare(y.reading_id));
    const silver = tables.silver.map((r) => ({
      reading_id: r.reading_id,
      device_id: r.device_id,
      ts: r.ts,
      minute: r.minute,
      seq: r.seq,
      metrics: r.metrics,
      anomalous: r.anomalous,
      score: r.score,
    }));
    const lost = expectedSilver.length - new Set(silver.map((r) => r.reading_id)).size;
    const duplicated = silver.length - new Set(silver.map((r) => r.reading_id)).size;
    figures.silver = { rows: silver.length, expected: expectedSilver.length, lost, duplicated };
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(silver).toEqual(expectedSilver);

    // Gold: equal to the reference computed here from the distinct readings.
    figures.gold = { rows: tables.gold.length, expected: reference.length };
    expect(tables.gold.map((g) => [g.device_id, g.minute, g.metric])).toEqual(
      reference.map((g) => [g.device_id, g.minute, g.metric]),
    );
    tables.gold.forEach((g, i) => {
      const ref = reference[i]!;
      expect({
        readings: g.readings,
        min: g.min,
        max: g.max,
        anomalous: g.anomalous_readings,
      }).toEqual({
        readings: ref.readings,
        min: ref.min,
        max: ref.max,
        anomalous: ref.anomalous_readings,
      });
      expect(Math.abs(g.mean - ref.mean)).toBeLessThan(1e-9);
      expect(Math.abs(g.stddev - ref.stddev)).toBeLessThan(1e-9);
    });

    // Alerts: one row per (alertId, state) sent.
    const expectedAlerts = [
      ...new Set(
        (sentAlerts as AlertMessage[]).map(
          (m) => `${m.alertId}|${m.state}|${m.deviceId}|${m.readingId}`,
        ),
      ),
    ].sort();
    expect(
      tables.alerts.map((r) => `${r.alert_id}|${r.state}|${r.device_id}|${r.reading_id}`).sort(),
    ).toEqual(expectedAlerts);

    figures.sent = { readingRecords: sentReadings.length, alertRecords: sentAlerts.length };
    figures.totalSeconds = (Date.now() - t0) / 1000;
    console.log(`lakehouse figures: ${JSON.stringify(figures)}`);
  });
});
