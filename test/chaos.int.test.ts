/**
 * The CI-sized `npm run chaos` (issue 10 §2, ADR 0018): every service SIGKILLed once and every
 * engine restarted once while 2,400 readings flow at 20/s, on engines of the tool's own (the
 * shared test engines never see an outage). Nothing accepted may be lost or stored twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChaosReport } from '../scripts/chaos';

jest.setTimeout(420_000);

const ROOT = resolve(__dirname, '..');

function runChaos(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chaos.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run chaos, CI-sized', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses and duplicates nothing through a kill of each service and a restart of each engine', async () => {
    const out = join(dir, 'report.json');
    const run = await runChaos([
      '--readings',
      '2400',
      '--rate',
      '20',
      '--seed',
      '7',
      '--json',
      '--out',
      out,
    ]);
    const context = `exit ${run.code}\n--- stderr\n${run.stderr.slice(-6000)}`;
    let report: ChaosReport;
    try {
      report = JSON.parse(run.stdout) as ChaosReport;
    } catch {
      throw new Error(`no JSON report on stdout: ${run.stdout.slice(0, 2000)}\n${context}`);
    }
    // The file and stdout carry the same report.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    if (!report.ok) throw new Error(`chaos failed:\n${report.failures.join('\n')}\n${context}`);
    expect(run.code).toBe(0);

    expect(report.sender).toMatchObject({ readings: 2400, accepted: 2400, notAccepted: 0 });
    expect(report.sinks.map((s) => s.sink)).toEqual([
      'cosmos readings',
      'kafka telemetry.raw',
      'kafka telemetry.analyzed',
      'postgres processed_readings',
      'postgres metric_minute counts',
    ]);
    for (const sink of report.sinks) {
      expect({ sink: sink.sink, lost: sink.lost, duplicated: sink.duplicated }).toEqual({
        sink: sink.sink,
        lost: 0,
        duplicated: 0,
      });
      expect(sink.stored).toBe(2400);
    }

    // Every fault happened, while readings were flowing, and did what it says.
    expect(report.faults.map((f) => f.fault).sort()).toEqual(
      [
        'kill:analysis',
        'kill:ingest',
        'kill:processing',
        'kill:web',
        'restart:cosmos',
        'restart:kafka',
        'restart:postgres',
        'restart:redis',
      ].sort(),
    );
    for (const f of report.faults) {
      expect({ fault: f.fault, problems: f.problems, duringTraffic: f.duringTraffic }).toEqual({
        fault: f.fault,
        problems: [],
        duringTraffic: true,
      });
      // Engine outages: each dependent service red during it, green after it.
      for (const r of f.readiness) {
        expect(r.redAtMs).toBeLessThanOrEqual(f.downMs);
        expect(r.greenAtMs).toBeGreaterThan(r.redAtMs!);
      }
    }
    const kills = report.exits.filter((e) => e.expected && e.code === 'SIGKILL');
    expect(kills.map((e) => e.service).sort()).toEqual(['analysis', 'ingest', 'processing', 'web']);
    expect(report.exits.filter((e) => !e.expected)).toEqual([]);
  });
});
