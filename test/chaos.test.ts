import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { formatReport } from '../scripts/chaos';
import type { ChaosReport } from '../scripts/chaos';
import { tallySink } from '../scripts/chaos/tally';

const ROOT = resolve(__dirname, '..');

function report(overrides: Partial<ChaosReport> = {}): ChaosReport {
  const accepted = new Set(['a', 'b']);
  return {
    ok: true,
    failures: [],
    options: {
      readings: 2,
      ratePerSecond: 1,
      seed: 3,
      json: false,
      faults: ['restart:redis'],
      devices: 1,
      drainTimeoutMs: 1000,
    },
    loadAverage: { before: [1, 2, 3], after: [1.5, 2, 3], max1m: 4.25 },
    timingsMs: { buildMs: 0, enginesMs: 12_300, sendMs: 2000, totalMs: 20_000 },
    sender: {
      readings: 2,
      accepted: 2,
      notAccepted: 0,
      posts: 3,
      retriedPosts: 1,
      outcomes: { '202': 2, '503': 1 },
      sendMs: 2000,
      achievedRatePerSecond: 1,
    },
    faults: [
      {
        fault: 'restart:redis',
        plannedAtMs: 1000,
        startedAtMs: 1000,
        endedAtMs: 2500,
        downMs: 1200,
        duringTraffic: true,
        readiness: [{ service: 'web', redAtMs: 300, greenAtMs: 1500 }],
        problems: [],
      },
    ],
    sinks: [
      tallySink('cosmos readings', 'exactly-once', accepted, [['a', 'b']]),
      tallySink('kafka telemetry.raw', 'at-least-once', accepted, [['a', 'b', 'b']]),
    ],
    readinessTransitions: [],
    exits: [],
    logsDir: '/tmp/logs',
    ...overrides,
  };
}

describe('formatReport', () => {
  it('prints load average, timings, each fault with readiness, and lost/duplicated per sink', () => {
    const text = formatReport(report());
    expect(text).toContain('load average: before 1 2 3, after 1.5 2 3, max 1-min 4.25');
    expect(text).toContain('timings: build 0.0 s, engines 12.3 s, send 2.0 s, total 20.0 s');
    expect(text).toContain('2 of 2 readings accepted (202) in 3 posts, 1 resent');
    expect(text).toMatch(/restart:redis\s+down\s+1\.2 s\s+web red 0\.3 s green 1\.5 s/);
    expect(text).toMatch(/kafka telemetry\.raw\s+at-least-once\s+2\s+2\s+0\s+—\s+1\s+0/);
    expect(text).toContain('lost 0, duplicated 0');
    expect(text.trimEnd().endsWith('chaos: PASS')).toBe(true);
  });

  it('ends with FAIL and the reasons when the run failed', () => {
    const text = formatReport(
      report({ ok: false, failures: ['cosmos readings: 1 lost (e.g. b)'] }),
    );
    expect(text).toContain('chaos: FAIL\n  cosmos readings: 1 lost (e.g. b)');
  });
});

describe('npm run chaos arguments', () => {
  it('exits 2 with the reason and the usage on a bad argument, before starting anything', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/chaos.ts', '--rate', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('chaos: --rate=0: must be an integer from 1 to 5000');
    expect(r.stderr).toContain('usage: npm run chaos');
  });

  it('prints the usage and exits 0 on --help', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/chaos.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--readings N');
  });
});
