// `npm run bench` (scripts/bench.ts) runs the benchmark suite: every npm script names a file
// that exists (`bench` once pointed at a missing scripts/bench.ts), the suite's benchmarks exist,
// and the runner refuses an unknown selection naming the known ones. The benchmarks themselves
// print figures and are never run as timed tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../package.json';
import { BENCHMARKS, selectBenchmarks } from '../scripts/bench';
import {
  cpuPercent,
  cpuTicksFromStat,
  SERVICE_NODE_ARGS,
  latencySummary,
  nodeArgsFromDockerfile,
  parseProducerPerf,
  percentile,
  ratio,
  serviceNodeArgs,
} from '../scripts/bench-lib';

const root = join(__dirname, '..');

describe('npm scripts', () => {
  const scripts = Object.entries(pkg.scripts as Record<string, string>);

  it.each(scripts)('%s names files that exist (%s)', (_name, command) => {
    const files = command
      .split(/\s+/)
      .filter((word) => /^(scripts|workloads|policies|stacks)\/\S+\.(ts|mjs|js)$/.test(word));
    for (const file of files) expect(existsSync(join(root, file))).toBe(true);
  });

  it('runs the suite with npm run bench', () => {
    expect(pkg.scripts.bench).toBe('tsx scripts/bench.ts');
  });
});

describe('scripts/bench.ts', () => {
  it('lists benchmarks that exist, each once', () => {
    expect(BENCHMARKS.length).toBeGreaterThan(0);
    for (const b of BENCHMARKS) expect(existsSync(join(root, b.script))).toBe(true);
    expect(new Set(BENCHMARKS.map((b) => b.name)).size).toBe(BENCHMARKS.length);
  });

  it('runs the benchmarks the issue asks for, each by name', () => {
    const names = BENCHMARKS.map((b) => b.name);
    for (const n of ['ingest', 'e2e', 'pg-sink', 'memory', 'concurrency', 'idle'])
      expect(names).toContain(n);
  });

  it('selects benchmarks by position or --only, in suite order, and all when none is named', () => {
    const pick = (argv: string[]) => {
      const r = selectBenchmarks(argv);
      return 'selected' in r ? r.selected.map((b) => b.name) : r;
    };
    expect(pick(['idle', 'ingest'])).toEqual(['ingest', 'idle']);
    expect(pick(['--only', 'pg-sink', 'e2e'])).toEqual(['pg-sink', 'e2e']);
    expect(pick([])).toEqual(BENCHMARKS.map((b) => b.name));
    expect(pick(['ingest', 'nope'])).toEqual({ unknown: ['nope'] });
  });

  it('exits 2 naming the known benchmarks for an unknown --only, running nothing', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'bench.ts'), '--only', 'nope'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`unknown nope (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
    expect(r.stdout).not.toContain('=== bench');
  });
});

describe('scripts/bench-lib.ts', () => {
  it("starts the services with their images' node options, read from each Dockerfile's CMD", () => {
    expect(
      nodeArgsFromDockerfile(
        'FROM x\nCMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "dist/a/server.js"]\n',
      ),
    ).toEqual(['--enable-source-maps', '--max-semi-space-size=4']);
    expect(() => nodeArgsFromDockerfile('CMD node dist/a/server.js')).toThrow(/exec-form CMD/);
    expect(() => nodeArgsFromDockerfile('CMD ["npm", "start"]')).toThrow(/exec-form CMD/);
    for (const s of ['ingest', 'analysis', 'processing', 'web']) {
      expect(serviceNodeArgs(s)).toEqual(SERVICE_NODE_ARGS);
    }
  });

  it('takes nearest-rank percentiles, NaN when there is nothing to rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises latencies in any order', () => {
    expect(latencySummary([30, 10, 20, 40])).toEqual({ n: 4, p50: 20, p95: 40, p99: 40, max: 40 });
  });

  it('prints the ratio to its baseline, n/a without a baseline', () => {
    expect(ratio(10_000, 20_000)).toBe('0.50×');
    expect(ratio(3, 0)).toBe('n/a');
    expect(ratio(NaN, 1)).toBe('n/a');
  });

  it("parses kafka-producer-perf-test's last summary line", () => {
    const out = [
      '50000 records sent, 9999.0 records/sec (1.90 MB/sec), 100.0 ms avg latency, 300.0 ms max latency.',
      '200000 records sent, 67091.580007 records/sec (12.80 MB/sec), 898.79 ms avg latency, 1113.00 ms max latency, 966 ms 50th, 1089 ms 95th, 1102 ms 99th, 1112 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerf(out)).toEqual({
      records: 200000,
      recordsPerSecond: 67091.580007,
      mbPerSecond: 12.8,
      avgLatencyMs: 898.79,
      maxLatencyMs: 1113,
      p50Ms: 966,
      p99Ms: 1102,
    });
    expect(() => parseProducerPerf('Exception in thread "main"')).toThrow(
      'no ProducerPerformance summary line',
    );
  });

  it('reads utime + stime from /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 10 }, () => '0'), '250', '50', '0', '0'];
    expect(cpuTicksFromStat(`1234 (node (x) y) ${fields.join(' ')}`)).toBe(300);
    expect(() => cpuTicksFromStat('1234 (node) S')).toThrow('cannot read utime/stime');
  });

  it('turns CPU seconds over a wall-clock window into percent of one core', () => {
    expect(cpuPercent(1.0, 1.3, 30)).toBeCloseTo(1);
    expect(cpuPercent(1, 2, 0)).toBeNaN();
  });
});
