import { Detector, RollingWindow, median, robustStats } from './detector';
import type { DetectorOptions } from './detector';
import { alertId, readingId } from '../shared/ids';
import type { AlertMessage, Reading } from '../shared/messages';

const BASE = Date.parse('2026-11-27T10:00:00.000Z');

/** Deterministic noise in [-1, 1) (mulberry32), so series and expected alerts are fixed. */
function noise(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function reading(i: number, metrics: Record<string, number>, deviceId = 'dev-1'): Reading {
  const ts = new Date(BASE + i * 1000).toISOString();
  return { id: readingId({ deviceId, ts }), deviceId, ts, metrics, receivedAt: ts };
}

/** Runs a series through a detector and returns every alert with the index that produced it. */
function run(values: number[], options: DetectorOptions = {}, metric = 'temperature') {
  const detector = new Detector({ now: () => BASE, ...options });
  const alerts: Array<AlertMessage & { at: number }> = [];
  const scores: number[] = [];
  values.forEach((v, i) => {
    const result = detector.process(reading(i, { [metric]: v }));
    scores.push(result.analyzed!.score);
    for (const a of result.alerts) alerts.push({ ...a, at: i });
  });
  return { alerts, scores, detector };
}

const rnd = noise(42);
const normal = (n: number, level = 20, amplitude = 0.2) =>
  Array.from({ length: n }, () => level + amplitude * rnd());

describe('robust statistics', () => {
  it('computes median and MAD-based scale', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const { center, scale } = robustStats([1, 2, 3, 4, 100], 5);
    expect(center).toBe(3);
    expect(scale).toBeGreaterThan(0);
    expect(scale).toBeLessThan(25); // the outlier barely moves a robust scale
  });

  it('does not divide by zero on a flat window', () => {
    const { scale } = robustStats(new Float64Array([5, 5, 5, 5]), 4);
    expect(scale).toBeCloseTo(0.005);
  });
});

describe('RollingWindow', () => {
  // The reference: what the detector computed before, sorting copies of the window.
  const reference = (values: Float64Array, n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i];
    return { ...robustStats(values, n), mean: sum / n };
  };

  it.each([
    ['noise', 60, (r: () => number) => 20 + r()],
    ['a flat sensor (MAD 0)', 60, () => 5],
    // + 0 turns Math.round's -0 into 0: the sort order of -0 and 0 (equal values) may differ.
    ['few distinct values', 31, (r: () => number) => Math.round(r() * 2) + 0],
    ['a flat window with rare spikes', 30, (r: () => number) => (r() > 0.9 ? 100 : 7)],
    ['wide magnitudes', 45, (r: () => number) => r() * 1e6 * Math.abs(r())],
  ])('gives exactly robustStats and the mean over %s, filling and sliding', (_, size, gen) => {
    const r = noise(size);
    const w = new RollingWindow(size);
    for (let i = 0; i < size * 4; i++) {
      if (w.filled >= 1) {
        const expected = reference(w.values, w.filled);
        expect({ ...w.robust(), mean: w.mean() }).toEqual(expected);
      }
      w.push(gen(r));
      expect(w.filled).toBe(Math.min(i + 1, size));
    }
  });

  it('keeps the detector slot order: the count-th value in slot count % size', () => {
    const w = new RollingWindow(3);
    [1, 2, 3, 4, 5].forEach((v) => w.push(v));
    expect([...w.values]).toEqual([4, 5, 3]);
    expect(w.robust().center).toBe(4);
  });
});

