import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { AlertMessage } from '../shared/messages';
import { REDIS_KEYS } from '../shared/redis';
import { ALERT_COLUMNS, alertFromRow } from '../shared/alerts-table';
import type { AlertRow } from '../shared/alerts-table';

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

/** Where a device answer came from: the Redis cache, or PostgreSQL when Redis failed. */
export type Source = 'redis' | 'postgres';

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

/** Options of {@link WebQueries}. */
export interface WebQueriesOptions {
  /** Told when Redis fails and PostgreSQL answered instead. */
  readonly onRedisFallback?: (err: Error) => void;
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

/**
 * The dashboard's reads: devices and latest values from Redis (written by processing), falling
 * back to PostgreSQL's `devices` table when Redis fails; history and alerts from PostgreSQL.
 */
export class WebQueries {
  constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
    private readonly options: WebQueriesOptions = {},
  ) {}

  /** Devices, most recently seen first. */
  async devices(limit: number): Promise<{ source: Source; devices: DeviceView[] }> {
    try {
      const ids = await this.redis.zrevrange(REDIS_KEYS.devicesLastSeen, 0, limit - 1);
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(REDIS_KEYS.deviceLatest(id));
      const results = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      const devices: DeviceView[] = [];
      results.forEach(([err, h], i) => {
        if (err) throw err;
        const d = deviceFromHash(ids[i], h as Record<string, string>);
        if (d) devices.push(d);
      });
      return { source: 'redis', devices };
    } catch (err) {
      this.options.onRedisFallback?.(err as Error);
      const { rows } = await this.pool.query<DeviceRow>(
        `SELECT device_id, last_ts, reading_id, metrics, score, anomalous
           FROM devices ORDER BY last_ts DESC, device_id LIMIT $1`,
        [limit],
      );
      return { source: 'postgres', devices: rows.map(deviceFromRow) };
    }
  }

  /** The latest reading of one device, or undefined when the device is unknown. */
  async latest(deviceId: string): Promise<{ source: Source; device: DeviceView } | undefined> {
    try {
      const h = await this.redis.hgetall(REDIS_KEYS.deviceLatest(deviceId));
      const device = deviceFromHash(deviceId, h);
      if (device) return { source: 'redis', device };
    } catch (err) {
      this.options.onRedisFallback?.(err as Error);
    }
    // Also the path for a device Redis does not know (cache flushed or evicted).
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT device_id, last_ts, reading_id, metrics, score, anomalous FROM devices WHERE device_id = $1`,
      [deviceId],
    );
    return rows[0] ? { source: 'postgres', device: deviceFromRow(rows[0]) } : undefined;
  }

  /** Per-minute aggregates of a device in [from, to), grouped by metric, oldest first. */
  async history(deviceId: string, from: Date, to: Date): Promise<Record<string, HistoryPoint[]>> {
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
    const series: Record<string, HistoryPoint[]> = {};
    for (const r of rows) {
      const count = Number(r.count);
      const mean = r.sum / count;
      (series[r.metric] ??= []).push({
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
