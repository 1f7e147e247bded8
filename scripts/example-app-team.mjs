#!/usr/bin/env node
// `npm run example:app-team`: examples/app-team/ as an app team gets it, from the packed library.
//   1. packs the library (scripts/pack-lib.mjs -> dist/pack/iot-streaming-platform-<version>.tgz);
//   2. copies the example to a fresh folder and points its dependency at that tarball;
//   3. npm install --prefer-offline (the tarball's peers come from the npm cache `npm ci` filled);
//   4. checks the install: one copy of cdktf, constructs and each provider package (the library
//      resolves the app's own), and none of the reference workloads' runtime dependencies;
//   5. type-checks (tsc --noEmit), synthesizes (tsx main.ts) and gates (the package's iot-policy
//      with the example's own pack), writing the JSON report.
// Exits 1 at the first failing step, naming it. Only Node built-ins.
//   --workdir <dir>  install and run there (emptied first) and keep it; default: a temp folder,
//                    removed afterwards unless --keep
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'app-team');
const args = process.argv.slice(2);
const workdirArg = args.includes('--workdir') ? args[args.indexOf('--workdir') + 1] : undefined;
if (args.includes('--workdir') && !workdirArg) {
  console.error('example:app-team: --workdir needs a folder');
  process.exit(2);
}
const keep = args.includes('--keep') || workdirArg !== undefined;

/** What the library must never pull in: the reference workloads' runtime dependencies. */
const WORKLOAD_DEPENDENCIES = [
  'express',
  'kafkajs',
  'pg',
  'ioredis',
  '@azure/cosmos',
  '@azure/identity',
  'pino',
  'prom-client',
  'ajv',
];

const env = { ...process.env, CHECKPOINT_DISABLE: '1', npm_config_fund: 'false' };
delete env.INIT_CWD; // the gate resolves paths against INIT_CWD when set: make it the example's

class StepFailed extends Error {}

function fail(step, message) {
  throw new StepFailed(`example:app-team: ${step} failed${message ? `: ${message}` : ''}`);
}

function run(step, cmd, cmdArgs, cwd) {
  const started = Date.now();
  console.log(`\n== ${step}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) fail(step, `exit ${r.status ?? r.signal} after ${seconds} s`);
  console.log(`== ${step}: ok in ${seconds} s`);
  return r.stdout;
}

process.on('uncaughtException', (e) => {
  console.error(e instanceof StepFailed ? e.message : e);
  process.exit(1);
});

// 1. pack
const tarball = run(
  'pack',
  process.execPath,
  [join(root, 'scripts', 'pack-lib.mjs'), '--quiet'],
  root,
)
  .trim()
  .split('\n')
  .pop();
if (!tarball || !existsSync(tarball)) fail('pack', `no tarball at ${tarball}`);

// 2. a fresh copy of the example, depending on the tarball by absolute path
const work = workdirArg ? resolve(workdirArg) : mkdtempSync(join(tmpdir(), 'app-team-'));
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(example, work, {
  recursive: true,
  filter: (src) =>
    !/[\\/](node_modules|cdktf\.out|reports)([\\/]|$)/.test(src.slice(example.length)),
});
const pkgPath = join(work, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
if (!pkg.dependencies?.['iot-streaming-platform']?.startsWith('file:')) {
  fail('copy', 'examples/app-team/package.json does not depend on the tarball (file:)');
}
pkg.dependencies['iot-streaming-platform'] = `file:${tarball}`;
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`\nexample:app-team: working in ${work}`);

try {
  // 3. install, from the cache where it can
  run('install', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], work);

  // 4. one copy of what app and library share; no workload dependencies
  // The library's required peers (cdktf, constructs, the providers) must resolve to the app's
  // own copies: with a second copy, tags and grant ids broke.
  const installed = JSON.parse(
    readFileSync(join(work, 'node_modules', 'iot-streaming-platform', 'package.json'), 'utf8'),
  );
  const SHARED = Object.keys(installed.peerDependencies).filter(
    (p) => !installed.peerDependenciesMeta?.[p]?.optional,
  );
  if (!SHARED.includes('cdktf') || !SHARED.includes('constructs')) {
    fail('install check', 'the package does not take cdktf and constructs as peers');
  }
  const appRequire = createRequire(join(work, 'main.ts'));
  const libRequire = createRequire(
    join(work, 'node_modules', 'iot-streaming-platform', 'constructs', 'index.js'),
  );
  for (const name of SHARED) {
    const fromApp = appRequire.resolve(`${name}/package.json`);
    const fromLib = libRequire.resolve(`${name}/package.json`);
    if (fromApp !== fromLib)
      fail('install check', `two copies of ${name}: ${fromApp} and ${fromLib}`);
  }
  const pulled = WORKLOAD_DEPENDENCIES.filter((d) => existsSync(join(work, 'node_modules', d)));
  if (pulled.length) fail('install check', `the library pulled in ${pulled.join(', ')}`);
  console.log(
    `\n== install check: one copy each of ${SHARED.join(', ')}; no workload dependencies`,
  );

  // 5. what the team runs
  run('typecheck', 'npx', ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json'], work);
  run('synth', 'npx', ['--no-install', 'tsx', 'main.ts'], work);
  run('gate', 'npm', ['run', '-s', 'gate'], work);
  console.log(`\nexample:app-team: ok (${work})`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
