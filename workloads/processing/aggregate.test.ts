import type { AnalyzedReading } from '../shared/messages';
import { aggregateReadings, isLater, latestPerDevice, minuteOf, uniqueBy } from './aggregate';

function reading(
  deviceId: string,
  ts: string,
  metrics: Record<string, number>,
  id = `${deviceId}-${ts}`,
  anomalous = false,
): AnalyzedReading {
  return {
    id,
    deviceId,
    ts,
    metrics,
    receivedAt: ts,
    features: {},
    score: 0,
    anomalous,
    analyzedAt: ts,
  };
}

describe('minuteOf', () => {
  it('floors to the start of the UTC minute', () => {
    expect(minuteOf('2026-11-27T10:15:59.999Z')).toBe('2026-11-27T10:15:00.000Z');
    expect(minuteOf('2026-11-27T10:15:00.000Z')).toBe('2026-11-27T10:15:00.000Z');
  });

  it('reads offsets other than Z as the same instant', () => {
    expect(minuteOf('2026-11-27T11:15:30+01:00')).toBe('2026-11-27T10:15:00.000Z');
  });
});

describe('aggregateReadings', () => {
  it('folds readings into one row per device, metric and minute', () => {
    const rows = aggregateReadings([
      reading('d1', '2026-11-27T10:00:05.000Z', { temp: 20, hum: 50 }),
      reading('d1', '2026-11-27T10:00:35.000Z', { temp: 22 }, 'r2', true),
      reading('d1', '2026-11-27T10:01:05.000Z', { temp: 30 }),
      reading('d2', '2026-11-27T10:00:10.000Z', { temp: 5 }),
    ]);
    const key = (r: { deviceId: string; metric: string; minute: string }) =>
      `${r.deviceId}/${r.metric}/${r.minute.slice(11, 16)}`;
    expect(rows.map(key).sort()).toEqual([
      'd1/hum/10:00',
      'd1/temp/10:00',
      'd1/temp/10:01',
      'd2/temp/10:00',
    ]);
    const t = rows.find((r) => key(r) === 'd1/temp/10:00');
    expect(t).toMatchObject({
      count: 2,
      sum: 42,
      sumsq: 20 * 20 + 22 * 22,
      min: 20,
      max: 22,
      last: 22,
      lastTs: '2026-11-27T10:00:35.000Z',
      lastReadingId: 'r2',
      anomalousCount: 1,
    });
  });

  it('gives the same last value whatever the arrival order', () => {
    const a = reading('d', '2026-11-27T10:00:50.000Z', { v: 1 }, 'a');
    const b = reading('d', '2026-11-27T10:00:10.000Z', { v: 2 }, 'b');
    // Same instant: the larger id wins, so replays and reorders agree.
    const c = reading('d', '2026-11-27T10:00:50.000Z', { v: 3 }, 'c');
    const forward = aggregateReadings([a, b, c])[0];
    const backward = aggregateReadings([c, b, a])[0];
    expect(forward).toEqual(backward);
    expect(forward.last).toBe(3);
  });

  it('splitting a batch and merging the parts equals aggregating it whole', () => {
    const readings = Array.from({ length: 50 }, (_, i) =>
      reading(
        'd',
        new Date(Date.UTC(2026, 10, 27, 10, 0, i * 3)).toISOString(),
        { v: i % 7 },
        `r${i}`,
      ),
    );
    const whole = aggregateReadings(readings);
    const parts = [aggregateReadings(readings.slice(0, 17)), aggregateReadings(readings.slice(17))];
    const merged = new Map<string, { count: number; sum: number; min: number; max: number }>();
    for (const row of parts.flat()) {
      const prev = merged.get(row.minute);
      merged.set(
        row.minute,
        prev
          ? {
              count: prev.count + row.count,
              sum: prev.sum + row.sum,
              min: Math.min(prev.min, row.min),
              max: Math.max(prev.max, row.max),
            }
          : { count: row.count, sum: row.sum, min: row.min, max: row.max },
      );
    }
    for (const row of whole) {
      expect(merged.get(row.minute)).toEqual({
        count: row.count,
        sum: row.sum,
        min: row.min,
        max: row.max,
      });
    }
    expect(whole.reduce((n, r) => n + r.count, 0)).toBe(50);
  });
});

describe('latestPerDevice', () => {
  it('keeps the latest reading of each device by time', () => {
    const latest = latestPerDevice([
      reading('d1', '2026-11-27T10:00:05.000Z', { v: 1 }),
      reading('d1', '2026-11-27T10:00:01.000Z', { v: 2 }),
      reading('d2', '2026-11-27T09:00:00.000Z', { v: 3 }),
    ]);
    expect(latest.map((l) => [l.deviceId, l.metrics.v])).toEqual([
      ['d1', 1],
      ['d2', 3],
    ]);
  });
});

describe('isLater and uniqueBy', () => {
  it('orders by instant, then by id', () => {
    expect(isLater('2026-01-01T00:00:01Z', 'a', '2026-01-01T00:00:00Z', 'z')).toBe(true);
    expect(isLater('2026-01-01T00:00:00Z', 'b', '2026-01-01T00:00:00.000Z', 'a')).toBe(true);
    expect(isLater('2026-01-01T00:00:00Z', 'a', '2026-01-01T00:00:00Z', 'a')).toBe(false);
  });

  it('keeps the first item of each key in order', () => {
    expect(uniqueBy(['a1', 'b1', 'a2', 'c1', 'b2'], (s) => s[0])).toEqual(['a1', 'b1', 'c1']);
  });
});

describe('names that collide with object internals', () => {
  it('aggregates metrics named __proto__ or constructor of a device named constructor', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const metrics = JSON.parse(`{${names.map((m, i) => `"${m}":${i}`).join(',')}}`) as Record<
      string,
      number
    >;
    const readings = [
      reading('constructor', '2026-11-27T10:00:05.000Z', metrics),
      reading('__proto__', '2026-11-27T10:00:06.000Z', metrics),
    ];
    const rows = aggregateReadings(readings);
    expect(rows.map((r) => [r.deviceId, r.metric, r.last])).toEqual([
      ...names.map((m, i) => ['constructor', m, i]),
      ...names.map((m, i) => ['__proto__', m, i]),
    ]);
    const latest = latestPerDevice(readings);
    expect(latest.map((d) => d.deviceId)).toEqual(['constructor', '__proto__']);
    expect(Object.keys(JSON.parse(JSON.stringify(latest[1].metrics)))).toEqual(names);
  });
});
