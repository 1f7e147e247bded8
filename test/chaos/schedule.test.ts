import {
  ALL_FAULTS,
  DEPENDENTS,
  ENGINES,
  faultSchedule,
  isFaultName,
  seededRandom,
} from '../../scripts/chaos/schedule';

describe('faultSchedule', () => {
  it('plans every fault once, evenly inside the sending phase, never at its start or end', () => {
    const plan = faultSchedule(ALL_FAULTS, 90_000, 1);
    expect(plan.map((p) => p.fault).sort()).toEqual([...ALL_FAULTS].sort());
    expect(plan.map((p) => p.atMs)).toEqual([10, 20, 30, 40, 50, 60, 70, 80].map((s) => s * 1000));
  });

  it('draws the order from the seed: the same seed, the same order', () => {
    const a = faultSchedule(ALL_FAULTS, 60_000, 7).map((p) => p.fault);
    expect(faultSchedule(ALL_FAULTS, 60_000, 7).map((p) => p.fault)).toEqual(a);
    const orders = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        faultSchedule(ALL_FAULTS, 60_000, seed)
          .map((p) => p.fault)
          .join(),
      ),
    );
    expect(orders.size).toBeGreaterThan(1);
  });

  it('plans only the faults asked for', () => {
    expect(faultSchedule(['restart:kafka'], 10_000, 3)).toEqual([
      { fault: 'restart:kafka', atMs: 5000 },
    ]);
  });
});

describe('fault names and dependents', () => {
  it('has a kill for each service and a restart for each engine', () => {
    expect(ALL_FAULTS).toEqual([
      'kill:ingest',
      'kill:analysis',
      'kill:processing',
      'kill:web',
      'restart:kafka',
      'restart:postgres',
      'restart:redis',
      'restart:cosmos',
    ]);
    expect(isFaultName('restart:cosmos')).toBe(true);
    expect(isFaultName('restart:splunk')).toBe(false);
  });

  it('expects a readiness change from at least one service per engine', () => {
    for (const e of ENGINES) expect(DEPENDENTS[e].length).toBeGreaterThan(0);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});
