/**
 * The ingest process: config (exit 2 when bad), clients, listen, signals, graceful close.
 * The app itself is built in app.ts.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { loadConfigOrExit, int, oneOf, port, str } from '../shared/config';
import { cosmosConfigSpec, createCosmosClient, openContainer } from '../shared/cosmos';
import { Health, cachedCheck } from '../shared/health';
import {
  KafkaProducer,
  KafkaReachability,
  createKafka,
  kafkaConfigSpec,
  kafkaSettings,
} from '../shared/kafka';
import { installShutdown } from '../shared/lifecycle';
import type { ShutdownStep } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { buildApp } from './app';
import { CosmosKafkaSink, isNotFound } from './sink';

/** Ingest's environment: listener, limits, and the Cosmos and Kafka settings. */
export const ingestConfigSpec = {
  PORT: port({ default: 8080 }),
  HOST: str({ default: '0.0.0.0' }),
  /** Accept queue length (the kernel caps it at net.core.somaxconn). */
  LISTEN_BACKLOG: int({ default: 4096, min: 1, max: 65_535 }),
  LOG_LEVEL: str({ default: 'info', pattern: /^(fatal|error|warn|info|debug|trace|silent)$/ }),
  /** Max request body after decompression. */
  MAX_BODY_BYTES: int({ default: 1_048_576, min: 1024, max: 64 * 1_048_576 }),
  /** Max readings per request. */
  MAX_ITEMS_PER_REQUEST: int({ default: 5000, min: 1, max: 100_000 }),
  /** A Cosmos or Kafka write slower than this fails the request with 503. */
  DEPENDENCY_TIMEOUT_MS: int({ default: 10_000, min: 100, max: 120_000 }),
  RETRY_AFTER_SECONDS: int({ default: 2, min: 1, max: 300 }),
  /** parallel: Cosmos and Kafka at once; cosmos-then-kafka: Kafka only after Cosmos (ADR 0019). */
  INGEST_WRITE_ORDER: oneOf(['parallel', 'cosmos-then-kafka'] as const, { default: 'parallel' }),
  /** Readings in flight beyond which a request gets 503 + Retry-After at once (admission). */
  MAX_PENDING_READINGS: int({ default: 20_000, min: 1, max: 10_000_000 }),
  /** Cosmos bulk calls in flight at once; concurrent requests' readings share them. */
  COSMOS_BULK_CONCURRENCY: int({ default: 4, min: 1, max: 256 }),
  /** Pause between "not ready" and closing the listener, so the Service stops routing to us. */
  SHUTDOWN_DELAY_MS: int({ default: 0, min: 0, max: 60_000 }),
  SHUTDOWN_TIMEOUT_MS: int({ default: 25_000, min: 1000, max: 600_000 }),
  ...cosmosConfigSpec,
  ...kafkaConfigSpec,
};

async function main(): Promise<void> {
  const config = loadConfigOrExit(ingestConfigSpec);
  const logger = createLogger({ service: 'ingest', level: config.LOG_LEVEL });
  const metrics = new Metrics('ingest');
  const health = new Health();
  const steps: ShutdownStep[] = [];
  const shutdown = installShutdown({ logger, steps, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });

  try {
    const cosmos = createCosmosClient({
      endpoint: config.COSMOS_ENDPOINT,
      key: config.COSMOS_KEY,
      requestTimeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    });
    const containerOptions = {
      database: config.COSMOS_DATABASE,
      container: config.COSMOS_CONTAINER,
      createIfMissing: config.COSMOS_CREATE_IF_MISSING,
    };
    const container = await openContainer(cosmos, containerOptions);
    // The local stand-in forgets everything when it restarts: create them again (never on Azure).
    const recreate = config.COSMOS_CREATE_IF_MISSING
      ? async () => {
          await openContainer(cosmos, containerOptions);
          logger.warn('cosmos database or container was missing; created again');
        }
      : undefined;
    const settings = kafkaSettings(config, 'ingest');
    const kafka = createKafka(settings, logger);
    const producer = await KafkaProducer.connect(kafka, settings);
    // Red while the brokers are away (a restart): writes would answer 503 meanwhile anyway.
    const brokers = new KafkaReachability(kafka);
    const brokersAnswer = cachedCheck(() => brokers.check(), 2000);
    health
      .addCheck('kafka', async () => {
        producer.check();
        await brokersAnswer();
      })
      .addCheck(
        'cosmos',
        cachedCheck(async () => {
          try {
            await container.read();
          } catch (error) {
            if (!recreate || !isNotFound(error)) throw error;
            await recreate();
          }
        }, 5000),
      );

    const writeSeconds = metrics.histogram(
      'ingest_dependency_write_seconds',
      'Time to write one request to a dependency',
      ['dependency', 'outcome'],
    );
    const sink = new CosmosKafkaSink({
      container,
      producer,
      timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
      observe: (d, s, ok) =>
        writeSeconds.observe({ dependency: d, outcome: ok ? 'ok' : 'error' }, s),
      recreate,
      order: config.INGEST_WRITE_ORDER,
      maxPendingReadings: config.MAX_PENDING_READINGS,
      bulk: { maxInFlight: config.COSMOS_BULK_CONCURRENCY },
    });
    const app = buildApp({
      sink,
      health,
      metrics,
      logger,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxItems: config.MAX_ITEMS_PER_REQUEST,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    });
    const server: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue: a burst of new connections (1,000 clients at once) waits in it
      // instead of overflowing it, which the kernel answers with SYN retries of 1, 3, 7… s.
      server.listen(
        { port: config.PORT, host: config.HOST, backlog: config.LISTEN_BACKLOG },
        () => {
          server.off('error', reject);
          resolve();
        },
      );
    });
    // Longer than typical load balancer idle timeouts, so the server never closes a socket first.
    server.keepAliveTimeout = 65_000;
    const address = server.address();
    logger.info({ address }, 'ingest listening');

    steps.push(
      {
        name: 'stop taking work',
        run: async () => {
          health.setDraining();
          await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
        },
      },
      {
        name: 'drain in-flight requests',
        run: () =>
          new Promise<void>((resolve, reject) => {
            server.close((error) => (error ? reject(error) : resolve()));
            server.closeIdleConnections();
          }),
      },
      { name: 'disconnect kafka', run: () => producer.disconnect() },
      { name: 'disconnect kafka probe', run: () => brokers.close() },
      { name: 'dispose cosmos client', run: () => cosmos.dispose() },
    );
  } catch (error) {
    logger.fatal({ err: error }, 'ingest failed to start');
    await shutdown.trigger('startup failure', true);
  }
}

void main();
