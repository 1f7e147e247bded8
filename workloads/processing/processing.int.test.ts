import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import Redis from 'ioredis';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  createTopics,
  freshDatabase,
  redisDb,
  testKafka,
  uniqueSuffix,
} from '../../test/e2e/fixtures';
import { eventually, startService } from '../../test/e2e/services';
import type { ServiceHandle } from '../../test/e2e/services';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import { REDIS_KEYS } from '../shared/redis';
import { aggregateReadings } from './aggregate';

jest.setTimeout(240_000);

const suffix = uniqueSuffix();
const TOPIC_ANALYZED = `it-analyzed-${suffix}`;
const TOPIC_ALERTS = `it-alerts-${suffix}`;
const REDIS_DB = 9;
const logDir = mkdtempSync(join(tmpdir(), 'processing-it-'));

function analyzed(deviceId: string, i: number): AnalyzedReading {
  const ts = new Date(Date.UTC(2026, 10, 27, 9, 0, 0) + i * 1000).toISOString();
  // Integer values: sums are exact whatever order the database adds them in.
  const temp = 20 + ((i * 7) % 13);
  return {
    id: `${deviceId}-${i}`,
    deviceId,
    ts,
    metrics: { temp, rpm: 1000 + (i % 50) },
    receivedAt: ts,
    features: {},
    score: 0.3,
    anomalous: false,
    analyzedAt: ts,
  };
}

function alertOf(deviceId: string, state: 'open' | 'resolved', i: number): AlertMessage {
  return {
    alertId: `${suffix}-${deviceId}`,
    deviceId,
    rule: 'threshold.high',
    metric: 'temp',
    state,
    severity: 'critical',
    value: 95,
    threshold: 90,
    score: 8,
    episodeStart: analyzed(deviceId, 0).ts,
    ts: analyzed(deviceId, i).ts,
    readingId: `${deviceId}-${i}`,
    message: `temp 95 above 90 on ${deviceId}`,
  };
}

