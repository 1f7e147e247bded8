import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { AlertMessage } from '../shared/messages';
import { REDIS_KEYS } from '../shared/redis';
import { ALERT_COLUMNS, alertFromRow } from '../shared/alerts-table';
import type { AlertRow } from '../shared/alerts-table';
// The cache's write path (only-if-newer per device, last-seen that only moves forward) is
// processing's; web reuses it to refill the cache, so the two writers cannot disagree on format.
import { RedisCache } from '../processing/cache';
import type { DeviceLatest } from '../processing/aggregate';

/** A device as the dashboard shows it. */
export interface DeviceView {
  readonly deviceId: string;
  /** ts of the latest reading, ISO 8601. */
  readonly lastSeen: string;
  readonly readingId: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly score: number;
  readonly anomalous: boolean;
}

/**
 * Where a device answer came from: the Redis cache, or PostgreSQL when Redis failed or did not
 * hold the answer (flushed, restarted without persistence, evicted).
 */
export type Source = 'redis' | 'postgres';

/** Counts over the whole fleet (not one page of it), as the dashboard's header shows them. */
export interface FleetSummary {
  /** Every device with at least one stored reading. */
  readonly total: number;
  /** Devices whose latest reading is anomalous. */
  readonly alerting: number;
  /** Devices not alerting and not seen for {@link FleetSummary.staleAfterMs}. */
  readonly stale: number;
  /** The staleness cut-off used, in milliseconds. */
  readonly staleAfterMs: number;
}

/** One page of the fleet plus the fleet-wide counts. */
export interface DevicesPage {
  readonly source: Source;
  readonly devices: DeviceView[];
  /** Fleet-wide counts from PostgreSQL, or null when PostgreSQL could not answer. */
  readonly fleet: FleetSummary | null;
}

/** One per-minute point of a metric's history. */
export interface HistoryPoint {
  readonly minute: string;
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly last: number;
  /** Population standard deviation within the minute. */
  readonly std: number;
}

/** What the web app reads; {@link WebQueries} implements it, unit tests pass a stub. */
export interface WebReads {
  devices(limit: number): Promise<DevicesPage>;
  latest(deviceId: string): Promise<{ source: Source; device: DeviceView } | undefined>;
  /** Per-minute points by metric name (a Map: metric names are user input). */
  history(deviceId: string, from: Date, to: Date): Promise<Map<string, HistoryPoint[]>>;
  alerts(since: Date, limit: number, deviceId?: string): Promise<AlertMessage[]>;
}

/**
 * Keys only web uses: whether the device cache is known to hold every device, and the rebuild
 * lock. One hash tag, so the script that finishes a rebuild touches a single cluster slot.
 */
export const FLEET_CACHE_KEYS = {
  /** Set once a rebuild copied every device from PostgreSQL; a flush removes it with the rest. */
  complete: '{devices:cache}:complete',
  /** Held (SET NX PX) by the web process rebuilding, so replicas do not all rebuild at once. */
  rebuilding: '{devices:cache}:rebuilding',
} as const;

/** A device is stale after this long without a reading (the dashboard's tiles use the same). */
export const FLEET_STALE_AFTER_MS = 5 * 60 * 1000;

