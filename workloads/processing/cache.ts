import type Redis from 'ioredis';
import type { AlertMessage } from '../shared/messages';
import { REDIS_KEYS } from '../shared/redis';
import type { DeviceLatest } from './aggregate';

/** Options of {@link RedisCache}. */
export interface RedisCacheOptions {
  /**
   * Approximate maximum length of `alerts:stream` (XADD MAXLEN ~).
   * @default 10000
   */
  readonly streamMaxLen?: number;
  /**
   * Alert transitions kept in `alerts:recent`.
   * @default 200
   */
  readonly recentAlerts?: number;
  /**
   * How long a notified (alertId, state) is remembered for stream dedupe, in ms.
   * @default 7 days
   */
  readonly dedupeWindowMs?: number;
}

// Writes a device's latest reading unless the cached one is later by (tsMs, readingId): two
// batches racing (or a replay) never move the cache backwards. One key, so cluster-safe.
const SET_LATEST = `
local cur = redis.call('HMGET', KEYS[1], 'tsMs', 'readingId')
if cur[1] then
  local t = tonumber(cur[1])
  local n = tonumber(ARGV[1])
  if t > n or (t == n and cur[2] >= ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'tsMs', ARGV[1], 'readingId', ARGV[2], 'ts', ARGV[3], 'metrics', ARGV[4],
  'score', ARGV[5], 'anomalous', ARGV[6])
return 1`;

// Appends an alert to the stream at most once per (alertId, state) within the dedupe window:
// check, XADD and remember run atomically, so a retry after a crash between publish and the
// outbox mark does not notify twice. Both keys share the {alerts:stream} slot.
const NOTIFY_ONCE = `
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'alert', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
return id`;

/**
 * Processing's writes to Redis: latest value per device, devices by last-seen, recent alerts,
 * and alert notifications on `alerts:stream`. Everything here runs after the PostgreSQL commit;
 * Redis is a cache and a notification channel, PostgreSQL stays the record.
 */
export class RedisCache {
  private readonly streamMaxLen: number;
  private readonly recentAlerts: number;
  private readonly dedupeWindowMs: number;

  constructor(
    private readonly redis: Redis,
    options: RedisCacheOptions = {},
  ) {
    this.streamMaxLen = options.streamMaxLen ?? 10_000;
    this.recentAlerts = options.recentAlerts ?? 200;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 7 * 24 * 3600 * 1000;
  }

  /** Caches the latest reading per device and bumps each device's last-seen time. */
  async setLatest(latest: readonly DeviceLatest[]): Promise<void> {
    if (latest.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const d of latest) {
      const tsMs = Date.parse(d.ts);
      pipeline.eval(
        SET_LATEST,
        1,
        REDIS_KEYS.deviceLatest(d.deviceId),
        String(tsMs),
        d.readingId,
        new Date(tsMs).toISOString(),
        JSON.stringify(d.metrics),
        String(d.score),
        d.anomalous ? '1' : '0',
      );
      // GT: last-seen only moves forward, whatever order batches land in.
      pipeline.zadd(REDIS_KEYS.devicesLastSeen, 'GT', tsMs, d.deviceId);
    }
    await execOrThrow(pipeline);
  }

  /**
   * Publishes alert transitions: adds each to `alerts:recent` and, once per (alertId, state),
   * to `alerts:stream`. Returns the stream ids of the entries it added (null for a transition
   * already on the stream).
   */
  async notify(alerts: readonly AlertMessage[], nowMs = Date.now()): Promise<(string | null)[]> {
    if (alerts.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const a of alerts) {
      const json = JSON.stringify(a);
      pipeline.eval(
        NOTIFY_ONCE,
        2,
        REDIS_KEYS.alertsStream,
        REDIS_KEYS.alertsNotified,
        `${a.alertId}/${a.state}`,
        String(nowMs),
        String(this.dedupeWindowMs),
        String(this.streamMaxLen),
        json,
      );
      pipeline.zadd(REDIS_KEYS.alertsRecent, Date.parse(a.ts), json);
    }
    pipeline.zremrangebyrank(REDIS_KEYS.alertsRecent, 0, -(this.recentAlerts + 1));
    const results = await execOrThrow(pipeline);
    const ids: (string | null)[] = [];
    for (let i = 0; i < alerts.length; i++) ids.push((results[2 * i] as string | null) ?? null);
    return ids;
  }
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.map(([, value]) => value);
}
