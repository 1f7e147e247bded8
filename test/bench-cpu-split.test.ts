import { formatCpuSplit, machineTicksFromStat, sampleCpuTimeline } from '../scripts/bench-lib';

describe('CPU split helpers of the benchmarks', () => {
  it('reads busy and total ticks from the cpu line of /proc/stat (idle and iowait are not busy)', () => {
    const stat = [
      'cpu  100 5 50 1000 20 3 2 0 0 0',
      'cpu0 50 2 25 500 10 1 1 0 0 0',
      'intr 12345',
    ].join('\n');
    expect(machineTicksFromStat(stat)).toEqual({ busy: 160, total: 1180 });
    expect(() => machineTicksFromStat('intr 1')).toThrow('cannot read the cpu line');
  });

  it('prints each share rounded, in percent of one core', () => {
    expect(
      formatCpuSplit([
        { name: 'ingest', seconds: 9.6, percent: 95.6 },
        { name: 'machine', seconds: 20, percent: 199.4 },
      ]),
    ).toBe('ingest 96 %, machine 199 %');
  });

  it('records a row per interval: a busy process near 100 %, an idle one near 0 %', async () => {
    const { spawn } = await import('node:child_process');
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const stop = sampleCpuTimeline({ busy: busy.pid, idle: idle.pid, gone: undefined }, 200);
      await new Promise((r) => setTimeout(r, 1100));
      const rows = stop();
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(Object.keys(rows[0]).sort()).toEqual(['busy', 'idle', 'machine']);
      const last = rows.slice(1);
      // a spinning process: most of a core in every interval once started (shared machine: loose)
      expect(Math.max(...last.map((r) => r.busy))).toBeGreaterThan(40);
      // the idle one after its start-up (node's boot costs CPU in the first intervals)
      expect(Math.max(...rows.slice(-2).map((r) => r.idle))).toBeLessThan(30);
      for (const r of last) expect(r.machine).toBeGreaterThanOrEqual(0);
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });
});
