#!/usr/bin/env node
// The whole test suite, as CI runs it: type-check, lint + format check, then every jest
// project (unit offline; integration against the real local engines jest's global setup
// starts). Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
const jestArgs = process.argv.slice(2);

function step(name, cmd, args) {
  const started = Date.now();
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  console.log(
    `== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return r.status === 0;
}

let ok = true;
if (jestArgs.length === 0) {
  ok = step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) && ok;
  ok = step('lint', 'npx', ['eslint', '.']) && ok;
  ok = step('format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']) && ok;
}
const out = join(mkdtempSync(join(tmpdir(), 'jest-')), 'results.json');
ok = step('jest', 'npx', ['jest', '--ci', '--json', `--outputFile=${out}`, ...jestArgs]) && ok;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  // The plain closing line CI reads.
  console.log(
    `\n${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
} catch {
  console.log('\njest wrote no results');
  ok = false;
}
process.exit(ok ? 0 : 1);
