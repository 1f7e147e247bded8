/**
 * The Splunk forwarder process: consumes `telemetry.analyzed` and `alerts` (group
 * `splunk-forwarder`), sends each record to Splunk's HTTP Event Collector in batches, and
 * commits a partition's offsets only after HEC acknowledged every event of the batch (or the
 * event was dead-lettered with HEC's reason). At-least-once: a restart or a lost
 * acknowledgement resends, and the event id dedupes.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../shared/config';
import { Health, cachedCheck, startOpsServer } from '../shared/health';
import {
  BatchConsumer,
  KafkaProducer,
  KafkaReachability,
  createKafka,
  kafkaSettings,
} from '../shared/kafka';
import type { ConsumedMessage } from '../shared/kafka';
import { installShutdown } from '../shared/lifecycle';
import type { ShutdownStep } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { TOPICS } from '../shared/messages';
import type { DeadLetter } from '../shared/messages';
import { Metrics } from '../shared/metrics';
import { backoffDelayMs, sleep } from './backoff';
import { Batcher } from './batcher';
import { loadForwarderConfig } from './config';
import type { ForwarderConfig } from './config';
import { toHecEvent } from './events';
import type { MappedEvent } from './events';
import { HecClient, StoppedError } from './hec';

/** An event on its way, with the record it came from (for its dead letter). */
interface Pending extends MappedEvent {
  readonly message: ConsumedMessage;
}

function deadLetter(message: ConsumedMessage, reason: string): DeadLetter {
  return {
    reason,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    key: message.key,
    value: message.value?.toString('utf8') ?? null,
    at: new Date().toISOString(),
  };
}