describe('Detector: statistical rule', () => {
  it('opens one critical zscore alert on a spike and resolves it on the next normal reading', () => {
    const series = [...normal(60), 35, ...normal(10)];
    const { alerts, scores } = run(series);
    expect(alerts.map((a) => [a.at, a.rule, a.state, a.severity])).toEqual([
      [60, 'zscore', 'open', 'critical'],
      [61, 'zscore', 'resolved', 'critical'],
    ]);
    const [open, resolved] = alerts;
    const episodeStart = new Date(BASE + 60_000).toISOString();
    expect(open.alertId).toBe(
      alertId({ deviceId: 'dev-1', rule: 'zscore', metric: 'temperature', episodeStart }),
    );
    expect(resolved.alertId).toBe(open.alertId);
    expect(open).toMatchObject({
      episodeStart,
      ts: episodeStart,
      value: 35,
      metric: 'temperature',
    });
    expect(resolved.ts).toBe(new Date(BASE + 61_000).toISOString());
    expect(scores[60]).toBeGreaterThan(8);
    expect(Math.max(...scores.slice(30, 60))).toBeLessThan(4);
  });

  it('fires no statistical alert during the warm-up of 30 readings', () => {
    const series = [...normal(10), 50, ...normal(19), 50, ...normal(5)];
    const { alerts, scores } = run(series);
    expect(scores.slice(0, 30).every((s) => s === 0)).toBe(true);
    // The second spike, at index 30, is the first one after warm-up.
    expect(alerts.map((a) => [a.at, a.state])).toEqual([
      [30, 'open'],
      [31, 'resolved'],
    ]);
  });

  it('needs k consecutive anomalous readings when configured', () => {
    const base = normal(40);
    const two = run([...base, 40, 40, ...normal(5)], { consecutive: 3 });
    expect(two.alerts).toEqual([]);
    const three = run([...base, 40, 40, 40, ...normal(5)], { consecutive: 3 });
    expect(three.alerts.map((a) => [a.at, a.state])).toEqual([
      [42, 'open'],
      [43, 'resolved'],
    ]);
  });

  it('opens on a level shift and resolves once the window has adapted to the new level', () => {
    const series = [...normal(60, 20), ...normal(80, 26)];
    const { alerts } = run(series);
    expect(alerts.map((a) => a.state)).toEqual(['open', 'resolved']);
    expect(alerts[0].at).toBe(60);
    expect(alerts[1].at).toBeGreaterThan(60);
    expect(alerts[1].at).toBeLessThan(140);
  });
});

describe('Detector: threshold rule with hysteresis', () => {
  const thresholds = { temperature: { high: 30, hysteresis: 1, severity: 'critical' as const } };

  it('opens once on a drift past the threshold and resolves only below high - hysteresis', () => {
    const up = Array.from({ length: 40 }, (_, i) => 25 + i * 0.2 + 0.3 * rnd()); // to ~33
    const down = Array.from({ length: 40 }, (_, i) => 33 - i * 0.2 + 0.3 * rnd()); // to ~25
    const { alerts } = run([...up, ...down], { thresholds });
    const threshold = alerts.filter((a) => a.rule === 'threshold.high');
    expect(threshold.map((a) => a.state)).toEqual(['open', 'resolved']);
    const series = [...up, ...down];
    expect(series[threshold[0].at]).toBeGreaterThan(30);
    expect(series.slice(0, threshold[0].at).every((v) => v <= 30)).toBe(true);
    expect(series[threshold[1].at]).toBeLessThan(29);
    expect(threshold[0]).toMatchObject({ severity: 'critical', threshold: 30 });
    expect(threshold[1].alertId).toBe(threshold[0].alertId);
  });

  it('suppresses flapping around the threshold', () => {
    const flapping = [29.8, 30.2, 29.7, 30.3, 29.6, 30.1, 29.5, 30.4, 29.9, 30.2];
    const withHysteresis = run([...flapping, 28.5], { thresholds });
    expect(withHysteresis.alerts.map((a) => [a.at, a.state])).toEqual([
      [1, 'open'],
      [10, 'resolved'],
    ]);
    // Without hysteresis the same series flaps: one episode per crossing.
    const without = run([...flapping, 28.5], { thresholds: { temperature: { high: 30 } } });
    expect(without.alerts.filter((a) => a.state === 'open')).toHaveLength(5);
  });

  it('fires during warm-up: thresholds need no statistics', () => {
    const { alerts } = run([20, 31, 20], { thresholds });
    expect(alerts.map((a) => [a.at, a.rule, a.state])).toEqual([
      [1, 'threshold.high', 'open'],
      [2, 'threshold.high', 'resolved'],
    ]);
  });

  it('supports a low threshold', () => {
    const { alerts } = run(
      [50, 9, 10.5, 12],
      {
        thresholds: { humidity: { low: 10, hysteresis: 1 } },
      },
      'humidity',
    );
    expect(alerts.map((a) => [a.at, a.rule, a.state])).toEqual([
      [1, 'threshold.low', 'open'],
      [3, 'threshold.low', 'resolved'],
    ]);
  });
});