// Marks the cache complete only if this rebuild still holds the lock: a flush (or the lock
// expiring) during the rebuild removes the lock, and the next read rebuilds again.
const FINISH_REBUILD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[1])
return 1`;

/** Options of {@link WebQueries}. */
export interface WebQueriesOptions {
  /** Told when Redis fails and PostgreSQL answered instead. */
  readonly onRedisFallback?: (err: Error) => void;
  /** Told when Redis answered but did not hold the answer, and PostgreSQL answered instead. */
  readonly onCacheMiss?: (what: 'devices' | 'device') => void;
  /** Told when a cache rebuild finished: devices copied, and whether the cache is now complete. */
  readonly onCacheRebuilt?: (devices: number, complete: boolean) => void;
  /** Told when a cache refill failed (the answer was still served from PostgreSQL). */
  readonly onRefillError?: (err: Error) => void;
  /**
   * Devices read from PostgreSQL and written to Redis per step of a rebuild.
   * @default 1000
   */
  readonly rebuildBatchSize?: number;
  /**
   * How long the rebuild lock lives; a rebuild that takes longer does not mark the cache
   * complete, and the next read starts another.
   * @default 60000
   */
  readonly rebuildLockMs?: number;
  /**
   * Staleness cut-off of the fleet summary.
   * @default FLEET_STALE_AFTER_MS (5 minutes)
   */
  readonly staleAfterMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

function deviceFromHash(deviceId: string, h: Record<string, string>): DeviceView | undefined {
  if (!h.ts) return undefined;
  return {
    deviceId,
    lastSeen: h.ts,
    readingId: h.readingId,
    metrics: JSON.parse(h.metrics) as Record<string, number>,
    score: Number(h.score),
    anomalous: h.anomalous === '1',
  };
}

interface DeviceRow {
  device_id: string;
  last_ts: Date;
  reading_id: string;
  metrics: Record<string, number>;
  score: number;
  anomalous: boolean;
}

const DEVICE_COLUMNS = 'device_id, last_ts, reading_id, metrics, score, anomalous';

function deviceFromRow(r: DeviceRow): DeviceView {
  return {
    deviceId: r.device_id,
    lastSeen: r.last_ts.toISOString(),
    readingId: r.reading_id,
    metrics: r.metrics,
    score: r.score,
    anomalous: r.anomalous,
  };
}

function latestFromRow(r: DeviceRow): DeviceLatest {
  return {
    deviceId: r.device_id,
    ts: r.last_ts.toISOString(),
    readingId: r.reading_id,
    metrics: r.metrics,
    score: r.score,
    anomalous: r.anomalous,
  };
}

/**
 * The dashboard's reads. PostgreSQL is the record; Redis (written by processing) is a cache:
 * devices and latest values come from Redis when it holds them, and from PostgreSQL when Redis
 * fails or misses — after a flush or a restart without persistence, a missing device hash, or a
 * device list not known to be complete. A miss refills the cache from PostgreSQL (one device at
 * once, the whole list in the background). History, alerts and the fleet counts come from
 * PostgreSQL.
 */
export class WebQueries implements WebReads {
  private readonly cache: RedisCache;
  private rebuilding: Promise<number> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
    private readonly options: WebQueriesOptions = {},
  ) {
    this.cache = new RedisCache(redis);
  }

  /** Devices, most recently seen first, with the fleet-wide counts. */
  async devices(limit: number): Promise<DevicesPage> {
    // Started first, runs beside the page read; a PostgreSQL failure leaves the page standing.
    const fleet = this.fleetSummary().catch(() => null);
    // undefined: Redis failed; null: Redis answered but is not known to hold every device.
    let cached: Awaited<ReturnType<WebQueries['devicesFromRedis']>> | undefined;
    try {
      cached = await this.devicesFromRedis(limit);
    } catch (err) {
      this.options.onRedisFallback?.(err as Error);
    }
    if (cached) {
      const devices = await this.fillEvicted(cached);
      return { source: 'redis', devices, fleet: await fleet };
    }
    if (cached === null) {
      this.options.onCacheMiss?.('devices');
      void this.rebuildCache().catch((err: Error) => this.options.onRefillError?.(err));
    }
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY last_ts DESC, device_id LIMIT $1`,
      [limit],
    );
    return { source: 'postgres', devices: rows.map(deviceFromRow), fleet: await fleet };
  }

  /**
   * The page as Redis holds it (ids in order, undefined where a device's hash is missing), or
   * null when Redis is not known to hold every device.
   */
  private async devicesFromRedis(
    limit: number,
  ): Promise<{ ids: string[]; found: (DeviceView | undefined)[] } | null> {
    const [complete, ids] = await Promise.all([
      this.redis.get(FLEET_CACHE_KEYS.complete),
      this.redis.zrevrange(REDIS_KEYS.devicesLastSeen, 0, limit - 1),
    ]);
    if (complete === null) return null;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(REDIS_KEYS.deviceLatest(id));
    const results = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const found = results.map(([err, h], i) => {
      if (err) throw err;
      return deviceFromHash(ids[i], h as Record<string, string>);
    });
    return { ids, found };
  }

  /** Reads listed devices whose hash is missing (evicted) from PostgreSQL and writes them back. */
  private async fillEvicted(page: {
    ids: string[];
    found: (DeviceView | undefined)[];
  }): Promise<DeviceView[]> {
    const { ids, found } = page;
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length > 0) {
      this.options.onCacheMiss?.('device');
      const { rows } = await this.pool.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id = ANY($1::text[])`,
        [missing],
      );
      const byId = new Map(rows.map((r) => [r.device_id, r]));
      ids.forEach((id, i) => {
        const row = byId.get(id);
        if (found[i] === undefined && row) found[i] = deviceFromRow(row);
      });
      await this.refill(rows);
    }
    return found.filter((d): d is DeviceView => d !== undefined);
  }

  /** Counts over every device, from PostgreSQL (one aggregate over the devices table). */
  async fleetSummary(): Promise<FleetSummary> {
    const staleAfterMs = this.options.staleAfterMs ?? FLEET_STALE_AFTER_MS;
    const cutoff = new Date((this.options.now ?? Date.now)() - staleAfterMs);
    const { rows } = await this.pool.query<{ total: number; alerting: number; stale: number }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE anomalous)::int AS alerting,
              count(*) FILTER (WHERE NOT anomalous AND last_ts < $1)::int AS stale
         FROM devices`,
      [cutoff],
    );
    return { ...rows[0], staleAfterMs };
  }

  /** The latest reading of one device, or undefined when the device is unknown. */
  async latest(deviceId: string): Promise<{ source: Source; device: DeviceView } | undefined> {
    let redisFailed = false;
    try {
      const h = await this.redis.hgetall(REDIS_KEYS.deviceLatest(deviceId));
      const device = deviceFromHash(deviceId, h);
      if (device) return { source: 'redis', device };
    } catch (err) {
      redisFailed = true;
      this.options.onRedisFallback?.(err as Error);
    }
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id = $1`,
      [deviceId],
    );
    if (!rows[0]) return undefined;
    if (!redisFailed) {
      this.options.onCacheMiss?.('device');
      await this.refill(rows);
    }
    return { source: 'postgres', device: deviceFromRow(rows[0]) };
  }

  /** Writes devices read from PostgreSQL back to Redis; a failure only costs the next read. */
  private async refill(rows: readonly DeviceRow[]): Promise<void> {
    try {
      await this.cache.setLatest(rows.map(latestFromRow));
    } catch (err) {
      this.options.onRefillError?.(err as Error);
    }
  }

  /**
   * Copies every device from PostgreSQL to Redis in batches, then marks the device list
   * complete. Safe beside processing's writes: both write only-if-newer per device, and
   * last-seen only moves forward. One rebuild per process at a time (later callers join it),
   * and one per cache across replicas (a lock); resolves with the devices copied (0 when
   * another replica holds the lock).
   */
  rebuildCache(): Promise<number> {
    this.rebuilding ??= this.rebuild().finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  private async rebuild(): Promise<number> {
    const token = randomUUID();
    const lockMs = this.options.rebuildLockMs ?? 60_000;
    const batch = this.options.rebuildBatchSize ?? 1000;
    const locked = await this.redis.set(FLEET_CACHE_KEYS.rebuilding, token, 'PX', lockMs, 'NX');
    if (locked !== 'OK') return 0;
    let copied = 0;
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id > $1 ORDER BY device_id LIMIT $2`,
        [after, batch],
      );
      if (rows.length === 0) break;
      await this.cache.setLatest(rows.map(latestFromRow));
      copied += rows.length;
      after = rows[rows.length - 1].device_id;
    }
    const finished = await this.redis.eval(
      FINISH_REBUILD,
      2,
      FLEET_CACHE_KEYS.rebuilding,
      FLEET_CACHE_KEYS.complete,
      token,
      new Date().toISOString(),
    );
    this.options.onCacheRebuilt?.(copied, finished === 1);
    return copied;
  }

  /** Per-minute aggregates of a device in [from, to), by metric, oldest first. */
  async history(deviceId: string, from: Date, to: Date): Promise<Map<string, HistoryPoint[]>> {
    const { rows } = await this.pool.query<{
      metric: string;
      minute: Date;
      count: string;
      sum: number;
      sumsq: number;
      min: number;
      max: number;
      last: number;
    }>(
      `SELECT metric, minute, count, sum, sumsq, min, max, last
         FROM metric_minute
        WHERE device_id = $1 AND minute >= $2 AND minute < $3
        ORDER BY metric, minute`,
      [deviceId, from, to],
    );
    // A Map, not an object: a metric named constructor or __proto__ is just a name here.
    const series = new Map<string, HistoryPoint[]>();
    for (const r of rows) {
      const count = Number(r.count);
      const mean = r.sum / count;
      let points = series.get(r.metric);
      if (!points) series.set(r.metric, (points = []));
      points.push({
        minute: r.minute.toISOString(),
        count,
        mean,
        min: r.min,
        max: r.max,
        last: r.last,
        std: Math.sqrt(Math.max(0, r.sumsq / count - mean * mean)),
      });
    }
    return series;
  }

  /** Alert transitions at or after `since`, newest first. */
  async alerts(since: Date, limit: number, deviceId?: string): Promise<AlertMessage[]> {
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS}
         FROM alerts
        WHERE ts >= $1 AND ($3::text IS NULL OR device_id = $3)
        ORDER BY ts DESC, alert_id, state DESC
        LIMIT $2`,
      [since, limit, deviceId ?? null],
    );
    return rows.map(alertFromRow);
  }
}
