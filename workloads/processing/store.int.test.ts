import Redis from 'ioredis';
import pino from 'pino';
import { Pool } from 'pg';
import { freshDatabase, redisDb } from '../../test/e2e/fixtures';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import { REDIS_KEYS } from '../shared/redis';
import { aggregateReadings } from './aggregate';
import { RedisCache } from './cache';
import { migrate } from './migrate';
import { AlertNotifier } from './notifier';
import { ensurePartitions } from './partitions';
import { ProcessingStore } from './store';
import type { BatchMessage } from './store';

const TOPICS = { analyzed: 'telemetry.analyzed', alerts: 'alerts' };

function reading(deviceId: string, second: number, temp: number, minute = 0): AnalyzedReading {
  const ts = new Date(Date.UTC(2026, 10, 27, 10, minute, second)).toISOString();
  return {
    id: `${deviceId}-${minute}-${second}`,
    deviceId,
    ts,
    metrics: { temp, hum: 50 + (second % 3) },
    receivedAt: ts,
    features: {},
    score: temp > 90 ? 6 : 0.5,
    anomalous: temp > 90,
    analyzedAt: ts,
  };
}

function alert(deviceId: string, state: 'open' | 'resolved', ts: string): AlertMessage {
  return {
    alertId: `alert-${deviceId}`,
    deviceId,
    rule: 'threshold.high',
    metric: 'temp',
    state,
    severity: 'critical',
    value: 99,
    threshold: 90,
    score: 6,
    episodeStart: '2026-11-27T10:00:00.000Z',
    ts,
    readingId: 'r',
    message: 'temp above 90',
  };
}

function messages(values: unknown[], firstOffset = 0): BatchMessage[] {
  return values.map((v, i) => ({
    offset: String(firstOffset + i),
    key: null,
    value: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)),
  }));
}

