import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { failure, freePort, spawnManaged, waitUntilReady } from './process';
import type { EngineContext, RunningEngine } from './types';

/** The system user PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
export const POSTGRES_OS_USER = 'iotpg';

/** The bin folder of the newest PostgreSQL installed from Debian's packages. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'postgres: no PostgreSQL under /usr/lib/postgresql; run node scripts/engines/install.mjs',
    );
  }
  return join(base, versions[0], 'bin');
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** The uid/gid to run PostgreSQL as: ourselves, or a dedicated system user when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let user = lookupUser(POSTGRES_OS_USER);
  if (!user) {
    const r = spawnSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        POSTGRES_OS_USER,
      ],
      { encoding: 'utf8' },
    );
    // Another process may have created it at the same moment; only the lookup decides.
    user = lookupUser(POSTGRES_OS_USER);
    if (!user) throw new Error(`postgres: useradd ${POSTGRES_OS_USER} failed: ${r.stderr}`);
  }
  return user;
}

/**
 * PostgreSQL on 127.0.0.1 only (no Unix socket), data in `ctx.dir`, trust authentication on
 * loopback, and a superuser role `iot` owning a database `iot`. Started again on the same `ctx.dir`
 * (and port), it restarts the same cluster with its data: what a restart test needs.
 *
 * Durability is traded for speed because the data is throwaway: fsync, synchronous_commit and
 * full_page_writes are off. A crash of the machine loses the cluster, never a test's result.
 * `ctx.dir` and its parents must be traversable by the PostgreSQL user (the caller makes the
 * base folder 0711).
 */
export async function startPostgres(ctx: EngineContext): Promise<RunningEngine> {
  const bin = postgresBinDir();
  const user = runAs();
  const port = ctx.port ?? (await freePort());
  const dataDir = join(ctx.dir, 'data');
  const logFile = join(ctx.dir, 'postgres.log');
  // A data folder from an earlier start (a restart test stops and starts the same cluster):
  // reuse it, with its database and rows, instead of initialising a new one.
  const existing = existsSync(join(dataDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);

  // initdb names the bootstrap superuser `iot`, so no separate CREATE ROLE is needed.
  const init = existing
    ? { status: 0, stdout: '', stderr: '', error: undefined }
    : spawnSync(
        join(bin, 'initdb'),
        [
          '-D',
          dataDir,
          '-U',
          'iot',
          '--auth=trust',
          '--encoding=UTF8',
          '--locale=C',
          '--no-sync',
          '--no-instructions',
        ],
        { encoding: 'utf8', cwd: ctx.dir, uid: user?.uid, gid: user?.gid },
      );
  if (init.status !== 0) {
    throw new Error(
      `postgres: initdb failed (${init.error?.message ?? `exit ${init.status}`}):\n${init.stdout}${init.stderr}`,
    );
  }

  const proc = spawnManaged({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      // Four services, the simulator and parallel jest workers each hold a pool.
      '-c',
      'max_connections=200',
    ],
    logFile,
    cwd: ctx.dir,
    uid: user?.uid,
    gid: user?.gid,
  });
  // SIGINT is PostgreSQL's "fast" shutdown: it rolls back open sessions instead of waiting
  // for clients to disconnect (SIGTERM's "smart" mode could wait forever on a pooled client).
  const stop = () => proc.stop('SIGINT', 10_000);

  const url = `postgres://iot@127.0.0.1:${port}/iot`;
  try {
    await waitUntilReady(
      proc,
      async () => {
        const c = new Client({
          connectionString: `postgres://iot@127.0.0.1:${port}/postgres`,
          connectionTimeoutMillis: 2000,
          query_timeout: 2000,
        });
        try {
          await c.connect();
          await c.query('select 1');
          return true;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      30_000,
    );
    if (!existing) {
      const admin = new Client({ connectionString: `postgres://iot@127.0.0.1:${port}/postgres` });
      await admin.connect();
      try {
        await admin.query('create database iot owner iot');
      } finally {
        await admin.end();
      }
    }
  } catch (err) {
    await stop();
    throw failure('postgres', err, logFile);
  }
  return { name: 'postgres', env: { DATABASE_URL: url }, pid: proc.pid, logFile, stop };
}
