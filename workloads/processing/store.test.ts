import fc from 'fast-check';
import type { AnalyzedReading } from '../shared/messages';
import { aggregateReadings, latestPerDevice } from './aggregate';
import { foldReadings } from './store';

function reading(
  deviceId: string,
  ts: string,
  metrics: Record<string, number>,
  id: string,
  anomalous = false,
): AnalyzedReading {
  return {
    id,
    deviceId,
    ts,
    metrics,
    receivedAt: ts,
    features: {},
    score: 0.5,
    anomalous,
    analyzedAt: ts,
  };
}

const byKey =
  <T extends { deviceId: string }>(k: (x: T) => string) =>
  (a: T, b: T) =>
    k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;
const aggKey = byKey((a: { deviceId: string; metric: string; minute: string }) =>
  [a.deviceId, a.metric, a.minute].join('\u0000'),
);
const devKey = byKey((d: { deviceId: string }) => d.deviceId);

describe('foldReadings (the sink hot path) against aggregateReadings and latestPerDevice', () => {
  it('gives the same aggregates and latest values for any batch of unique readings', () => {
    const anyReading = fc.record({
      device: fc.constantFrom('a', 'b', 'constructor', '__proto__'),
      // Three minutes, ties on the instant (same second, different ids) and offsets other than Z.
      second: fc.integer({ min: 0, max: 179 }),
      offset: fc.constantFrom('Z', '+01:00', '-00:30'),
      metrics: fc.dictionary(
        fc.constantFrom('temp', 'hum', 'toString', '__proto__'),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
        { minKeys: 1 },
      ),
      anomalous: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(anyReading, { maxLength: 60 }), (specs) => {
        const readings = specs.map((s, i) => {
          const ms = Date.UTC(2026, 10, 27, 10, 0, 0) + s.second * 1000;
          const shift = s.offset === 'Z' ? 0 : s.offset === '+01:00' ? 60 : -30;
          const local = new Date(ms + shift * 60_000).toISOString().slice(0, 19);
          const ts = `${local}${s.offset}`;
          // Through JSON, as the consumer gets them: "__proto__" is an own key, not the prototype.
          const m = JSON.parse(JSON.stringify(s.metrics)) as Record<string, number>;
          return reading(s.device, ts, m, `r${(i * 7919) % 101}-${i}`, s.anomalous);
        });
        const folded = foldReadings(readings);
        expect([...folded.aggregates].sort(aggKey)).toEqual(
          [...aggregateReadings(readings)].sort(aggKey),
        );
        expect([...folded.latest].sort(devKey)).toEqual(
          [...latestPerDevice(readings)].sort(devKey),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('breaks a tie on the instant by reading id, whatever the arrival order', () => {
    const a = reading('d', '2026-11-27T10:00:05.000Z', { t: 1 }, 'id-a');
    const b = reading('d', '2026-11-27T11:00:05+01:00', { t: 2 }, 'id-b');
    for (const batch of [
      [a, b],
      [b, a],
    ]) {
      const { aggregates, latest } = foldReadings(batch);
      expect(aggregates).toEqual([
        expect.objectContaining({ count: 2, sum: 3, last: 2, lastReadingId: 'id-b' }),
      ]);
      expect(latest.map((d) => d.readingId)).toEqual(['id-b']);
    }
  });

  it('folds nothing from no readings', () => {
    expect(foldReadings([])).toEqual({ aggregates: [], latest: [] });
  });
});
