// The lakehouse job (data-science/jobs/telemetry_lakehouse.py) on real Spark against the real local
// Kafka broker: known readings and alerts in, Delta tables read back through a second Spark
// session (data-science/tools/dump_tables.py), compared with what was sent and with gold features
// computed here independently. The job is killed with SIGKILL mid-stream and restarted twice.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertId, readingId } from '../../workloads/shared/ids';
import { KafkaProducer, createKafka } from '../../workloads/shared/kafka';
import type { AlertMessage, AnalyzedReading } from '../../workloads/shared/messages';
import { silentLogger, testKafkaSettings } from '../../workloads/shared/testing';
import { SparkRun, assertSparkInstalled, sparkSubmit } from './spark';

// Three job runs and a reader, each a JVM start (~10-20 s on two idle cores), plus the work.
jest.setTimeout(900_000);

const JOB = 'data-science/jobs/telemetry_lakehouse.py';
const DUMP = 'data-science/tools/dump_tables.py';
const MAX_OFFSETS = 50;

const run = randomUUID().slice(0, 8);
const readingsTopic = `lakehouse-it-readings-${run}`;
const alertsTopic = `lakehouse-it-alerts-${run}`;
const devices = ['a', 'b', 'c', 'd'].map((d) => `lakehouse-it-${run}-${d}`);
const settings = testKafkaSettings('lakehouse-it');
const kafka = createKafka(settings, silentLogger());
let producer: KafkaProducer;
let dir: string;

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

async function readTables(): Promise<{ tables: Tables; ms: number }> {
  const { run: reader, code, ms } = await sparkSubmit(DUMP, [join(dir, 'lakehouse')]);
  if (code !== 0) throw new Error(`dump_tables exited ${code}:\n${reader.stderrTail()}`);
  const tables: Tables = { bronze: [], silver: [], gold: [], alerts: [] };
  for (const e of reader.events) {
    (tables[e.table as keyof Tables] as unknown[]).push(e.row);
  }
  return { tables, ms };
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
    // episodes (open + resolve) and one re-sent transition.
    const a = Array.from({ length: 400 }, (_, n) => reading(n));
    const invalid = ['not an object', { deviceId: devices[0], ts: a[0]!.ts, metrics: { temp: 1 } }];
    await send(
      [...a, ...a.slice(0, 12), ...invalid],
      [...alerts(0), ...alerts(1), ...alerts(2), ...alerts(3), alerts(0)[0]],
    );

    // Run 1: an interval trigger, rate-limited, SIGKILLed once silver has committed a batch.
    const run1 = new SparkRun(JOB, jobArgs('1s'));
    await run1.waitFor(
      (events) =>
        events.some((e) => e.event === 'batch' && e.stream === 'silver' && e.input_rows! > 0),
      'silver committed a batch',
    );
    run1.kill9();
    const exit1 = await run1.exited;
    figures.run1 = {
      signal: exit1.signal,
      seconds: exit1.ms / 1000,
      bronzeRowsCommitted: run1.committedRows('bronze'),
      silverRowsCommitted: run1.committedRows('silver'),
      alertsRowsCommitted: run1.committedRows('alerts'),
    };
    expect(exit1.signal).toBe('SIGKILL');
    // Mid-stream: the readings topic had more than silver had committed when the job died.
    expect(run1.committedRows('silver')).toBeGreaterThan(0);
    expect(run1.committedRows('silver')).toBeLessThan(a.length + 14);

    // Phase B, while the job is down: 150 new readings, 40 re-sends of phase A, two episodes.
    const b = Array.from({ length: 150 }, (_, n) => reading(400 + n));
    await send([...b, ...a.slice(100, 140)], [...alerts(60), ...alerts(61)]);

    // Run 2: restart from the checkpoints; available-now drains what is there and exits 0.
    const run2 = await sparkSubmit(JOB, jobArgs('available-now'));
    figures.run2 = {
      exit: run2.code,
      seconds: run2.ms / 1000,
      bronzeRowsCommitted: run2.run.committedRows('bronze'),
      silverRowsCommitted: run2.run.committedRows('silver'),
      bronzeBatches: run2.run.committedBatches('bronze'),
    };
    if (run2.code !== 0) throw new Error(`run 2 exited ${run2.code}:\n${run2.run.stderrTail()}`);

    // Phase C, after the restart: 50 new readings, re-sends from A and B, a re-sent episode.
    const c = Array.from({ length: 50 }, (_, n) => reading(550 + n));
    await send([...c, ...a.slice(390, 400), ...b.slice(0, 10)], [...alerts(61), ...alerts(70)]);
    const run3 = await sparkSubmit(JOB, jobArgs('available-now'));
    figures.run3 = {
      exit: run3.code,
      seconds: run3.ms / 1000,
      bronzeRowsCommitted: run3.run.committedRows('bronze'),
      silverRowsCommitted: run3.run.committedRows('silver'),
    };
    if (run3.code !== 0) throw new Error(`run 3 exited ${run3.code}:\n${run3.run.stderrTail()}`);

    const { tables, ms: readMs } = await readTables();
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
    const distinct = [...a, ...b, ...c];
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
    const reference = referenceGold(distinct);
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
