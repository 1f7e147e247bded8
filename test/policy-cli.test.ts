// `npm run policy` / the synth gate run the policy CLI compiled to JavaScript (the package's
// `iot-policy` bin), rebuilt when a policy source is newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'policies', 'cli.js');

function policy(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'policy.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('the compiled policy CLI', () => {
  it('is the package bin, built from policies/ when stale, and runs without tsx', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.bin['iot-policy']).toBe('dist/policies/cli.js');
    expect(pkg.scripts.policy).toBe('node scripts/policy.mjs');

    // Make a source newer than the build: the next run must rebuild.
    const before = existsSync(cli) ? statSync(cli).mtimeMs : 0;
    const source = join(root, 'policies', 'cli.ts');
    const newer = new Date(Math.max(Date.now(), before + 1_000));
    utimesSync(source, newer, newer);
    const r = policy('--list');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(cli)).toBe(true);
    expect(statSync(cli).mtimeMs).toBeGreaterThan(before);
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(r.stdout).toMatch(/kubernetes-workload-image-pinned-by-digest/);

    // And it runs as plain node, as an installed bin would.
    const direct = spawnSync(process.execPath, [cli, '--list'], { encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(r.stdout);
  }, 180_000);

  it('loads a TypeScript team pack through tsx, and names the problem when a path is wrong', () => {
    const ok = policy('--list', '--pack', 'policies/examples/team-pack.ts');
    expect(ok.status).toBe(0);
    const bad = policy('--list', '--pack', 'policies/examples/no-such-pack.ts');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-pack/);
  }, 180_000);
});
