/**
 * The analysis process: consumes `telemetry.raw` (group `analysis`), scores readings, produces
 * `telemetry.analyzed`, `alerts` and dead letters, and commits offsets only after those produces
 * were acknowledged. State lives in memory and is rebuilt from the stream at start.
 */
import { loadConfigOrExit } from '../shared/config';
import { Health, cachedCheck, startOpsServer } from '../shared/health';
import {
  BatchConsumer,
  KafkaProducer,
  KafkaReachability,
  createKafka,
  kafkaSettings,
  replayBeforeCommitted,
} from '../shared/kafka';
import { installShutdown } from '../shared/lifecycle';
import type { ShutdownStep } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { TOPICS } from '../shared/messages';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import { Metrics } from '../shared/metrics';
import { analysisConfigSpec } from './config';
import { Detector } from './detector';
import { HeapGuard } from './heap-guard';
import { analyzeBatch, outputBatches } from './pipeline';
import { produceUntilAccepted } from './produce';

async function main(): Promise<void> {
  const config = loadConfigOrExit(analysisConfigSpec);
  const logger = createLogger({ service: 'analysis', level: config.LOG_LEVEL });
  const metrics = new Metrics('analysis');
  const health = new Health();
  const steps: ShutdownStep[] = [];
  const shutdown = installShutdown({ logger, steps, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });

  try {
    let detector: Detector;
    try {
      detector = new Detector({
        windowSize: config.ANALYSIS_WINDOW,
        warmup: config.ANALYSIS_WARMUP,
        zOpen: config.ANALYSIS_Z_OPEN,
        zResolve: config.ANALYSIS_Z_RESOLVE,
        zCritical: config.ANALYSIS_Z_CRITICAL,
        consecutive: config.ANALYSIS_CONSECUTIVE,
        ewmaAlpha: config.ANALYSIS_EWMA_ALPHA,
        thresholds: config.ANALYSIS_THRESHOLDS,
        maxDevices: config.ANALYSIS_MAX_DEVICES,
      });
    } catch (error) {
      process.stderr.write(`invalid configuration: ${(error as Error).message}\n`);
      process.exit(2);
    }
    // Not ready until state is rebuilt and the consumer runs: the probe must not pass before.
    let started = false;
    health.addCheck('startup', () => {
      if (!started) throw new Error('starting: rebuilding state / joining the group');
    });
    const ops = await startOpsServer({ health, metrics, port: config.PORT, host: config.HOST });
    steps.push({
      name: 'close ops server',
      run: () => new Promise<void>((resolve) => ops.close(() => resolve())),
    });
    logger.info({ address: ops.address() }, 'analysis ops endpoints listening');

    const settings = kafkaSettings(config, 'analysis');
    const kafka = createKafka(settings, logger);
    const producer = await KafkaProducer.connect(kafka, settings);

    const readings = metrics.counter('analysis_readings_total', 'Readings analyzed');
    const alerts = metrics.counter('analysis_alerts_total', 'Alert transitions produced', [
      'rule',
      'state',
    ]);
    const deadLetters = metrics.counter('analysis_deadletters_total', 'Messages dead-lettered');
    const produceRetries = metrics.counter(
      'analysis_produce_retries_total',
      'Produce attempts retried because Kafka did not take the outputs',
    );
    const duplicates = metrics.counter('analysis_duplicates_total', 'Redelivered readings dropped');
    const batchSeconds = metrics.histogram('analysis_batch_seconds', 'Analyze + produce per batch');
    const ingestToAnalyzed = metrics.histogram(
      'analysis_ingest_to_analyzed_seconds',
      'From ingest receivedAt to analyzedAt',
    );
    const devices = metrics.gauge('analysis_devices', 'Devices held in memory');
    const evictedForMemory = metrics.counter(
      'analysis_devices_evicted_for_memory_total',
      'Devices evicted because the heap ran close to its limit (they restart their warm-up)',
    );
    const heapGuard = new HeapGuard({ fraction: config.ANALYSIS_HEAP_EVICT_FRACTION });

    if (config.ANALYSIS_REPLAY_PER_PARTITION > 0) {
      const started = Date.now();
      const replay = await replayBeforeCommitted(kafka, {
        groupId: config.CONSUMER_GROUP,
        topic: TOPICS.raw,
        maxMessagesPerPartition: config.ANALYSIS_REPLAY_PER_PARTITION,
        logger,
        // Outputs are discarded: they were produced before the restart.
        onMessages: (messages) => void analyzeBatch(detector, messages),
      });
      logger.info(
        { ...replay, devices: detector.deviceCount, ms: Date.now() - started },
        'state rebuilt from stream',
      );
    }

    const consumer = new BatchConsumer(kafka, {
      groupId: config.CONSUMER_GROUP,
      topics: [TOPICS.raw],
      logger,
      partitionsConsumedConcurrently: config.ANALYSIS_PARTITIONS_CONCURRENTLY,
      maxBytesPerPartition: config.ANALYSIS_FETCH_MAX_BYTES_PER_PARTITION,
      maxBytes: config.ANALYSIS_FETCH_MAX_BYTES,
      minBytes: config.ANALYSIS_FETCH_MIN_BYTES,
      maxWaitTimeInMs: config.ANALYSIS_FETCH_MAX_WAIT_MS,
      onCrash: (error) => void shutdown.trigger(`consumer crashed: ${error.message}`, true),
      handler: async (batch) => {
        const end = batchSeconds.startTimer();
        const out = analyzeBatch(detector, batch.messages);
        // The detector already holds this batch, so it is never analysed twice: the SAME
        // outputs are produced again until Kafka takes them (a broker restart). Offsets are
        // committed only after the send.
        const outputs = outputBatches(out);
        try {
          await produceUntilAccepted(() => producer.send(outputs), {
            isRunning: batch.isRunning,
            heartbeat: batch.heartbeat,
            onRetry: (error, attempt, retryInMs) => {
              produceRetries.inc();
              logger.warn(
                { err: error.message, attempt, retryInMs },
                'produce failed; retrying the same outputs',
              );
            },
          });
        } catch (error) {
          // Stopping mid-outage: commit nothing; the next start replays and redoes the batch.
          logger.warn({ err: error }, 'produce failed while stopping; batch left uncommitted');
          throw error;
        }
        end();
        readings.inc(out.analyzed.length);
        deadLetters.inc(out.deadLetters.length);
        duplicates.inc(out.duplicates);
        const heap = heapGuard.check(detector);
        if (heap.evicted > 0) {
          evictedForMemory.inc(heap.evicted);
          logger.warn(
            {
              evicted: heap.evicted,
              devices: detector.deviceCount,
              heapUsedMiB: Math.round(heap.usedBytes / 2 ** 20),
              heapLimitMiB: Math.round(heap.limitBytes / 2 ** 20),
            },
            'heap close to its limit: least recently seen devices evicted (size ANALYSIS_MAX_DEVICES and --max-old-space-size together, about 12 KiB per device)',
          );
        }
        devices.set(detector.deviceCount);
        const now = Date.now();
        // One ingest request's readings share a receivedAt: parse each distinct one once.
        let receivedAt = '';
        let receivedMs = NaN;
        for (const m of out.analyzed) {
          const at = (m.value as AnalyzedReading).receivedAt;
          if (at !== receivedAt) {
            receivedAt = at;
            receivedMs = Date.parse(at);
          }
          ingestToAnalyzed.observe((now - receivedMs) / 1000);
        }
        for (const m of out.alerts) {
          const a = m.value as AlertMessage;
          alerts.inc({ rule: a.rule, state: a.state });
          logger.info(
            { alertId: a.alertId, deviceId: a.deviceId, rule: a.rule, state: a.state },
            a.message,
          );
        }
        for (const m of out.deadLetters) logger.warn({ deadLetter: m.value }, 'dead-lettered');
      },
    });
    // kafkajs reports neither client as disconnected during a broker outage: ask the brokers.
    const brokers = new KafkaReachability(kafka);
    const brokersAnswer = cachedCheck(() => brokers.check(), 2000);
    health
      .addCheck('kafka-producer', () => producer.check())
      .addCheck('kafka-consumer', () => consumer.check())
      .addCheck('kafka-brokers', brokersAnswer);
    await consumer.start();
    started = true;
    logger.info({ group: config.CONSUMER_GROUP, topic: TOPICS.raw }, 'analysis consuming');

    steps.unshift(
      { name: 'stop taking work', run: () => health.setDraining() },
      { name: 'finish the batch in flight, commit, leave the group', run: () => consumer.stop() },
      { name: 'disconnect producer', run: () => producer.disconnect() },
      { name: 'disconnect kafka probe', run: () => brokers.close() },
    );
  } catch (error) {
    logger.fatal({ err: error }, 'analysis failed to start');
    await shutdown.trigger('startup failure', true);
  }
}

void main();
