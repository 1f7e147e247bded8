import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { cachedCheck } from '../shared/health';
import type { Health } from '../shared/health';
import { BatchConsumer, KafkaReachability } from '../shared/kafka';
import type { ConsumedBatch } from '../shared/kafka';
import type { Metrics } from '../shared/metrics';
import { isPostgresConnectionError, pingPostgres } from '../shared/postgres';
import { pingRedis } from '../shared/redis';
import { RedisCache } from './cache';
import { migrate } from './migrate';
import { AlertNotifier } from './notifier';
import { ensurePartitions } from './partitions';
import { ProcessingStore } from './store';
import type { ApplyResult } from './store';
import { WebhookDispatcher } from './webhooks';
import type { WebhookOptions } from './webhooks';

/** Settings of the processing service (server.ts reads them from the environment). */
export interface ProcessingSettings {
  /** Consumer group; offsets are stored under it in `kafka_offsets`. */
  readonly groupId: string;
  readonly topicAnalyzed: string;
  readonly topicAlerts: string;
  /** Partitions handled concurrently (each in its own transaction). */
  readonly partitionsConcurrency: number;
  /** Webhook delivery settings; no URLs means no webhooks. */
  readonly webhooks: Omit<WebhookOptions, 'observer'>;
  /** Day partitions created ahead of today. */
  readonly partitionsAheadDays: number;
  /** Days of reading ids kept for dedupe (must exceed the topics' retention; see ADR 0004). */
  readonly dedupeRetentionDays: number;
  /**
   * How often the alert outbox is swept and partitions maintained, in ms.
   * @default 5000 (outbox), 1 hour (partitions)
   */
  readonly outboxSweepMs?: number;
  readonly maintenanceMs?: number;
  /**
   * Longest wait between two attempts of a batch while PostgreSQL is unreachable, in ms.
   * @default 5000
   */
  readonly outageRetryMaxMs?: number;
}

/** The long-lived clients processing runs on; server.ts creates them, tests pass their own. */
export interface ProcessingDeps {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: Health;
  /**
   * Creates the database principals other services connect as (the web app's read-only role),
   * after the migrations made the tables it grants on. Omitted locally and in tests.
   */
  readonly ensurePrincipals?: () => Promise<void>;
}

/**
 * The processing service without the process around it: `start` migrates the schema, creates
 * upcoming partitions, drains the alert outbox and joins the consumer group; `stop` leaves the
 * group after the batch in flight committed, then drains webhooks. server.ts owns signals,
 * config and the clients.
 */
