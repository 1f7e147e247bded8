// Installs what the lakehouse job (data-science/) needs to run on real Spark, idempotently:
// - a Python venv in .cache/python/spark with data-science/requirements.txt (pyspark, delta-spark,
//   pinned), from PyPI; redone when the requirements file changes (its hash is the marker);
// - the jars Spark needs beside the pyspark wheel (Kafka connector and its dependencies, Delta),
//   listed with their sha256 in data-science/spark-jars.json, from Maven Central into
//   .cache/spark/jars; each file is checked against its hash, and the set refetched when the
//   manifest changes. Spark never resolves packages itself (no spark.jars.packages/ivy): the job
//   gets these files with --jars, so a cached machine runs offline.
// Node built-ins only (it runs on a fresh machine from scripts/engines/install.mjs).
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
import { delimiter, join } from 'node:path';

const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Where things go, relative to the repository root (the test and the README use the same). */
export function sparkPaths(root) {
  return {
    venv: join(root, '.cache', 'python', 'spark'),
    python: join(root, '.cache', 'python', 'spark', 'bin', 'python'),
    jarsDir: join(root, '.cache', 'spark', 'jars'),
    requirements: join(root, 'data-science', 'requirements.txt'),
    manifest: join(root, 'data-science', 'spark-jars.json'),
  };
}

/** `group:artifact:version` to the file's path under a Maven repository. */
export function mavenPath(coordinates) {
  const parts = coordinates.split(':');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new Error(`"${coordinates}" is not group:artifact:version`);
  }
  const [group, artifact, version] = parts;
  return `${group.replaceAll('.', '/')}/${artifact}/${version}/${artifact}-${version}.jar`;
}

function installVenv(paths, log) {
  const requirementsHash = sha256(readFileSync(paths.requirements)).slice(0, 16);
  const marker = join(paths.venv, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === requirementsHash) {
    log(`PySpark venv present in ${paths.venv}`);
    return;
  }
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 is needed to install pyspark and delta-spark (venv + pip)');
  log(`installing ${paths.requirements} from PyPI into ${paths.venv} (pyspark is ~400 MB)`);
  const t0 = Date.now();
  // A venv is not relocatable (scripts carry its path), so it is built in place; the marker,
  // written last, is what makes it count as complete.
  rmSync(paths.venv, { recursive: true, force: true });
  execFileSync(python, ['-m', 'venv', paths.venv], { stdio: 'inherit' });
  execFileSync(
    paths.python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', paths.requirements],
    { stdio: 'inherit' },
  );
  writeFileSync(marker, `${requirementsHash}\n`);
  log(`PySpark venv installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function installJars(paths, log) {
  const manifestText = readFileSync(paths.manifest, 'utf8');
  const manifestHash = sha256(manifestText).slice(0, 16);
  const stamp = join(paths.jarsDir, '.complete');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === manifestHash) {
    log(`Spark jars present in ${paths.jarsDir}`);
    return;
  }
  const { jars } = JSON.parse(manifestText);
  log(`fetching ${jars.length} Spark jars from Maven Central into ${paths.jarsDir}`);
  const t0 = Date.now();
  const scratch = `${paths.jarsDir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  for (const { coordinates, sha256: expected } of jars) {
    const path = mavenPath(coordinates);
    const url = `${MAVEN_CENTRAL}/${path}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    const actual = sha256(body);
    if (actual !== expected) {
      throw new Error(
        `${coordinates}: sha256 ${actual}, data-science/spark-jars.json pins ${expected}`,
      );
    }
    writeFileSync(join(scratch, path.split('/').pop()), body);
  }
  rmSync(paths.jarsDir, { recursive: true, force: true });
  mkdirSync(join(paths.jarsDir, '..'), { recursive: true });
  renameSync(scratch, paths.jarsDir);
  writeFileSync(stamp, `${manifestHash}\n`);
  const count = readdirSync(paths.jarsDir).filter((f) => f.endsWith('.jar')).length;
  log(`fetched ${count} Spark jars in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Installs the venv and the jars when missing or stale; a few stat calls when present. */
export async function installSpark(root, log) {
  const paths = sparkPaths(root);
  installVenv(paths, log);
  await installJars(paths, log);
}
