// The workload images, checked without a Docker engine: each Dockerfile lints clean with
// hadolint, every path its build copies is in the build context .dockerignore leaves, and the
// JavaScript its CMD runs (and the topics job's command) exists in the workloads' build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const services = ['ingest', 'analysis', 'processing', 'web', 'splunk-forwarder'];
const dockerfile = (s: string) => join(root, 'workloads', s, 'Dockerfile');
const hadolint = join(root, '.cache', 'tools', 'hadolint-2.15.1', 'bin', 'hadolint');

/** The files of the build context: .dockerignore is an allow-list (`*` then `!path` lines). */
function contextFiles(): string[] {
  const rules = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  expect(rules[0]).toBe('*');
  const allowed = rules.filter((r) => r.startsWith('!')).map((r) => r.slice(1).replace(/\/$/, ''));
  const excluded = rules
    .filter((r) => r !== '*' && !r.startsWith('!'))
    .map(
      (r) =>
        new RegExp(
          `^${r
            .replace(/\./g, '\\.')
            .replace(/\*\*\//g, '(?:.*/)?')
            .replace(/\*/g, '[^/]*')}$`,
        ),
    );
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(root, p));
    }
  };
  for (const a of allowed) {
    const p = join(root, a);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(a);
  }
  return files.filter((f) => !excluded.some((x) => x.test(f))).sort();
}

describe('workload images', () => {
  it.each(services)('%s: hadolint finds nothing', (s) => {
    if (!existsSync(hadolint)) {
      throw new Error(
        `hadolint is not installed: run node scripts/engines/install.mjs (npm test does)`,
      );
    }
    const r = spawnSync(hadolint, ['--no-color', dockerfile(s)], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('keeps the build context to what the builds copy', () => {
    const files = contextFiles();
    const bytes = files.reduce((n, f) => n + statSync(join(root, f)).size, 0);
    // The figure the docs quote; printed so a change in it is visible in CI's log.
    console.log(`build context: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
    expect(files).toContain('package-lock.json');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('cdktf.out/'))).toBe(
      false,
    );
    expect(files.some((f) => f.endsWith('.test.ts'))).toBe(false);
    for (const s of services) {
      const copies = [
        ...readFileSync(dockerfile(s), 'utf8').matchAll(/^COPY (?!--from)(.+) \S+$/gm),
      ].flatMap((m) => m[1]!.split(/\s+/));
      for (const src of copies) {
        expect({
          service: s,
          src,
          inContext: files.some((f) => f === src || f.startsWith(`${src}/`)),
        }).toEqual({
          service: s,
          src,
          inContext: true,
        });
      }
    }
  });

  describe('against the workloads build (tsc -p workloads/tsconfig.build.json)', () => {
    const out = mkdtempSync(join(tmpdir(), 'workloads-build-'));
    beforeAll(() => {
      execFileSync(
        process.execPath,
        [
          require.resolve('typescript/bin/tsc'),
          '-p',
          join(root, 'workloads', 'tsconfig.build.json'),
          '--outDir',
          out,
        ],
        {
          stdio: 'pipe',
        },
      );
    }, 120_000);
    // The image puts the build under /app/dist: `dist/<x>` in a CMD is `<out>/<x>` here.
    const inBuild = (p: string) => join(out, p.replace(/^dist\//, ''));

    it.each(services)('%s: the CMD runs a file of the build', (s) => {
      const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(dockerfile(s), 'utf8'))?.[1];
      const args = JSON.parse(cmd ?? 'null') as string[];
      const script = args.find((a) => a.endsWith('.js'))!;
      expect(script).toBe(`dist/workloads/${s}/server.js`);
      expect(existsSync(inBuild(script))).toBe(true);
    });

    it('has the topics job the workloads stack runs in these images', () => {
      const source = readFileSync(
        join(root, 'constructs', 'kafka-topics', 'kafka-topics-job.ts'),
        'utf8',
      );
      const script = /command: \['node', '([^']+)'\]/.exec(source)?.[1];
      expect(script).toBe('dist/workloads/topics/main.js');
      expect(existsSync(inBuild(script!))).toBe(true);
    });
  });
});
