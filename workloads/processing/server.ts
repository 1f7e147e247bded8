/**
 * The processing process: config from the environment (checked at start), clients, the ops
 * server on PORT (default 8082: /livez, /readyz, /metrics), and graceful shutdown on SIGTERM.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { int, list, loadConfigOrExit, oneOf, port, str } from '../shared/config';
import { Health, startOpsServer } from '../shared/health';
import { createKafka, kafkaConfigSpec, kafkaSettings } from '../shared/kafka';
import { installShutdown } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { postgresConfigSpec, createPgPool, createPgPoolFromConfig } from '../shared/postgres';
import { redisConfigSpec, createRedis, redisOptionsFromConfig } from '../shared/redis';
import { ProcessingApp } from './app';
import { databaseOf, ensureDatabaseReader, maintenanceConnectionString } from './principals';
import type { DatabaseReader } from './principals';

const spec = {
  PORT: port({ default: 8082 }),
  HOST: str({ default: '127.0.0.1' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
    default: 'info',
  }),
  ...postgresConfigSpec,
  ...redisConfigSpec,
  ...kafkaConfigSpec,
  KAFKA_GROUP_ID: str({ default: 'processing', pattern: /^[A-Za-z0-9._-]{1,200}$/ }),
  TOPIC_ANALYZED: str({ default: 'telemetry.analyzed' }),
  TOPIC_ALERTS: str({ default: 'alerts' }),
  PARTITIONS_CONCURRENCY: int({ default: 3, min: 1, max: 64 }),
  ALERT_WEBHOOK_URLS: list({ default: [] }),
  ALERT_WEBHOOK_SECRET: str({ optional: true, secret: true }),
  WEBHOOK_MAX_ATTEMPTS: int({ default: 5, min: 1, max: 20 }),
  WEBHOOK_TIMEOUT_MS: int({ default: 5000, min: 100, max: 60_000 }),
  WEBHOOK_QUEUE_CAPACITY: int({ default: 1000, min: 1, max: 100_000 }),
  PARTITIONS_AHEAD_DAYS: int({ default: 3, min: 1, max: 60 }),
  DEDUPE_RETENTION_DAYS: int({ default: 14, min: 2, max: 3650 }),
  SHUTDOWN_TIMEOUT_MS: int({ default: 25_000, min: 1000, max: 600_000 }),
  /** The web app's identity: its role is created and granted read access at start (both or neither). */
  WEB_DATABASE_PRINCIPAL_NAME: str({
    optional: true,
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
  }),
  WEB_DATABASE_PRINCIPAL_OBJECT_ID: str({
    optional: true,
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  }),
};

async function main(): Promise<void> {
  const config = loadConfigOrExit(spec);
  for (const u of config.ALERT_WEBHOOK_URLS) {
    if (!/^https?:\/\//.test(u)) {
      process.stderr.write(
        `invalid configuration:\n  ALERT_WEBHOOK_URLS: '${u}' is not an http(s) URL\n`,
      );
      process.exit(2);
    }
  }
  const webReader = webDatabaseReader(config);
  const logger = createLogger({ service: 'processing', level: config.LOG_LEVEL });
  const metrics = new Metrics('processing');
  const health = new Health();
  const needsEntra = config.DATABASE_AUTH === 'entra' || config.REDIS_AUTH === 'entra';
  const credential = needsEntra ? new DefaultAzureCredential() : undefined;

  const pool = createPgPoolFromConfig(config, 'processing', credential, logger);
  const redis = await createRedis({
    ...redisOptionsFromConfig(config, credential, logger),
    connectionName: 'processing',
  });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const kafka = createKafka(kafkaSettings(config, 'processing'), logger);

  const steps: { name: string; run: () => Promise<void> | void }[] = [];
  const shutdown = installShutdown({ logger, steps, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  const app = new ProcessingApp(
    {
      pool,
      redis,
      kafka,
      logger,
      metrics,
      health,
      ensurePrincipals: webReader
        ? async () => {
            // A short-lived pool on the `postgres` database, where pgaadauth_* live.
            const maintenance = createPgPool({
              connectionString: maintenanceConnectionString(config.DATABASE_URL),
              auth: config.DATABASE_AUTH,
              credential,
              max: 1,
              applicationName: 'processing-principals',
            });
            try {
              const database = databaseOf(config.DATABASE_URL);
              const r = await ensureDatabaseReader(pool, maintenance, webReader, database);
              logger.info({ role: webReader.roleName, created: r.created }, 'web database reader');
            } finally {
              await maintenance.end();
            }
          }
        : undefined,
    },
    {
      groupId: config.KAFKA_GROUP_ID,
      topicAnalyzed: config.TOPIC_ANALYZED,
      topicAlerts: config.TOPIC_ALERTS,
      partitionsConcurrency: config.PARTITIONS_CONCURRENCY,
      webhooks: {
        urls: config.ALERT_WEBHOOK_URLS,
        secret: config.ALERT_WEBHOOK_SECRET,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        queueCapacity: config.WEBHOOK_QUEUE_CAPACITY,
      },
      partitionsAheadDays: config.PARTITIONS_AHEAD_DAYS,
      dedupeRetentionDays: config.DEDUPE_RETENTION_DAYS,
    },
    (err) => void shutdown.trigger(`kafka consumer crashed: ${err.message}`, true),
  );
  const ops = await startOpsServer({ health, metrics, port: config.PORT, host: config.HOST });
  steps.push(
    { name: 'mark not ready', run: () => health.setDraining() },
    { name: 'stop consumer, publish, drain webhooks', run: () => app.stop() },
    { name: 'close ops server', run: () => new Promise<void>((r) => ops.close(() => r())) },
    { name: 'disconnect redis', run: async () => void (await redis.quit()) },
    { name: 'close postgres pool', run: () => pool.end() },
  );
  await app.start();
  const address = ops.address();
  logger.info(
    { port: typeof address === 'object' && address ? address.port : config.PORT },
    'processing started',
  );
}

/** The web reader from the two settings: both or neither, never one alone. */
function webDatabaseReader(config: {
  WEB_DATABASE_PRINCIPAL_NAME?: string;
  WEB_DATABASE_PRINCIPAL_OBJECT_ID?: string;
}): DatabaseReader | undefined {
  const name = config.WEB_DATABASE_PRINCIPAL_NAME;
  const objectId = config.WEB_DATABASE_PRINCIPAL_OBJECT_ID;
  if (name === undefined && objectId === undefined) return undefined;
  if (name === undefined || objectId === undefined) {
    process.stderr.write(
      'invalid configuration:\n  WEB_DATABASE_PRINCIPAL_NAME and WEB_DATABASE_PRINCIPAL_OBJECT_ID: set both or neither\n',
    );
    process.exit(2);
  }
  return { roleName: name, objectId };
}

main().catch((err: unknown) => {
  process.stderr.write(`processing failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
