import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import pino from 'pino';
import { Pool } from 'pg';
import { freshDatabase, redisDb } from '../../test/e2e/fixtures';
import { openSse } from '../../test/e2e/sse-client';
import { RedisCache } from '../processing/cache';
import { migrate } from '../processing/migrate';
import { ProcessingStore } from '../processing/store';
import { Health } from '../shared/health';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import { Metrics } from '../shared/metrics';
import { pingRedis } from '../shared/redis';
import { CONTENT_SECURITY_POLICY, createWebApp } from './app';
import { FLEET_CACHE_KEYS, WebQueries } from './queries';
import type { DeviceView, FleetSummary, HistoryPoint } from './queries';
import { REDIS_KEYS } from '../shared/redis';
import { SseHub } from './sse';

jest.setTimeout(60_000);

const REDIS_DB = 10;
const logger = pino({ level: 'silent' });
const minuteAgo = (n: number) => new Date(Date.now() - n * 60_000);
const minuteStart = Math.floor(Date.now() / 60_000) * 60_000;

function reading(deviceId: string, at: Date, temp: number, anomalous = false): AnalyzedReading {
  const ts = at.toISOString();
  return {
    id: `${deviceId}-${ts}`,
    deviceId,
    ts,
    metrics: { temp, hum: 40 },
    receivedAt: ts,
    features: {},
    score: anomalous ? 7 : 0.2,
    anomalous,
    analyzedAt: ts,
  };
}

/** Metric names that collide with what every plain JavaScript object inherits. */
const INTERNALS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

/** A reading whose metrics are named {@link INTERNALS} (JSON.parse: __proto__ stays a key). */
function internalsReading(deviceId: string, at: Date): AnalyzedReading {
  const metrics = JSON.parse(
    `{${INTERNALS.map((m, i) => `${JSON.stringify(m)}:${i}`).join(',')}}`,
  ) as Record<string, number>;
  return { ...reading(deviceId, at, 0), metrics };
}

function alert(
  deviceId: string,
  state: 'open' | 'resolved',
  at: Date,
  id = `al-${deviceId}`,
): AlertMessage {
  return {
    alertId: id,
    deviceId,
    rule: 'threshold.high',
    metric: 'temp',
    state,
    severity: 'critical',
    value: 99,
    threshold: 90,
    score: 7,
    episodeStart: at.toISOString(),
    ts: at.toISOString(),
    readingId: 'r',
    message: `temp 99 above 90 on ${deviceId}`,
  };
}

/** The fields of the API's answers these tests read. */
interface ApiBody {
  source: string;
  count: number;
  fleet: FleetSummary | null;
  devices: DeviceView[];
  series: Record<string, HistoryPoint[]>;
  alerts: AlertMessage[];
}

interface Running {
  url: string;
  hub: SseHub;
  reader: Redis;
  close(): Promise<void>;
}

