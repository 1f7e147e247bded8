#!/usr/bin/env node
// `npm run pack:lib`: the construct library and the policy gate as an npm package an app team
// installs with one command (docs/adr/0011-installable-library.md).
//
//   1. compiles constructs/ and policies/ (JavaScript + .d.ts, no tests) with
//      constructs/tsconfig.build.json into dist/lib/package/;
//   2. writes that folder's package.json from the root one: name, version, an `exports` map
//      (".", "./policies", one subpath per construct folder, "./package.json"), `typesVersions`
//      for consumers on `moduleResolution: node10`, the gate's `bin`, and as peerDependencies the
//      packages the compiled code requires (cdktf, constructs, the @cdktf/provider-* packages),
//      optional when the main entry never loads them; no dependencies;
//   3. copies the READMEs (the package README is the root README's "Use it in your own stack");
//   4. runs `npm pack` into dist/pack/ and prints the tarball's path.
//
// Idempotent: dist/lib/package/ is rebuilt from scratch and the tarball overwritten (npm pack
// writes fixed timestamps, so the same sources give the same bytes). Only Node built-ins.
// `--quiet`: print only the tarball's path (for scripts).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'dist', 'lib', 'package');
const packDir = join(root, 'dist', 'pack');
const quiet = process.argv.includes('--quiet');
const log = (m) => quiet || console.log(`pack:lib: ${m}`);

/** The package's name (ADR 0011: the product's own name; installs go by tarball path or URL). */
const PACKAGE_NAME = 'iot-streaming-platform';

function fail(message) {
  console.error(`pack:lib: ${message}`);
  process.exit(1);
}

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// 1. compile
rmSync(pkgDir, { recursive: true, force: true });
log('compiling constructs/ and policies/ (tsc -p constructs/tsconfig.build.json)');
try {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'constructs', 'tsconfig.build.json'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
} catch {
  fail('tsc -p constructs/tsconfig.build.json failed');
}

// 2. what the compiled code requires: bare specifiers per file, and which files the entry loads
const requireRe = /\brequire\((["'])([^"']+)\1\)/g;
/** package name of a bare specifier (`@scope/name/lib/x` -> `@scope/name`). */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
function isBuiltin(name) {
  return name.startsWith('node:') || builtinModules.includes(name);
}
/** Bare packages `file` loads when required, following its relative requires. */
function packagesLoadedBy(file, seen = new Set(), found = new Set()) {
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, , spec] of text.matchAll(requireRe)) {
    if (spec.startsWith('.')) {
      const base = join(dirname(file), spec);
      const target = [`${base}.js`, join(base, 'index.js'), base].find(
        (p) => existsSync(p) && statSync(p).isFile(),
      );
      if (!target) fail(`${relative(root, file)} requires ${spec}, which the build did not emit`);
      packagesLoadedBy(target, seen, found);
    } else if (!isBuiltin(packageOf(spec))) {
      found.add(packageOf(spec));
    }
  }
  return found;
}
function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(join(dir, e.name))
      : e.name.endsWith('.js')
        ? [join(dir, e.name)]
        : [],
  );
}

const mainEntry = join(pkgDir, 'constructs', 'index.js');
const loadedByMain = packagesLoadedBy(mainEntry);
const loadedByAny = new Set();
for (const f of jsFiles(pkgDir)) for (const p of packagesLoadedBy(f)) loadedByAny.add(p);

// The gate loads a pack written in TypeScript through tsx when it is installed (policies/run.ts,
// a guarded require): an optional peer, so a team with JavaScript packs installs nothing more.
const OPTIONAL_TOOLS = new Set(['tsx']);

const rootVersions = { ...rootPkg.devDependencies, ...rootPkg.dependencies };
const cdktfPeers = JSON.parse(
  readFileSync(join(root, 'node_modules', 'cdktf', 'package.json'), 'utf8'),
).peerDependencies;

/**
 * The range an app team may bring. Caret on the root's exact pin: one copy of each package with
 * whatever patch/minor the team has (cdktf 0.21 and the prebuilt providers are final, so in
 * practice it is the pinned release); `constructs` takes cdktf's own peer range so the two never
 * disagree; a tool takes its major.
 */
