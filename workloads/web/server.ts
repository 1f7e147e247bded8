/**
 * The web (dashboard) process: config from the environment (checked at start), PostgreSQL and
 * Redis clients, the SSE hub's reader, listen on HOST:PORT (default 127.0.0.1:3000), graceful
 * shutdown on SIGTERM (not ready, close SSE clients, stop listening, disconnect).
 */
import { createServer } from 'node:http';
import { DefaultAzureCredential } from '@azure/identity';
import { bool, int, loadConfigOrExit, oneOf, port, str } from '../shared/config';
import { Health } from '../shared/health';
import { installShutdown } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { postgresConfigSpec, createPgPoolFromConfig, pingPostgres } from '../shared/postgres';
import { redisConfigSpec, createRedis, pingRedis, redisOptionsFromConfig } from '../shared/redis';
import { createWebApp } from './app';
import { WebQueries } from './queries';
import { SseHub } from './sse';

const spec = {
  PORT: port({ default: 3000 }),
  HOST: str({ default: '127.0.0.1' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
    default: 'info',
  }),
  ...postgresConfigSpec,
  ...redisConfigSpec,
  TRUST_PROXY: bool({ default: false }),
  SSE_HEARTBEAT_MS: int({ default: 15_000, min: 1000, max: 120_000 }),
  SSE_MAX_CLIENTS: int({ default: 1000, min: 1, max: 100_000 }),
  SHUTDOWN_TIMEOUT_MS: int({ default: 10_000, min: 1000, max: 600_000 }),
};

async function main(): Promise<void> {
  const config = loadConfigOrExit(spec);
  const logger = createLogger({ service: 'web', level: config.LOG_LEVEL });
  const metrics = new Metrics('web');
  const health = new Health();
  const needsEntra = config.DATABASE_AUTH === 'entra' || config.REDIS_AUTH === 'entra';
  const credential = needsEntra ? new DefaultAzureCredential() : undefined;

  const pool = createPgPoolFromConfig(config, 'web', credential, logger);
  const redisOptions = redisOptionsFromConfig(config, credential, logger);
  const redis = await createRedis({ ...redisOptions, connectionName: 'web' });
  // XREAD BLOCK would stall every other command queued on its connection: the reader gets its own.
  const reader = await createRedis({
    ...redisOptions,
    connectionName: 'web-stream-reader',
    extra: { maxRetriesPerRequest: null, enableAutoPipelining: false },
  });
  for (const [name, r] of [
    ['redis', redis],
    ['redis reader', reader],
  ] as const) {
    r.on('error', (err) =>
      logger.warn({ err: err.message, client: name }, 'redis connection error'),
    );
  }

  const sseClients = metrics.gauge('web_sse_clients', 'Connected SSE clients');
  const sseEvents = metrics.counter('web_sse_events_total', 'Alert events written to SSE clients');
  const fallbacks = metrics.counter(
    'web_redis_fallback_total',
    'Reads answered from PostgreSQL because Redis failed',
  );
  const hub = new SseHub(reader, redis, {
    logger,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxClients: config.SSE_MAX_CLIENTS,
    observer: { clients: (n) => sseClients.set(n), delivered: (n) => sseEvents.inc(n) },
  });
  const misses = metrics.counter(
    'web_cache_misses_total',
    'Reads answered from PostgreSQL because Redis did not hold the answer',
    ['what'],
  );
  const queries = new WebQueries(pool, redis, {
    onRedisFallback: (err) => {
      fallbacks.inc();
      logger.warn({ err: err.message }, 'redis read failed; answered from postgres');
    },
    onCacheMiss: (what) => misses.inc({ what }),
    onCacheRebuilt: (devices, complete) =>
      logger.info({ devices, complete }, 'device cache rebuilt from postgres'),
    onRefillError: (err) => logger.warn({ err: err.message }, 'device cache refill failed'),
  });
  health
    .addCheck('postgres', () => pingPostgres(pool))
    .addCheck('redis', () => pingRedis(redis))
    .addCheck('alert stream', () => {
      if (!hub.isRunning) throw new Error('alert stream reader is not running');
    });

  const app = createWebApp({
    queries,
    hub,
    health,
    metrics,
    logger,
    trustProxy: config.TRUST_PROXY,
  });
  const server = createServer(app);
  // Longer than the front end's idle timeout, so the proxy, not we, closes idle keep-alives.
  server.keepAliveTimeout = 65_000;
  installShutdown({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    steps: [
      { name: 'mark not ready', run: () => health.setDraining() },
      { name: 'close sse clients', run: () => hub.close() },
      {
        name: 'stop listening',
        run: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      },
      { name: 'disconnect redis', run: async () => void (await redis.quit()) },
      { name: 'close postgres pool', run: () => pool.end() },
    ],
  });

  await hub.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  logger.info(
    {
      url: `http://${config.HOST}:${typeof address === 'object' && address ? address.port : config.PORT}`,
    },
    'web started',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`web failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
