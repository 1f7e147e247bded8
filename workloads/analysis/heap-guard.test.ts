import { Detector } from './detector';
import { HeapGuard } from './heap-guard';

const MiB = 1024 * 1024;

function reading(deviceId: string, i: number) {
  return {
    id: `${deviceId.padEnd(16, '0')}${i.toString(16).padStart(16, '0')}`.slice(0, 32),
    deviceId,
    ts: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    metrics: { temperature: 20 + (i % 3) },
    receivedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  };
}

describe('HeapGuard', () => {
  it('does nothing while the heap is below the threshold', () => {
    const detector = new Detector();
    for (let d = 0; d < 10; d++) detector.process(reading(`dev-${d}`, 1));
    const guard = new HeapGuard({ stats: () => ({ usedBytes: 100 * MiB, limitBytes: 192 * MiB }) });
    expect(guard.check(detector)).toEqual({
      evicted: 0,
      usedBytes: 100 * MiB,
      limitBytes: 192 * MiB,
    });
    expect(detector.deviceCount).toBe(10);
  });

  it('evicts the least recently seen share of the devices above it, then waits for the cooldown', () => {
    const detector = new Detector();
    for (let d = 0; d < 10; d++) detector.process(reading(`dev-${d}`, 1));
    detector.process(reading('dev-0', 2)); // dev-0 is now the most recently seen
    let now = 0;
    const guard = new HeapGuard({
      stats: () => ({ usedBytes: 150 * MiB, limitBytes: 192 * MiB }),
      now: () => now,
      cooldownMs: 10_000,
    });
    expect(guard.check(detector).evicted).toBe(2);
    expect(detector.deviceCount).toBe(8);
    // an evicted device is scored again when it reports (its warm-up starts over)
    expect(detector.process(reading('dev-1', 3)).analyzed).toBeTruthy();
    expect(detector.deviceCount).toBe(9);
    now = 5_000;
    expect(guard.check(detector).evicted).toBe(0);
    now = 10_000;
    expect(guard.check(detector).evicted).toBe(2); // 9 → floor(9 × 0.8) = 7
  });

  it('refuses a threshold outside (0, 1)', () => {
    expect(() => new HeapGuard({ fraction: 1.5 })).toThrow(/fraction/);
    expect(() => new HeapGuard({ evictShare: 0 })).toThrow(/evictShare/);
  });

  it('reads the real heap by default', () => {
    const r = new HeapGuard().check(new Detector());
    expect(r.limitBytes).toBeGreaterThan(r.usedBytes);
    expect(r.evicted).toBe(0);
  });
});

describe('Detector.shrinkTo', () => {
  it('keeps the most recently seen devices', () => {
    const detector = new Detector();
    for (let d = 0; d < 5; d++) detector.process(reading(`dev-${d}`, 1));
    expect(detector.shrinkTo(2)).toBe(3);
    expect(detector.deviceCount).toBe(2);
    expect(detector.shrinkTo(5)).toBe(0);
  });
});