// Both write methods (ADR 0017) must leave the same tables: every store test runs on each.
describe.each(['copy', 'json'] as const)('ProcessingStore on PostgreSQL (%s)', (writeMethod) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let store: ProcessingStore;

  beforeAll(async () => {
    db = await freshDatabase('store_it');
    pool = new Pool({ connectionString: db.url, max: 6 });
    await migrate(pool);
    store = new ProcessingStore(pool, {
      groupId: 'g',
      topics: { [TOPICS.analyzed]: 'analyzed', [TOPICS.alerts]: 'alerts' },
      writeMethod,
    });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  async function aggregates(deviceId: string) {
    const { rows } = await pool.query(
      `SELECT metric, minute, count::int, sum, min, max, last FROM metric_minute
        WHERE device_id = $1 ORDER BY metric, minute`,
      [deviceId],
    );
    return rows.map((r) => ({ ...r, minute: (r.minute as Date).toISOString() }));
  }

  function expected(readings: AnalyzedReading[]) {
    return aggregateReadings(readings)
      .map((a) => ({
        metric: a.metric,
        minute: a.minute,
        count: a.count,
        sum: a.sum,
        min: a.min,
        max: a.max,
        last: a.last,
      }))
      .sort((a, b) => (a.metric + a.minute < b.metric + b.minute ? -1 : 1));
  }

  it('migrations are recorded once even when two replicas start together', async () => {
    const other = new Pool({ connectionString: db.url, max: 2 });
    const [a, b] = await Promise.all([migrate(other), migrate(pool)]);
    await other.end();
    expect([...a, ...b]).toEqual([]);
    const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('applies a batch with one upsert per table and skips it when redelivered', async () => {
    const rs = Array.from({ length: 40 }, (_, i) => reading('dev-a', i, 20 + (i % 5), i % 2));
    const batch = { topic: TOPICS.analyzed, partition: 0, messages: messages(rs) };
    const first = await store.apply(batch);
    expect(first).toMatchObject({ fresh: 40, replayed: 0, newReadings: 40, nextOffset: '40' });
    expect(await aggregates('dev-a')).toEqual(expected(rs));

    // The crash case: committed to PostgreSQL, not to Kafka, so Kafka delivers it again.
    const again = await store.apply(batch);
    expect(again).toMatchObject({ fresh: 0, replayed: 40, newReadings: 0 });
    expect(await aggregates('dev-a')).toEqual(expected(rs));
  });

  it('counts a reading re-published upstream (same id, new offset) once', async () => {
    const rs = [reading('dev-b', 1, 10), reading('dev-b', 2, 30)];
    await store.apply({ topic: TOPICS.analyzed, partition: 1, messages: messages(rs) });
    const dup = await store.apply({
      topic: TOPICS.analyzed,
      partition: 1,
      messages: messages([rs[1], rs[0], reading('dev-b', 3, 20), rs[1]], 2),
    });
    expect(dup).toMatchObject({ fresh: 4, newReadings: 1, duplicateReadings: 3 });
    // Only the new reading is folded in and reported as the latest (not the batch's others).
    expect(dup.latest.map((d) => d.readingId)).toEqual(['dev-b-0-3']);
    expect(await aggregates('dev-b')).toEqual(expected([...rs, reading('dev-b', 3, 20)]));

    // A batch of nothing but readings processed before changes no aggregate and no device.
    const before = await pool.query("SELECT reading_id FROM devices WHERE device_id = 'dev-b'");
    const none = await store.apply({
      topic: TOPICS.analyzed,
      partition: 1,
      messages: messages([rs[0], reading('dev-b', 3, 20)], 6),
    });
    expect(none).toMatchObject({ fresh: 2, newReadings: 0, duplicateReadings: 2, latest: [] });
    expect(none.nextOffset).toBe('8');
    expect(await aggregates('dev-b')).toEqual(expected([...rs, reading('dev-b', 3, 20)]));
    expect(
      (await pool.query("SELECT reading_id FROM devices WHERE device_id = 'dev-b'")).rows,
    ).toEqual(before.rows);
  });

  it('folds a batch of new readings of many devices and minutes with one statement', async () => {
    const rs = ['dev-h1', 'dev-h2', 'dev-h3'].flatMap((d) =>
      Array.from({ length: 30 }, (_, i) => reading(d, i % 60, i * 1.5, i % 3)),
    );
    const r = await store.apply({ topic: TOPICS.analyzed, partition: 6, messages: messages(rs) });
    expect(r).toMatchObject({ fresh: 90, newReadings: 90, duplicateReadings: 0 });
    expect(r.latest.map((d) => [d.deviceId, d.readingId]).sort()).toEqual([
      ['dev-h1', 'dev-h1-2-29'],
      ['dev-h2', 'dev-h2-2-29'],
      ['dev-h3', 'dev-h3-2-29'],
    ]);
    for (const d of ['dev-h1', 'dev-h2', 'dev-h3'])
      expect(await aggregates(d)).toEqual(expected(rs.filter((x) => x.deviceId === d)));
  });

  it('lets only one of two concurrent consumers of a partition apply a batch', async () => {
    const rs = Array.from({ length: 25 }, (_, i) => reading('dev-c', i, i));
    const batch = { topic: TOPICS.analyzed, partition: 2, messages: messages(rs) };
    const results = await Promise.all([store.apply(batch), store.apply(batch)]);
    expect(results.map((r) => r.newReadings).sort()).toEqual([0, 25]);
    expect(await aggregates('dev-c')).toEqual(expected(rs));
  });

  it('keeps poison messages in processing_rejects and moves past them', async () => {
    const r = await store.apply({
      topic: TOPICS.analyzed,
      partition: 3,
      messages: messages(['not json', reading('dev-d', 1, 5), { id: 'x' }]),
    });
    expect(r.rejects.map((x) => x.reason)).toEqual(['value is not JSON', 'deviceId is missing']);
    expect(r.nextOffset).toBe('3');
    const { rows } = await pool.query(
      'SELECT "offset"::int, reason FROM processing_rejects WHERE partition = 3 ORDER BY 1',
    );
    expect(rows).toEqual([
      { offset: 0, reason: 'value is not JSON' },
      { offset: 2, reason: 'deviceId is missing' },
    ]);
    expect(await store.storedOffsets(TOPICS.analyzed)).toEqual(
      new Map([
        [0, '40'],
        [1, '8'],
        [2, '25'],
        [3, '3'],
        [6, '90'],
      ]),
    );
  });

  it('stores a sum of squares that overflows to Infinity instead of failing the batch forever', async () => {
    const big = [1e200, -1e200, 3].map((v, i) => ({
      ...reading('dev-i', i, 0),
      metrics: { x: v },
    }));
    const r = await store.apply({ topic: TOPICS.analyzed, partition: 7, messages: messages(big) });
    expect(r).toMatchObject({ newReadings: 3, nextOffset: '3' });
    const { rows } = await pool.query(
      "SELECT count::int, sum, sumsq, min, max FROM metric_minute WHERE device_id = 'dev-i'",
    );
    expect(rows).toEqual([{ count: 3, sum: 3, sumsq: Infinity, min: -1e200, max: 1e200 }]);
  });

  it('keeps the latest reading per device whatever the order batches land in', async () => {
    await store.apply({
      topic: TOPICS.analyzed,
      partition: 4,
      messages: messages([reading('dev-e', 30, 7)]),
    });
    await store.apply({
      topic: TOPICS.analyzed,
      partition: 4,
      messages: messages([reading('dev-e', 10, 99)], 1),
    });
    const { rows } = await pool.query("SELECT metrics FROM devices WHERE device_id = 'dev-e'");
    expect(rows[0].metrics.temp).toBe(7);
  });

  it('stores each alert transition once and reports only new ones for notification', async () => {
    const open = alert('dev-f', 'open', '2026-11-27T10:00:00.000Z');
    const resolved = alert('dev-f', 'resolved', '2026-11-27T10:05:00.000Z');
    const a = await store.apply({
      topic: TOPICS.alerts,
      partition: 0,
      messages: messages([open, open, resolved]),
    });
    expect(a.newAlerts.map((x) => x.state)).toEqual(['open', 'resolved']);
    const b = await store.apply({
      topic: TOPICS.alerts,
      partition: 1,
      messages: messages([open]),
    });
    expect(b.newAlerts).toEqual([]);
    expect((await store.unnotifiedAlerts()).map((x) => x.state)).toEqual(['open', 'resolved']);
    await store.markNotified(a.newAlerts);
    expect(await store.unnotifiedAlerts()).toEqual([]);
  });

  it('routes rows without a day partition to the default one and moves them when it is created', async () => {
    const far = new Date(Date.UTC(2031, 0, 15, 12, 0, 0)).toISOString();
    const r = { ...reading('dev-g', 0, 1), ts: far, id: 'far-1' };
    await store.apply({ topic: TOPICS.analyzed, partition: 5, messages: messages([r]) });
    const where = async () =>
      (
        await pool.query(
          "SELECT tableoid::regclass::text AS t FROM metric_minute WHERE device_id = 'dev-g'",
        )
      ).rows.map((x) => x.t);
    expect(await where()).toEqual(['metric_minute_default', 'metric_minute_default']);
    expect(await ensurePartitions(pool, new Date(far), 0, 0)).toBe(3);
    expect(await where()).toEqual(['metric_minute_p20310115', 'metric_minute_p20310115']);
    // Free space for HOT updates (migration 003): new partitions get the default's fillfactor.
    const { rows } = await pool.query(
      "SELECT reloptions FROM pg_class WHERE relname IN ('metric_minute_default', 'metric_minute_p20310115')",
    );
    expect(rows).toEqual([{ reloptions: ['fillfactor=70'] }, { reloptions: ['fillfactor=70'] }]);
    expect(await ensurePartitions(pool, new Date(far), 0, 0)).toBe(0);
  });
});

describe('RedisCache on Redis', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisDb(11));
    await redis.flushdb();
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('never moves a device back in time', async () => {
    const cache = new RedisCache(redis);
    const late = {
      deviceId: 'x',
      ts: '2026-11-27T10:00:10.000Z',
      readingId: 'b',
      metrics: { t: 2 },
      score: 0,
      anomalous: false,
    };
    const early = { ...late, ts: '2026-11-27T10:00:05.000Z', readingId: 'a', metrics: { t: 1 } };
    await cache.setLatest([late]);
    await cache.setLatest([early]);
    const h = await redis.hgetall(REDIS_KEYS.deviceLatest('x'));
    expect(JSON.parse(h.metrics)).toEqual({ t: 2 });
    expect(await redis.zscore(REDIS_KEYS.devicesLastSeen, 'x')).toBe(String(Date.parse(late.ts)));
  });

  it('puts each (alertId, state) on the stream once, and keeps recent alerts capped', async () => {
    const cache = new RedisCache(redis, { recentAlerts: 3 });
    const open = alert('y', 'open', '2026-11-27T10:00:00.000Z');
    const first = await cache.notify([open, alert('y', 'resolved', '2026-11-27T10:01:00.000Z')]);
    const second = await cache.notify([open]);
    expect(first.every((id) => typeof id === 'string')).toBe(true);
    expect(second).toEqual([null]);
    expect(await redis.xlen(REDIS_KEYS.alertsStream)).toBe(2);
    for (let i = 0; i < 5; i++) {
      await cache.notify([
        { ...open, alertId: `z${i}`, ts: new Date(Date.UTC(2026, 10, 27, 11, i)).toISOString() },
      ]);
    }
    const recent = await redis.zrange(REDIS_KEYS.alertsRecent, 0, -1);
    expect(recent.map((j) => JSON.parse(j).alertId)).toEqual(['z2', 'z3', 'z4']);
  });
});

describe('AlertNotifier outbox on PostgreSQL and Redis', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let redis: Redis;

  beforeAll(async () => {
    db = await freshDatabase('outbox_it');
    pool = new Pool({ connectionString: db.url, max: 3 });
    await migrate(pool);
    redis = new Redis(redisDb(8));
    await redis.flushdb();
  });

  afterAll(async () => {
    await redis.quit();
    await pool.end();
    await db.drop();
  });

  it('publishes alerts a crash left unnotified on the next sweep, once, and keeps them while Redis is down', async () => {
    const store = new ProcessingStore(pool, { groupId: 'o', topics: { alerts: 'alerts' } });
    // Committed to PostgreSQL, then the process died before publishing: nothing on the stream.
    await store.apply({
      topic: 'alerts',
      partition: 0,
      messages: messages([alert('o1', 'open', '2026-11-27T10:00:00.000Z')]),
    });
    const logger = pino({ level: 'silent' });

    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const failures: Error[] = [];
    await new AlertNotifier(store, new RedisCache(dead), undefined, logger, {
      failed: (e) => failures.push(e),
    }).sweep();
    expect(failures).toHaveLength(1);
    expect(await store.unnotifiedAlerts()).toHaveLength(1);
    dead.disconnect();

    const published: number[] = [];
    const notifier = new AlertNotifier(store, new RedisCache(redis), undefined, logger, {
      published: (added) => published.push(added),
    });
    await notifier.sweep();
    await notifier.sweep();
    expect(published).toEqual([1]);
    expect(await store.unnotifiedAlerts()).toEqual([]);
    expect(await redis.xlen(REDIS_KEYS.alertsStream)).toBe(1);
  });
});
