import { formatCpuSplit, machineTicksFromStat } from '../scripts/bench-lib';

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
});