describe('Detector: state', () => {
  it('drops a duplicate reading (at-least-once redelivery) without output or state change', () => {
    const detector = new Detector();
    const r = reading(0, { t: 1 });
    expect(detector.process(r).analyzed?.features.t.n).toBe(1);
    expect(detector.process(r)).toEqual({ alerts: [] });
    expect(detector.process(reading(1, { t: 1 })).analyzed?.features.t.n).toBe(2);
  });

  it('keeps at most maxDevices devices, evicting the least recently seen', () => {
    const detector = new Detector({ maxDevices: 2 });
    detector.process(reading(0, { t: 1 }, 'a'));
    detector.process(reading(0, { t: 1 }, 'b'));
    detector.process(reading(1, { t: 1 }, 'a')); // a is now the most recent
    detector.process(reading(0, { t: 1 }, 'c')); // evicts b
    expect(detector.deviceCount).toBe(2);
    expect(detector.process(reading(2, { t: 1 }, 'a')).analyzed?.features.t.n).toBe(3);
    expect(detector.process(reading(1, { t: 1 }, 'b')).analyzed?.features.t.n).toBe(1);
  });

  it('reports features per metric and the max |z| as the score', () => {
    const detector = new Detector({ now: () => BASE });
    let last;
    for (let i = 0; i < 40; i++) {
      last = detector.process(
        reading(i, { t: 20 + (i % 2) * 0.1, h: i === 39 ? 90 : 50 + (i % 2) }),
      );
    }
    const analyzed = last!.analyzed!;
    expect(analyzed.features.t.n).toBe(40);
    expect(Math.abs(analyzed.features.t.z)).toBeLessThan(2);
    expect(analyzed.score).toBeCloseTo(Math.abs(analyzed.features.h.z));
    expect(analyzed.anomalous).toBe(true);
    expect(analyzed.analyzedAt).toBe(new Date(BASE).toISOString());
  });

  it('keeps per-metric state and features for metrics named like Object.prototype members', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    // From JSON, as analysis receives it: an object literal's __proto__ would set the prototype.
    const metricsAt = (i: number) =>
      JSON.parse(`{${names.map((m, k) => `"${m}":${k + (i % 2) * 0.1}`).join(',')}}`) as Record<
        string,
        number
      >;
    const detector = new Detector({
      now: () => BASE,
      // A rule for one of them applies to it, and only to it.
      thresholds: JSON.parse('{"__proto__":{"high":100}}') as DetectorOptions['thresholds'],
    });
    let last;
    for (let i = 0; i < 5; i++) last = detector.process(reading(i, metricsAt(i)));
    const analyzed = last!.analyzed!;
    expect(Object.keys(analyzed.features)).toEqual(names);
    expect(Object.getPrototypeOf(analyzed.features)).toBe(Object.prototype);
    expect(analyzed.features.__proto__).toMatchObject({ n: 5 });
    expect(Object.keys(JSON.parse(JSON.stringify(analyzed)).features)).toEqual(names);

    const spike = JSON.parse('{"__proto__":101,"constructor":1e9}') as Record<string, number>;
    const { alerts } = detector.process(reading(5, spike));
    expect(alerts.map((a) => [a.rule, a.metric])).toEqual([['threshold.high', '__proto__']]);
  });

  it('stamps analyzedAt from the clock at each reading', () => {
    let now = BASE;
    const detector = new Detector({ now: () => now });
    const at = (i: number) => detector.process(reading(i, { t: 1 })).analyzed?.analyzedAt;
    expect([at(0), at(1)]).toEqual([new Date(BASE).toISOString(), new Date(BASE).toISOString()]);
    now += 1;
    expect(at(2)).toBe(new Date(BASE + 1).toISOString());
  });

  it('rejects inconsistent tuning', () => {
    expect(() => new Detector({ zOpen: 2, zResolve: 3 })).toThrow(/zResolve/);
  });
});
