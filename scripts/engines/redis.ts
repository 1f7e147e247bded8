import { join } from 'node:path';
import Redis from 'ioredis';
import { failure, freePort, spawnManaged, waitUntilReady } from './process';
import type { EngineContext, RunningEngine } from './types';

/**
 * redis-server (Debian's Redis 7) on 127.0.0.1, no persistence (`--save ''`, no AOF): the data
 * is throwaway and snapshots would only cost I/O. Protected mode stays on; binding to loopback
 * is what keeps it private.
 */
export async function startRedis(ctx: EngineContext): Promise<RunningEngine> {
  const port = ctx.port ?? (await freePort());
  const logFile = join(ctx.dir, 'redis.log');
  const proc = spawnManaged({
    name: 'redis',
    command: 'redis-server',
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      ctx.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      logFile,
    ],
    logFile: join(ctx.dir, 'redis.stdout.log'),
    cwd: ctx.dir,
  });
  // SIGTERM makes Redis exit promptly; with saving off it writes nothing on the way out.
  const stop = () => proc.stop('SIGTERM', 5000);
  try {
    await waitUntilReady(
      proc,
      async () => {
        const client = new Redis(port, '127.0.0.1', {
          lazyConnect: true,
          connectTimeout: 2000,
          commandTimeout: 2000,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      },
      15_000,
      logFile,
    );
  } catch (err) {
    await stop();
    throw failure('redis', err, logFile);
  }
  return {
    name: 'redis',
    env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    pid: proc.pid,
    logFile,
    stop,
  };
}