function peerRange(name) {
  if (name === 'constructs') return cdktfPeers.constructs;
  const pinned = rootVersions[name];
  if (!pinned) fail(`the compiled library requires ${name}, which package.json does not list`);
  if (!/^\d+\.\d+\.\d+$/.test(pinned)) fail(`${name} is pinned as ${pinned}, not an exact version`);
  return OPTIONAL_TOOLS.has(name) ? `>=${pinned.split('.')[0]}` : `^${pinned}`;
}

const peers = [...loadedByAny].sort();
const peerDependencies = Object.fromEntries(peers.map((p) => [p, peerRange(p)]));
const optional = peers.filter((p) => !loadedByMain.has(p));
const peerDependenciesMeta = Object.fromEntries(optional.map((p) => [p, { optional: true }]));

const constructFolders = readdirSync(join(pkgDir, 'constructs'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(pkgDir, 'constructs', e.name, 'index.js')))
  .map((e) => e.name)
  .sort();
const entry = (path) => ({ types: `./${path}.d.ts`, default: `./${path}.js` });
const exportsMap = {
  '.': entry('constructs/index'),
  './policies': entry('policies/index'),
  ...Object.fromEntries(constructFolders.map((c) => [`./${c}`, entry(`constructs/${c}/index`)])),
  './package.json': './package.json',
};
// TypeScript on `moduleResolution: node10` (cdktf init's tsconfig) ignores `exports`.
const typesVersions = {
  '*': {
    policies: ['policies/index.d.ts'],
    ...Object.fromEntries(constructFolders.map((c) => [c, [`constructs/${c}/index.d.ts`]])),
  },
};

const cli = join(pkgDir, 'policies', 'cli.js');
if (!readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node'))
  fail('policies/cli.js has no shebang');
chmodSync(cli, 0o755);

const pkg = {
  name: PACKAGE_NAME,
  version: rootPkg.version,
  description:
    'CDK for Terraform constructs for Azure IoT data streaming on AKS, and the policy gate (iot-policy) over the synthesized Terraform JSON.',
  license: rootPkg.license,
  type: 'commonjs',
  engines: rootPkg.engines,
  main: './constructs/index.js',
  types: './constructs/index.d.ts',
  exports: exportsMap,
  typesVersions,
  bin: { 'iot-policy': './policies/cli.js' },
  files: ['constructs', 'policies', 'README.md'],
  peerDependencies,
  ...(optional.length ? { peerDependenciesMeta } : {}),
};
writeFileSync(join(pkgDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

// 3. READMEs: the app team's section of the root README, and every folder's own
const rootReadme = readFileSync(join(root, 'README.md'), 'utf8');
const section = rootReadme.match(/^## Use it in your own stack\n[\s\S]*?(?=^## |(?![\s\S]))/m);
if (!section) fail('README.md has no "## Use it in your own stack" section');
writeFileSync(
  join(pkgDir, 'README.md'),
  `# ${PACKAGE_NAME}\n\n${rootPkg.description}\n\n${section[0]}`,
);
for (const dir of ['policies', 'constructs', ...constructFolders.map((c) => `constructs/${c}`)]) {
  const src = join(root, dir, 'README.md');
  if (existsSync(src)) copyFileSync(src, join(pkgDir, dir, 'README.md'));
}

// 4. npm pack
mkdirSync(packDir, { recursive: true });
const tarball = join(packDir, `${PACKAGE_NAME}-${rootPkg.version}.tgz`);
rmSync(tarball, { force: true });
let packed;
try {
  packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: pkgDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )[0];
} catch {
  fail('npm pack failed');
}
if (!existsSync(tarball)) fail(`npm pack did not write ${relative(root, tarball)}`);
log(
  `${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed; peers: ${peers
    .map((p) => `${p}@${peerDependencies[p]}${optional.includes(p) ? ' (optional)' : ''}`)
    .join(', ')}`,
);
console.log(quiet ? tarball : `pack:lib: ${relative(root, tarball)}`);
