#!/usr/bin/env node
// `npm run policy -- …` and the gate in `npm run synth`: the policy CLI as compiled JavaScript
// (dist/policies/cli.js, the package's `iot-policy` bin), rebuilt with tsc when a source under
// policies/ is newer than the build. Running the compiled CLI instead of tsx takes the gate from
// about 1 s to about 0.2 s on the project's stacks (docs/benchmarks.md).
// Only Node built-ins here. Arguments go to the CLI; paths resolve against INIT_CWD, as npm sets it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'policies', 'cli.js');

/** What policies/tsconfig.build.json leaves out of the build. */
const NOT_BUILT = new Set(['fixtures', 'scripts', 'examples', 'bench.ts', 'testing.ts']);

/** Newest modification time of the TypeScript sources the build compiles. */
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_BUILT.has(e.name) || e.name.endsWith('.test.ts')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') || e.name === 'tsconfig.build.json') {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
if (built < newestSource(join(root, 'policies'))) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [tsc, '-p', join(root, 'policies', 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    console.error('policy: building the CLI (tsc -p policies/tsconfig.build.json) failed');
    process.exit(2);
  }
}
const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, INIT_CWD: process.env.INIT_CWD ?? process.cwd() },
});
process.exit(r.status ?? 2);