async function main(): Promise<void> {
  let config: ForwarderConfig;
  try {
    config = loadForwarderConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: 'splunk-forwarder', level: config.LOG_LEVEL });
  const metrics = new Metrics('splunk-forwarder');
  const health = new Health();
  const steps: ShutdownStep[] = [];
  const shutdown = installShutdown({ logger, steps, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  const stopping = new AbortController();

  try {
    let started = false;
    health.addCheck('startup', () => {
      if (!started) throw new Error('starting: joining the group');
    });
    const ops = await startOpsServer({ health, metrics, port: config.PORT, host: config.HOST });
    steps.push({
      name: 'close ops server',
      run: () => new Promise<void>((resolve) => ops.close(() => resolve())),
    });
    logger.info({ address: ops.address() }, 'splunk-forwarder ops endpoints listening');

    const events = metrics.counter('splunk_events_total', 'Events acknowledged by HEC', ['kind']);
    const deadLetters = metrics.counter('splunk_deadletters_total', 'Records dead-lettered', [
      'cause',
    ]);
    const retries = metrics.counter('splunk_hec_retries_total', 'HEC attempts retried');
    const ackTimeouts = metrics.counter(
      'splunk_hec_ack_timeouts_total',
      'Batches resent after no acknowledgement',
    );
    const batchEvents = metrics.histogram(
      'splunk_batch_events',
      'Events per HEC request',
      [],
      [1, 10, 50, 100, 250, 500, 1000, 5000],
    );
    const batchBytes = metrics.histogram(
      'splunk_batch_bytes',
      'Bytes per HEC request',
      [],
      [1e3, 1e4, 1e5, 2.5e5, 5e5, 1e6, 1e7],
    );
    const handleSeconds = metrics.histogram(
      'splunk_partition_batch_seconds',
      'Kafka batch to acknowledged and committed',
    );
    const lag = metrics.histogram(
      'splunk_analyzed_to_acknowledged_seconds',
      'From analyzedAt to the HEC acknowledgement',
    );

    const channel = randomUUID();
    const hec = new HecClient({
      baseUrl: config.SPLUNK_HEC_URL,
      token: config.readToken,
      channel,
      acks: config.SPLUNK_HEC_ACKS,
      ackPollMs: config.SPLUNK_ACK_POLL_MS,
      ackTimeoutMs: config.SPLUNK_ACK_TIMEOUT_MS,
      retryInitialMs: config.SPLUNK_RETRY_INITIAL_MS,
      retryMaxMs: config.SPLUNK_RETRY_MAX_MS,
      requestTimeoutMs: config.SPLUNK_REQUEST_TIMEOUT_MS,
      stop: stopping.signal,
      onRetry: ({ reason, attempt, delayMs }) => {
        retries.inc();
        logger.warn({ reason, attempt, retryInMs: delayMs }, 'hec attempt failed; retrying');
      },
      onAckTimeout: ({ ackId, events: n }) => {
        ackTimeouts.inc();
        logger.warn({ ackId, events: n }, 'no acknowledgement in time; sending the batch again');
      },
    });
    const batcher = new Batcher<Pending>({
      maxEvents: config.SPLUNK_BATCH_MAX_EVENTS,
      maxBytes: config.SPLUNK_BATCH_MAX_BYTES,
      lingerMs: config.SPLUNK_BATCH_LINGER_MS,
      maxInFlight: config.SPLUNK_MAX_IN_FLIGHT,
      deliver: (items) => hec.deliver(items),
      onBatch: (n, bytes) => {
        batchEvents.observe(n);
        batchBytes.observe(bytes);
      },
    });
    const target = {
      index: config.SPLUNK_INDEX,
      source: config.SPLUNK_SOURCE,
      readingSourcetype: config.SPLUNK_SOURCETYPE,
      alertSourcetype: config.SPLUNK_ALERT_SOURCETYPE,
    };

    const settings = kafkaSettings(config, 'splunk-forwarder');
    const kafka = createKafka(settings, logger);
    const producer = await KafkaProducer.connect(kafka, settings);

    /** Dead letters must reach Kafka before the offsets move: retried like analysis' outputs. */
    const produceDeadLetters = async (letters: DeadLetter[]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.send([
            { topic: TOPICS.deadLetter, messages: letters.map((d) => ({ key: d.key, value: d })) },
          ]);
          return;
        } catch (error) {
          if (stopping.signal.aborted) throw error;
          logger.warn(
            { err: (error as Error).message, attempt },
            'dead-letter produce failed; retrying',
          );
          await sleep(backoffDelayMs(attempt, 200, 5000), stopping.signal);
        }
      }
    };

    const consumer = new BatchConsumer(kafka, {
      groupId: config.CONSUMER_GROUP,
      topics: [TOPICS.analyzed, TOPICS.alerts],
      logger,
      partitionsConsumedConcurrently: config.PARTITIONS_CONCURRENTLY,
      onCrash: (error) => void shutdown.trigger(`consumer crashed: ${error.message}`, true),
      handler: async (batch) => {
        const end = handleSeconds.startTimer();
        const letters: DeadLetter[] = [];
        const pending: Pending[] = [];
        for (const message of batch.messages) {
          const mapped = toHecEvent(message, target);
          if (mapped.ok) pending.push({ ...mapped, message });
          else letters.push(deadLetter(message, mapped.reason));
        }
        deadLetters.inc({ cause: 'unmappable' }, letters.length);
        // HEC may be away for minutes: keep the group membership meanwhile (failures ignored,
        // Kafka may be the one away).
        const beat = setInterval(() => void batch.heartbeat().catch(() => undefined), 3000);
        let result;
        try {
          result = await batcher.add(pending);
        } catch (error) {
          if (error instanceof StoppedError) {
            logger.info(
              { topic: batch.topic, partition: batch.partition },
              'stopping: batch left uncommitted',
            );
          }
          throw error;
        } finally {
          clearInterval(beat);
        }
        for (const { item, reason } of result.rejected)
          letters.push(deadLetter(item.message, reason));
        deadLetters.inc({ cause: 'rejected-by-hec' }, result.rejected.length);
        if (letters.length > 0) {
          await produceDeadLetters(letters);
          for (const d of letters)
            logger.warn({ deadLetter: { ...d, value: undefined } }, 'dead-lettered');
        }
        const rejected = new Set(result.rejected.map((r) => r.item));
        const now = Date.now();
        for (const p of pending) {
          if (rejected.has(p)) continue;
          events.inc({ kind: p.event.fields.kind });
          const analyzedAt = Date.parse(
            (p.event.event as { analyzedAt?: string }).analyzedAt ?? '',
          );
          if (Number.isFinite(analyzedAt)) lag.observe((now - analyzedAt) / 1000);
        }
        end();
      },
    });
    const brokers = new KafkaReachability(kafka);
    health
      .addCheck('kafka-producer', () => producer.check())
      .addCheck('kafka-consumer', () => consumer.check())
      .addCheck(
        'kafka-brokers',
        cachedCheck(() => brokers.check(), 2000),
      )
      .addCheck('splunk-hec', () => hec.check());
    await consumer.start();
    started = true;
    logger.info(
      {
        group: config.CONSUMER_GROUP,
        topics: [TOPICS.analyzed, TOPICS.alerts],
        hec: new URL(config.SPLUNK_HEC_URL).origin,
        index: config.SPLUNK_INDEX,
        channel,
        acks: config.SPLUNK_HEC_ACKS,
      },
      'splunk-forwarder consuming',
    );

    steps.unshift(
      { name: 'stop taking work', run: () => health.setDraining() },
      {
        name: 'send what is gathered, wait for its acknowledgement, commit, leave the group',
        run: async () => {
          batcher.flush();
          // The batch in flight gets the shutdown budget less a margin to finish; past it the
          // client stops and the uncommitted records are read again by the next member.
          const giveUp = setTimeout(
            () => stopping.abort(),
            Math.max(config.SHUTDOWN_TIMEOUT_MS - 5000, 1000),
          );
          try {
            await consumer.stop();
          } finally {
            clearTimeout(giveUp);
            stopping.abort();
          }
        },
      },
      { name: 'disconnect producer', run: () => producer.disconnect() },
      { name: 'disconnect kafka probe', run: () => brokers.close() },
    );
  } catch (error) {
    logger.fatal({ err: error }, 'splunk-forwarder failed to start');
    await shutdown.trigger('startup failure', true);
  }
}

void main();