describe('processing service against Kafka, PostgreSQL and Redis', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let redis: Redis;
  let producer: Producer;
  let hookServer: http.Server;
  const hooks: { body: AlertMessage; signature: string | undefined }[] = [];
  let env: Record<string, string>;
  let service: ServiceHandle | undefined;
  const kafka = testKafka('processing-it');

  beforeAll(async () => {
    db = await freshDatabase('processing_it');
    pool = new Pool({ connectionString: db.url, max: 3 });
    redis = new Redis(redisDb(REDIS_DB));
    await redis.flushdb();
    await createTopics(kafka, [
      { topic: TOPIC_ANALYZED, partitions: 6 },
      { topic: TOPIC_ALERTS, partitions: 3 },
    ]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hooks.push({
          body: JSON.parse(body),
          signature: req.headers['x-signature-256'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisDb(REDIS_DB),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
      KAFKA_GROUP_ID: `processing-it-${suffix}`,
      TOPIC_ANALYZED,
      TOPIC_ALERTS,
      ALERT_WEBHOOK_URLS: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
      ALERT_WEBHOOK_SECRET: 'it-secret',
    };
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await redis?.quit();
    await pool?.end();
    await new Promise((r) => hookServer?.close(r));
    await db?.drop();
  });

  async function send(topic: string, values: Array<AnalyzedReading | AlertMessage>) {
    for (let i = 0; i < values.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: values
          .slice(i, i + 500)
          .map((v) => ({ key: v.deviceId, value: JSON.stringify(v) })),
      });
    }
  }

  async function storedTotal(topic: string): Promise<number> {
    const { rows } = await pool.query(
      'SELECT coalesce(sum(next_offset), 0)::int AS n FROM kafka_offsets WHERE topic = $1',
      [topic],
    );
    return rows[0].n;
  }

  async function aggregateRows(deviceIds: string[]) {
    const { rows } = await pool.query(
      `SELECT device_id, metric, minute, count::int, sum, min, max, last FROM metric_minute
        WHERE device_id = ANY($1) ORDER BY device_id, metric, minute`,
      [deviceIds],
    );
    return sortRows(rows.map((r) => ({ ...r, minute: (r.minute as Date).toISOString() })));
  }

  function sortRows<T extends { device_id: string; metric: string; minute: string }>(rows: T[]) {
    // In JS, not SQL: ORDER BY follows the database collation, which orders ids differently.
    return rows.sort((a, b) => {
      const ka = `${a.device_id}|${a.metric}|${a.minute}`;
      const kb = `${b.device_id}|${b.metric}|${b.minute}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  function expectedRows(readings: AnalyzedReading[]) {
    return sortRows(
      aggregateReadings(readings).map((a) => ({
        device_id: a.deviceId,
        metric: a.metric,
        minute: a.minute,
        count: a.count,
        sum: a.sum,
        min: a.min,
        max: a.max,
        last: a.last,
      })),
    );
  }

  it('lands analyzed readings as aggregates and latest values, alerts in PostgreSQL, on the stream and at the webhook', async () => {
    service = await startService('processing', env, { logDir, logName: 'processing-1.log' });
    const devices = ['it-a', 'it-b', 'it-c'];
    const readings = devices.flatMap((d) => Array.from({ length: 90 }, (_, i) => analyzed(d, i)));
    // Re-published duplicates (analysis retried after its own restart) must not count twice.
    await send(TOPIC_ANALYZED, [...readings, ...readings.slice(0, 20)]);
    const alerts = [alertOf('it-a', 'open', 10), alertOf('it-a', 'resolved', 40)];
    await send(TOPIC_ALERTS, [...alerts, alerts[0]]);

    await eventually('all messages applied', async () =>
      (await storedTotal(TOPIC_ANALYZED)) === readings.length + 20 &&
      (await storedTotal(TOPIC_ALERTS)) === 3
        ? true
        : undefined,
    );
    expect(await aggregateRows(devices)).toEqual(expectedRows(readings));

    const stored = await pool.query('SELECT alert_id, state FROM alerts ORDER BY ts');
    expect(stored.rows.map((r) => r.state)).toEqual(['open', 'resolved']);

    await eventually('latest values in redis', async () => {
      const h = await redis.hgetall(REDIS_KEYS.deviceLatest('it-b'));
      return h.readingId === 'it-b-89' ? h : undefined;
    });
    expect(await redis.zrange(REDIS_KEYS.devicesLastSeen, 0, -1)).toEqual(
      expect.arrayContaining(devices),
    );
    const entries = await eventually('alerts on the stream', async () => {
      const xs = await redis.xrange(REDIS_KEYS.alertsStream, '-', '+');
      return xs.length >= 2 ? xs : undefined;
    });
    expect(entries.map(([, f]) => JSON.parse(f[1]).state)).toEqual(['open', 'resolved']);
    await eventually('webhook deliveries', async () => (hooks.length >= 2 ? true : undefined));
    expect(hooks.map((h) => h.body.state).sort()).toEqual(['open', 'resolved']);
    expect(hooks.every((h) => h.signature?.startsWith('sha256='))).toBe(true);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/processing_readings_total\{outcome="duplicate"[^}]*\} 20/);
  });

  it('loses and duplicates nothing when killed mid-stream and restarted', async () => {
    const devices = Array.from({ length: 12 }, (_, i) => `crash-${i}`);
    const readings = devices.flatMap((d) => Array.from({ length: 1500 }, (_, i) => analyzed(d, i)));
    const before = await storedTotal(TOPIC_ANALYZED);

    // Produce while the consumer runs; kill it (SIGKILL: nothing flushed, no Kafka commit of the
    // batch in flight) once it is partway through, then produce the rest.
    const producing = send(TOPIC_ANALYZED, readings);
    await eventually(
      'processing partway through',
      async () => ((await storedTotal(TOPIC_ANALYZED)) - before > 3000 ? true : undefined),
      120_000,
      50,
    );
    await service?.kill();
    const atKill = (await storedTotal(TOPIC_ANALYZED)) - before;
    await producing;
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(readings.length);

    service = await startService('processing', env, { logDir, logName: 'processing-2.log' });
    await eventually(
      'every message applied after restart',
      async () =>
        (await storedTotal(TOPIC_ANALYZED)) - before === readings.length ? true : undefined,
      120_000,
    );
    expect(await aggregateRows(devices)).toEqual(expectedRows(readings));
    const counted = await pool.query(
      'SELECT count(*)::int AS n FROM processed_readings WHERE device_id = ANY($1)',
      [devices],
    );
    expect(counted.rows[0].n).toBe(readings.length);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const s = service as ServiceHandle;
    await s.stop();
    expect(await s.proc.whenExited).toBe(0);
    expect(s.logs(20)).toMatch(/"msg":"shutdown complete"/);
    service = undefined;
  });
});
