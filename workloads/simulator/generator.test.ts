import { Fleet, prng, toBodies } from './generator';
import { parseReading } from '../shared/schema';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');

describe('Fleet', () => {
  it('produces valid readings round-robin with per-device sequence numbers', () => {
    const fleet = new Fleet({ devices: 3, anomalyRate: 0, seed: 7 });
    const readings = fleet.take(7, NOW);
    expect(readings.map((r) => r.deviceId)).toEqual([
      'sim-0000',
      'sim-0001',
      'sim-0002',
      'sim-0000',
      'sim-0001',
      'sim-0002',
      'sim-0000',
    ]);
    expect(readings.filter((r) => r.deviceId === 'sim-0000').map((r) => r.seq)).toEqual([0, 1, 2]);
    for (const r of readings) {
      expect(parseReading(r, { nowMs: NOW }).ok).toBe(true);
      expect(Object.keys(r.metrics).sort()).toEqual(['humidity', 'temperature', 'vibration']);
      expect(r.metrics.temperature).toBeGreaterThan(10);
      expect(r.metrics.temperature).toBeLessThan(32);
    }
  });

  it('is reproducible for a seed', () => {
    const a = new Fleet({ devices: 5, anomalyRate: 0.1, seed: 3 }).take(50, NOW);
    const b = new Fleet({ devices: 5, anomalyRate: 0.1, seed: 3 }).take(50, NOW);
    expect(a).toEqual(b);
  });

  it('injects anomalies at about the requested rate, spikes far above normal', () => {
    const fleet = new Fleet({ devices: 20, anomalyRate: 0.05, seed: 11 });
    const readings = fleet.take(4000, NOW);
    // Drifts run for 40 readings and block new anomalies on that device meanwhile.
    expect(fleet.injected.length).toBeGreaterThan(60);
    expect(fleet.injected.length).toBeLessThan(220);
    const spike = fleet.injected.find((a) => a.kind === 'spike')!;
    const spiked = readings.find((r) => r.deviceId === spike.deviceId && r.seq === spike.seq);
    expect(spiked!.metrics.temperature).toBeGreaterThan(45);
  });

  it('spikes a requested device on its next reading, once', () => {
    const fleet = new Fleet({ devices: 2, anomalyRate: 0, seed: 1 });
    fleet.take(10, NOW);
    expect(fleet.requestSpike('sim-0001')).toBe(true);
    expect(fleet.requestSpike('nope')).toBe(false);
    const next = fleet.take(4, NOW);
    expect(next[1].metrics.temperature).toBeGreaterThan(45);
    expect(next[3].metrics.temperature).toBeLessThan(32);
    expect(fleet.injected).toEqual([
      { kind: 'spike', deviceId: 'sim-0001', ts: new Date(NOW).toISOString(), seq: 5 },
    ]);
  });
});

describe('toBodies', () => {
  const readings = new Fleet({ devices: 2, anomalyRate: 0, seed: 1 }).take(250, NOW);

  it('splits NDJSON into batches of at most the size, one reading per line', () => {
    const bodies = toBodies(readings, 100, 'ndjson');
    expect(bodies.map((b) => b.count)).toEqual([100, 100, 50]);
    expect(bodies[0].contentType).toBe('application/x-ndjson');
    expect(bodies[2].body.trim().split('\n')).toHaveLength(50);
    expect(JSON.parse(bodies[0].body.split('\n')[0])).toEqual(readings[0]);
  });

  it('sends JSON arrays in the json format', () => {
    const bodies = toBodies(readings, 200, 'json');
    expect(bodies.map((b) => b.count)).toEqual([200, 50]);
    expect(JSON.parse(bodies[1].body)).toEqual(readings.slice(200));
  });
});

describe('prng', () => {
  it('returns values in [0, 1)', () => {
    const r = prng(5);
    const values = Array.from({ length: 1000 }, r);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
