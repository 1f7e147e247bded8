import type { AnalyzedReading } from '../shared/messages';

/** The per-device, per-metric, per-minute aggregate of a set of readings. */
export interface MinuteAggregate {
  readonly deviceId: string;
  readonly metric: string;
  /** Start of the UTC minute, ISO 8601. */
  readonly minute: string;
  readonly count: number;
  readonly sum: number;
  readonly sumsq: number;
  readonly min: number;
  readonly max: number;
  /** Value of the latest reading by (ts, reading id). */
  readonly last: number;
  readonly lastTs: string;
  readonly lastReadingId: string;
  /** Readings analysis flagged as anomalous. */
  readonly anomalousCount: number;
}

/** The latest reading of one device in a batch, by (ts, reading id). */
export interface DeviceLatest {
  readonly deviceId: string;
  readonly ts: string;
  readonly readingId: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly score: number;
  readonly anomalous: boolean;
}

/** Start of the UTC minute containing `ts`, ISO 8601. */
export function minuteOf(ts: string): string {
  const ms = Date.parse(ts);
  return new Date(ms - (((ms % 60_000) + 60_000) % 60_000)).toISOString();
}

/**
 * Total order on (ts, reading id): whether `a` is later than `b`. Ties on the instant are
 * broken by id so "last" is the same whatever order readings arrive in.
 */
export function isLater(aTs: string, aId: string, bTs: string, bId: string): boolean {
  const a = Date.parse(aTs);
  const b = Date.parse(bTs);
  return a !== b ? a > b : aId > bId;
}

/**
 * Folds readings into one aggregate per (device, metric, minute): the reference definition.
 * The sink writes what `foldReadings` (store.ts) computes in one pass; the store's property test
 * and the integration tests hold it equal to this. Readings must already be deduplicated by id.
 */
export function aggregateReadings(readings: readonly AnalyzedReading[]): MinuteAggregate[] {
  const acc = new Map<string, MinuteAggregate>();
  for (const r of readings) {
    const minute = minuteOf(r.ts);
    for (const [metric, value] of Object.entries(r.metrics)) {
      const key = `${r.deviceId}\u0000${metric}\u0000${minute}`;
      const prev = acc.get(key);
      if (!prev) {
        acc.set(key, {
          deviceId: r.deviceId,
          metric,
          minute,
          count: 1,
          sum: value,
          sumsq: value * value,
          min: value,
          max: value,
          last: value,
          lastTs: r.ts,
          lastReadingId: r.id,
          anomalousCount: r.anomalous ? 1 : 0,
        });
        continue;
      }
      const later = isLater(r.ts, r.id, prev.lastTs, prev.lastReadingId);
      acc.set(key, {
        ...prev,
        count: prev.count + 1,
        sum: prev.sum + value,
        sumsq: prev.sumsq + value * value,
        min: Math.min(prev.min, value),
        max: Math.max(prev.max, value),
        last: later ? value : prev.last,
        lastTs: later ? r.ts : prev.lastTs,
        lastReadingId: later ? r.id : prev.lastReadingId,
        anomalousCount: prev.anomalousCount + (r.anomalous ? 1 : 0),
      });
    }
  }
  return [...acc.values()];
}

/** The latest reading per device in a batch: the reference definition `foldReadings` is tested against. */
export function latestPerDevice(readings: readonly AnalyzedReading[]): DeviceLatest[] {
  const latest = new Map<string, DeviceLatest>();
  for (const r of readings) {
    const prev = latest.get(r.deviceId);
    if (!prev || isLater(r.ts, r.id, prev.ts, prev.readingId)) {
      latest.set(r.deviceId, {
        deviceId: r.deviceId,
        ts: r.ts,
        readingId: r.id,
        metrics: r.metrics,
        score: r.score,
        anomalous: r.anomalous,
      });
    }
  }
  return [...latest.values()];
}

/**
 * Keeps the first occurrence of each key. Used to drop in-batch duplicates (the same reading or
 * alert transition twice in one batch) before a multi-row insert.
 */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(item);
    }
  }
  return out;
}