async function startWeb(
  pool: Pool,
  redis: Redis,
  heartbeatMs = 15_000,
  queries = new WebQueries(pool, redis),
): Promise<Running> {
  const reader = new Redis(redisDb(REDIS_DB), {
    connectionName: 'web-stream-reader',
    maxRetriesPerRequest: null,
  });
  const hub = new SseHub(reader, redis, { logger, heartbeatMs });
  await hub.start();
  const health = new Health().addCheck('redis', () => pingRedis(redis));
  const app = createWebApp({
    queries,
    hub,
    health,
    metrics: new Metrics('web', { collectDefaults: false }),
    logger,
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hub,
    reader,
    close: async () => {
      await hub.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('web app on PostgreSQL and Redis', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let redis: Redis;
  let cache: RedisCache;
  let web: Running;

  beforeAll(async () => {
    db = await freshDatabase('web_it');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrate(pool);
    redis = new Redis(redisDb(REDIS_DB));
    await redis.flushdb();
    cache = new RedisCache(redis);
    const store = new ProcessingStore(pool, {
      groupId: 'web-it',
      topics: { analyzed: 'analyzed', alerts: 'alerts' },
    });
    // Seed through processing's own write path, so the reads meet what production writes.
    const readings = [
      // Inside whole minutes, so the per-minute grouping never depends on when the test runs.
      reading('pump-1', new Date(minuteStart - 3 * 60_000 + 10_000), 20),
      reading('pump-1', new Date(minuteStart - 2 * 60_000 + 10_000), 22),
      reading('pump-1', new Date(minuteStart - 2 * 60_000 + 20_000), 24),
      reading('pump-2', minuteAgo(1), 95, true),
      internalsReading('constructor', new Date(minuteStart - 2 * 60_000 + 30_000)),
    ];
    const r = await store.apply({
      topic: 'analyzed',
      partition: 0,
      messages: readings.map((x, i) => ({
        offset: String(i),
        key: null,
        value: JSON.stringify(x),
      })),
    });
    await cache.setLatest(r.latest);
    await store.apply({
      topic: 'alerts',
      partition: 0,
      messages: [
        alert('pump-2', 'open', minuteAgo(1)),
        alert('pump-1', 'open', minuteAgo(30), 'old'),
      ].map((x, i) => ({ offset: String(i), key: null, value: JSON.stringify(x) })),
    });
    // The cache as a running system has it: processing's writes plus web's completed rebuild.
    await new WebQueries(pool, redis).rebuildCache();
    web = await startWeb(pool, redis);
  });

  afterAll(async () => {
    await web?.close();
    await redis?.quit();
    await pool?.end();
    await db?.drop();
  });

  const get = (path: string) => fetch(`${web.url}${path}`);
  const json = async (path: string) => (await (await get(path)).json()) as ApiBody;

  it('serves the dashboard page and its assets with security headers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<script src="/app.js" defer></script>');
    expect(html).not.toMatch(/<script>|https?:\/\/(?!www\.w3\.org)/);
    for (const asset of ['/app.js', '/style.css']) expect((await get(asset)).status).toBe(200);
  });

  it('lists devices with last-seen and latest values from Redis, newest first', async () => {
    const body = await json('/api/devices');
    expect(body.source).toBe('redis');
    expect(body.devices.map((d) => d.deviceId)).toEqual(['pump-2', 'constructor', 'pump-1']);
    expect(body.devices[2]).toMatchObject({ metrics: { temp: 24, hum: 40 }, anomalous: false });
    expect(body.devices[0]).toMatchObject({ anomalous: true, score: 7 });
  });

  it('answers latest per device, 404 for an unknown one, 400 naming a bad id', async () => {
    expect(await (await get('/api/devices/pump-1/latest')).json()).toMatchObject({
      deviceId: 'pump-1',
      source: 'redis',
      metrics: { temp: 24 },
    });
    expect((await get('/api/devices/nobody/latest')).status).toBe(404);
    const bad = await get('/api/devices/bad%20id/latest');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ parameter: 'id' });
  });

  it('answers per-minute history and refuses bad or unbounded ranges naming the parameter', async () => {
    const body = await json('/api/devices/pump-1/history');
    const temp = body.series.temp;
    expect(temp.map((p) => p.count)).toEqual([1, 2]);
    expect(temp[1]).toMatchObject({ mean: 23, min: 22, max: 24 });

    const cases: [string, string][] = [
      ['from=yesterday', 'from'],
      ['to=2026-02-30T00:00:00', 'to'],
      ['from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', 'from'],
    ];
    for (const [query, parameter] of cases) {
      const res = await get(`/api/devices/pump-1/history?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ parameter });
    }
  });

  it('serves a device named constructor whose metrics are named like Object.prototype members', async () => {
    const history = await get('/api/devices/constructor/history');
    expect(history.status).toBe(200);
    // JSON.parse defines own properties, so __proto__ comes back as a key like any other.
    const series = (JSON.parse(await history.text()) as ApiBody).series;
    expect(Object.keys(series).sort()).toEqual([...INTERNALS].sort());
    INTERNALS.forEach((m, i) => expect(series[m]).toMatchObject([{ count: 1, last: i }]));
    const latest = JSON.parse(await (await get('/api/devices/constructor/latest')).text());
    expect(Object.keys(latest.metrics).sort()).toEqual([...INTERNALS].sort());
  });

  it('counts the whole fleet, not the page', async () => {
    const body = await json('/api/devices?limit=1');
    expect(body.count).toBe(1);
    // pump-1 and constructor were last seen minutes ago, pump-2 is alerting.
    expect(body.fleet).toMatchObject({ total: 3, alerting: 1, stale: 0 });
    const stale = await new WebQueries(pool, redis, {
      now: () => Date.now() + 60 * 60_000,
    }).fleetSummary();
    expect(stale).toMatchObject({ total: 3, alerting: 1, stale: 2 });
  });

  it('lists alerts newest first, filtered by since, bounded by limit', async () => {
    const all = await json(`/api/alerts?since=${encodeURIComponent(minuteAgo(60).toISOString())}`);
    expect(all.alerts.map((a) => a.alertId)).toEqual(['al-pump-2', 'old']);
    const recent = await json(`/api/alerts?since=${minuteAgo(10).getTime()}`);
    expect(recent.alerts.map((a) => a.alertId)).toEqual(['al-pump-2']);
    expect((await json('/api/alerts?limit=1')).count).toBe(1);
    const bad = await get('/api/alerts?limit=100000');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ parameter: 'limit' });
  });

  it('falls back to PostgreSQL when Redis is unreachable', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const queries = new WebQueries(pool, dead);
    const devices = await queries.devices(10);
    expect(devices.source).toBe('postgres');
    expect(devices.devices.map((d) => d.deviceId)).toEqual(['pump-2', 'constructor', 'pump-1']);
    expect((await queries.latest('pump-1'))?.source).toBe('postgres');
    dead.disconnect();
  });

  it('streams new alerts to every SSE client through one shared Redis reader', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => openSse(`${web.url}/api/stream`)));
    expect(clients[0].status).toBe(200);
    expect(clients[0].headers['content-type']).toMatch(/text\/event-stream/);
    await cache.notify([alert('pump-3', 'open', new Date(), 'live-1')]);
    const got = await Promise.all(
      clients.map((c) =>
        c.waitFor((e) => e.event === 'alert' && JSON.parse(e.data).alertId === 'live-1'),
      ),
    );
    expect(new Set(got.map((e) => e.id)).size).toBe(1);
    const names = (await redis.client('LIST')) as string;
    expect(names.match(/name=web-stream-reader /g)).toHaveLength(1);
    for (const c of clients) c.close();
  });

  it('resumes from Last-Event-ID: missed alerts in order, nothing twice', async () => {
    const first = await openSse(`${web.url}/api/stream`);
    await cache.notify([alert('pump-4', 'open', new Date(), 'seen')]);
    const seen = await first.waitFor((e) => JSON.parse(e.data).alertId === 'seen');
    first.close();
    await cache.notify([alert('pump-4', 'open', new Date(), 'missed-1')]);
    await cache.notify([alert('pump-4', 'open', new Date(), 'missed-2')]);

    const resumed = await openSse(`${web.url}/api/stream`, seen.id);
    await resumed.waitFor((e) => JSON.parse(e.data).alertId === 'missed-2');
    await cache.notify([alert('pump-4', 'open', new Date(), 'after')]);
    await resumed.waitFor((e) => JSON.parse(e.data).alertId === 'after');
    expect(resumed.events.map((e) => JSON.parse(e.data).alertId)).toEqual([
      'missed-1',
      'missed-2',
      'after',
    ]);
    resumed.close();
  });

  it('sends heartbeats and closes every stream on shutdown', async () => {
    const second = await startWeb(pool, redis, 200);
    const client = await openSse(`${second.url}/api/stream`);
    await new Promise((r) => setTimeout(r, 700));
    expect(client.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    await second.close();
    await client.ended;
    expect(second.hub.size).toBe(0);
  });
});

// Redis is a cache: after it loses everything (a restart without persistence, simulated by
// flushing this file's own logical database), the API answers from PostgreSQL and the cache
// refills itself. Runs after the block above has closed its server; DB 10 is this file's own.
describe('web app when Redis loses its data', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let redis: Redis;
  let cache: RedisCache;
  let store: ProcessingStore;
  let web: Running;
  const misses: string[] = [];
  const rebuilt: [number, boolean][] = [];
  const DEVICES = 7;
  const ids = Array.from({ length: DEVICES }, (_, i) => `flush-${i}`);

  const get = (path: string) => fetch(`${web.url}${path}`);
  const json = async (path: string) => (await (await get(path)).json()) as ApiBody;

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    db = await freshDatabase('web_flush_it');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrate(pool);
    redis = new Redis(redisDb(REDIS_DB));
    await redis.flushdb();
    cache = new RedisCache(redis);
    store = new ProcessingStore(pool, {
      groupId: 'web-flush-it',
      topics: { analyzed: 'analyzed', alerts: 'alerts' },
    });
    const r = await store.apply({
      topic: 'analyzed',
      partition: 0,
      messages: ids.map((id, i) => ({
        offset: String(i),
        key: null,
        value: JSON.stringify(reading(id, minuteAgo(DEVICES - i), 20 + i, i === 0)),
      })),
    });
    await cache.setLatest(r.latest);
    await store.apply({
      topic: 'alerts',
      partition: 0,
      messages: [
        { offset: '0', key: null, value: JSON.stringify(alert('flush-0', 'open', minuteAgo(7))) },
      ],
    });
    const queries = new WebQueries(pool, redis, {
      onCacheMiss: (what) => misses.push(what),
      onCacheRebuilt: (n, complete) => rebuilt.push([n, complete]),
    });
    await queries.rebuildCache();
    web = await startWeb(pool, redis, 15_000, queries);
  });

  afterAll(async () => {
    await web?.close();
    await redis?.quit();
    await pool?.end();
    await db?.drop();
  });

  it('answers from the cache while it is complete', async () => {
    const body = await json('/api/devices?limit=5');
    expect(body.source).toBe('redis');
    expect(body.devices.map((d) => d.deviceId)).toEqual([...ids].reverse().slice(0, 5));
    expect(body.fleet).toMatchObject({ total: DEVICES, alerting: 1 });
    expect(misses).toEqual([]);
  });

  it('after a flush serves devices, latest values and alerts from PostgreSQL, then refills', async () => {
    await redis.flushdb();
    rebuilt.length = 0;

    // One device first: a miss reads PostgreSQL and writes that device back.
    expect(await (await get('/api/devices/flush-3/latest')).json()).toMatchObject({
      source: 'postgres',
      deviceId: 'flush-3',
      metrics: { temp: 23, hum: 40 },
    });
    const refilled = await redis.hget(REDIS_KEYS.deviceLatest('flush-3'), 'metrics');
    expect(JSON.parse(refilled ?? 'null')).toEqual({ temp: 23, hum: 40 });

    // The list: one cached device is not the fleet, so PostgreSQL answers and a rebuild starts.
    const body = await json('/api/devices');
    expect(body.source).toBe('postgres');
    expect(body.devices.map((d) => d.deviceId)).toEqual([...ids].reverse());
    expect(body.devices.at(-1)).toMatchObject({ deviceId: 'flush-0', anomalous: true });
    expect(body.fleet).toMatchObject({ total: DEVICES, alerting: 1 });

    const alerts = await json('/api/alerts?deviceId=flush-0');
    expect(alerts.alerts.map((a) => a.alertId)).toEqual(['al-flush-0']);

    // The cache rebuilds itself: every device, the list marked complete, the lock released.
    await until('the device cache to be rebuilt', async () =>
      (await redis.get(FLEET_CACHE_KEYS.complete)) ? true : undefined,
    );
    expect(rebuilt).toEqual([[DEVICES, true]]);
    expect(await redis.zcard(REDIS_KEYS.devicesLastSeen)).toBe(DEVICES);
    expect(await redis.exists(FLEET_CACHE_KEYS.rebuilding)).toBe(0);
    for (const d of body.devices) {
      expect(await redis.hmget(REDIS_KEYS.deviceLatest(d.deviceId), 'ts', 'readingId')).toEqual([
        d.lastSeen,
        d.readingId,
      ]);
    }
    const again = await json('/api/devices');
    expect(again.source).toBe('redis');
    expect(again.devices).toEqual(body.devices);
    expect(await (await get('/api/devices/flush-3/latest')).json()).toMatchObject({
      source: 'redis',
    });
    expect(misses).toContain('devices');
  });

  it('does not take a list refilled only by new readings for the whole fleet', async () => {
    await redis.flushdb();
    // Processing writes one device after the flush: Redis now lists one device of seven.
    const r = await store.apply({
      topic: 'analyzed',
      partition: 0,
      messages: [
        {
          offset: String(DEVICES),
          key: null,
          value: JSON.stringify(reading('flush-2', minuteAgo(0), 50)),
        },
      ],
    });
    await cache.setLatest(r.latest);
    expect(await redis.zcard(REDIS_KEYS.devicesLastSeen)).toBe(1);

    const body = await json('/api/devices');
    expect(body.source).toBe('postgres');
    expect(body.devices).toHaveLength(DEVICES);
    expect(body.devices[0]).toMatchObject({ deviceId: 'flush-2', metrics: { temp: 50 } });
    await until('the device cache to be rebuilt', async () =>
      (await redis.get(FLEET_CACHE_KEYS.complete)) ? true : undefined,
    );
    // The rebuild never moves a device back: flush-2 keeps the reading processing wrote.
    expect(await redis.hget(REDIS_KEYS.deviceLatest('flush-2'), 'metrics')).toBe(
      JSON.stringify({ temp: 50, hum: 40 }),
    );
    expect((await json('/api/devices')).devices).toEqual(body.devices);
  });

  it('serves and refills a device whose cached values were evicted', async () => {
    await redis.del(REDIS_KEYS.deviceLatest('flush-4'));
    const body = await json('/api/devices');
    expect(body.source).toBe('redis');
    expect(body.devices).toHaveLength(DEVICES);
    expect(body.devices.find((d) => d.deviceId === 'flush-4')).toMatchObject({
      metrics: { temp: 24 },
    });
    expect(await redis.hget(REDIS_KEYS.deviceLatest('flush-4'), 'ts')).toBe(
      body.devices.find((d) => d.deviceId === 'flush-4')?.lastSeen,
    );
  });

  it('keeps streaming live alerts after the flush', async () => {
    await redis.flushdb();
    const client = await openSse(`${web.url}/api/stream`);
    await cache.notify([alert('flush-5', 'open', new Date(), 'after-flush')]);
    await client.waitFor((e) => JSON.parse(e.data).alertId === 'after-flush');
    client.close();
  });
});
