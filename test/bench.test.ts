// `npm run bench` (scripts/bench.ts) runs the benchmark suite: every npm script names a file
// that exists (`bench` once pointed at a missing scripts/bench.ts), the suite's benchmarks exist,
// and the runner refuses an unknown selection naming the known ones. The benchmarks themselves
// print figures and are never run as timed tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../package.json';
import { BENCHMARKS } from '../scripts/bench';

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

  it('exits 2 naming the known benchmarks for an unknown --only, running nothing', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'bench.ts'), '--only', 'nope'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `unknown --only nope (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
    );
    expect(r.stdout).not.toContain('=== bench');
  });
});