export class ProcessingApp {
  readonly store: ProcessingStore;
  readonly webhooks: WebhookDispatcher | undefined;
  private readonly cache: RedisCache;
  private readonly notifier: AlertNotifier;
  private readonly consumer: BatchConsumer;
  private readonly brokers: KafkaReachability;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly deps: ProcessingDeps,
    private readonly settings: ProcessingSettings,
    onCrash?: (error: Error) => void,
  ) {
    const { pool, redis, kafka, logger, metrics, health } = deps;
    const m = {
      messages: metrics.counter('processing_messages_total', 'Consumed messages by outcome', [
        'topic',
        'outcome',
      ]),
      readings: metrics.counter('processing_readings_total', 'Analyzed readings by outcome', [
        'outcome',
      ]),
      alerts: metrics.counter('processing_alerts_stored_total', 'Alert transitions stored'),
      batch: metrics.histogram('processing_batch_duration_seconds', 'Batch transaction time', [
        'topic',
      ]),
      notifications: metrics.counter(
        'processing_notifications_total',
        'Alert transitions by notification outcome',
        ['outcome'],
      ),
      redisErrors: metrics.counter('processing_redis_errors_total', 'Failed Redis cache writes'),
      dbRetries: metrics.counter(
        'processing_batch_retries_total',
        'Batches rolled back because PostgreSQL was unreachable, retried whole',
      ),
      webhook: metrics.counter('processing_webhook_deliveries_total', 'Webhook deliveries', [
        'outcome',
      ]),
      webhookAttemptFailures: metrics.counter(
        'processing_webhook_attempt_failures_total',
        'Failed webhook attempts (retried or not)',
      ),
    };
    this.store = new ProcessingStore(pool, {
      groupId: settings.groupId,
      topics: { [settings.topicAnalyzed]: 'analyzed', [settings.topicAlerts]: 'alerts' },
    });
    this.cache = new RedisCache(redis);
    const webhookLog = logger.child({ component: 'webhooks' });
    this.webhooks =
      settings.webhooks.urls.length > 0
        ? new WebhookDispatcher({
            ...settings.webhooks,
            observer: {
              delivered: () => m.webhook.inc({ outcome: 'delivered' }),
              attemptFailed: (url, attempt, reason, willRetry) => {
                m.webhookAttemptFailures.inc();
                webhookLog.warn({ url, attempt, reason, willRetry }, 'webhook attempt failed');
              },
              failed: (url, attempts, reason) => {
                m.webhook.inc({ outcome: 'failed' });
                webhookLog.error({ url, attempts, reason }, 'webhook delivery gave up');
              },
              dropped: (url, why) => {
                m.webhook.inc({ outcome: 'dropped' });
                webhookLog.error({ url, why }, 'webhook delivery dropped');
              },
            },
          })
        : undefined;
    if (this.webhooks) {
      const webhooks = this.webhooks;
      new Gauge({
        name: 'processing_webhook_pending',
        help: 'Webhook deliveries held in memory (queued, in flight, waiting to retry)',
        registers: [metrics.registry],
        collect() {
          this.set(webhooks.pending);
        },
      });
    }
    this.notifier = new AlertNotifier(this.store, this.cache, this.webhooks, logger, {
      published: (added, dup) => {
        m.notifications.inc({ outcome: 'published' }, added);
        if (dup > 0) m.notifications.inc({ outcome: 'already_on_stream' }, dup);
      },
      failed: () => m.notifications.inc({ outcome: 'failed' }),
    });
    this.consumer = new BatchConsumer(kafka, {
      groupId: settings.groupId,
      topics: [settings.topicAnalyzed, settings.topicAlerts],
      fromBeginning: true,
      partitionsConsumedConcurrently: settings.partitionsConcurrency,
      logger,
      onCrash,
      handler: async (batch) => {
        const end = m.batch.startTimer({ topic: batch.topic });
        const result = await this.applyThroughOutages(batch, m.dbRetries);
        end();
        if (!result) return { lastProcessedOffset: null };
        this.count(m, batch, result);
        await this.afterCommit(result, m.redisErrors);
        return undefined;
      },
    });
    // kafkajs keeps its consumer "joined" through a broker outage: ask the brokers too.
    this.brokers = new KafkaReachability(kafka);
    const brokersAnswer = cachedCheck(() => this.brokers.check(), 2000);
    health
      .addCheck('postgres', () => pingPostgres(pool))
      .addCheck('redis', () => pingRedis(redis))
      .addCheck('kafka', async () => {
        this.consumer.check();
        await brokersAnswer();
      });
  }

  /**
   * Applies a batch, retrying the whole transaction while PostgreSQL is unreachable (restart,
   * failover, network) with capped exponential backoff, heartbeating so the group keeps the
   * partition. Nothing of a failed attempt was committed (offsets live in the same
   * transaction), so the retry neither loses nor doubles a reading. Other errors propagate.
   * Returns undefined when the consumer stops during an outage: nothing is committed to Kafka,
   * and the next owner starts from the offsets stored in PostgreSQL.
   */
  private async applyThroughOutages(
    batch: ConsumedBatch,
    retries: ReturnType<Metrics['counter']>,
  ): Promise<ApplyResult | undefined> {
    const { logger } = this.deps;
    const maxDelay = this.settings.outageRetryMaxMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.apply(batch);
      } catch (err) {
        if (!isPostgresConnectionError(err)) throw err;
        retries.inc();
        const delay = Math.min(maxDelay, 100 * 2 ** Math.min(attempt - 1, 10));
        logger.warn(
          {
            err: (err as Error).message,
            topic: batch.topic,
            partition: batch.partition,
            attempt,
            retryInMs: delay,
          },
          'postgres unreachable; batch rolled back, retrying',
        );
        await new Promise((r) => setTimeout(r, delay));
        if (!batch.isRunning()) return undefined;
        // A heartbeat fails while Kafka itself is away; the next fetch deals with that.
        await batch.heartbeat().catch(() => undefined);
      }
    }
  }

  private count(
    m: {
      messages: ReturnType<Metrics['counter']>;
      readings: ReturnType<Metrics['counter']>;
      alerts: ReturnType<Metrics['counter']>;
    },
    batch: ConsumedBatch,
    r: ApplyResult,
  ): void {
    m.messages.inc({ topic: batch.topic, outcome: 'applied' }, r.fresh - r.rejects.length);
    if (r.replayed > 0) m.messages.inc({ topic: batch.topic, outcome: 'replayed' }, r.replayed);
    if (r.rejects.length > 0) {
      m.messages.inc({ topic: batch.topic, outcome: 'rejected' }, r.rejects.length);
      this.deps.logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          rejects: r.rejects.map((x) => ({ offset: x.offset, reason: x.reason })),
        },
        'messages rejected (kept in processing_rejects)',
      );
    }
    if (r.newReadings > 0) m.readings.inc({ outcome: 'new' }, r.newReadings);
    if (r.duplicateReadings > 0) m.readings.inc({ outcome: 'duplicate' }, r.duplicateReadings);
    if (r.newAlerts.length > 0) m.alerts.inc(r.newAlerts.length);
  }

  private async afterCommit(
    result: ApplyResult,
    redisErrors: ReturnType<Metrics['counter']>,
  ): Promise<void> {
    try {
      await this.cache.setLatest(result.latest);
    } catch (err) {
      // A cache: the next reading of the device repairs it, so don't hold the partition up.
      redisErrors.inc();
      this.deps.logger.warn({ err }, 'redis latest-value update failed');
    }
    await this.notifier.publish(result.newAlerts);
  }

  /** Migrates, prepares partitions, drains the outbox and starts consuming. */
  async start(): Promise<void> {
    const { pool, logger } = this.deps;
    const applied = await migrate(pool);
    if (applied.length > 0) logger.info({ versions: applied }, 'migrations applied');
    await this.deps.ensurePrincipals?.();
    await this.maintain();
    await this.notifier.sweep();
    await this.consumer.start();
    const sweepMs = this.settings.outboxSweepMs ?? 5000;
    this.timers.push(setInterval(() => void this.notifier.sweep(), sweepMs));
    this.timers.push(
      setInterval(() => void this.maintain(), this.settings.maintenanceMs ?? 3_600_000),
    );
  }

  /** Creates upcoming day partitions and drops reading-id partitions past retention. */
  private async maintain(): Promise<void> {
    const { pool, logger } = this.deps;
    try {
      const created = await ensurePartitions(
        pool,
        new Date(),
        1,
        this.settings.partitionsAheadDays,
      );
      const cutoff = new Date(Date.now() - this.settings.dedupeRetentionDays * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const { rows } = await pool.query<{ dropped: number }>(
        "SELECT iot_drop_day_partitions_before('processed_readings', $1::date) AS dropped",
        [cutoff],
      );
      if (created || rows[0].dropped) {
        logger.info({ created, dropped: rows[0].dropped }, 'partition maintenance');
      }
    } catch (err) {
      // Not fatal: the default partitions take any row whose day partition is missing.
      logger.warn({ err }, 'partition maintenance failed');
    }
  }

  /**
   * Stops consuming (the batch in flight finishes, commits to PostgreSQL, then to Kafka),
   * publishes what it committed, and gives webhooks a bounded time to drain.
   */
  async stop(webhookDrainMs = 5000): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.consumer.stop();
    await this.notifier.publish([]);
    await this.webhooks?.close(webhookDrainMs);
    await this.brokers.close();
  }
}
