/**
 * Test helpers for integration tests against the real engines (not exported from the index:
 * production code has no use for them).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from './logger';
import { BatchConsumer, createKafka, kafkaConfigSpec, kafkaSettings } from './kafka';
import type { ConsumedMessage, KafkaSettings } from './kafka';
import { loadConfig } from './config';

/** A logger that discards everything (or keeps lines in `lines` for assertions). */
export function silentLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'warn',
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  return Object.assign(logger, { lines });
}

/** Kafka settings from the engines' KAFKA_BROKERS. */
export function testKafkaSettings(clientId = 'test'): KafkaSettings {
  return kafkaSettings(loadConfig(kafkaConfigSpec, process.env), clientId);
}

/**
 * Reads `topics` from the beginning with a fresh consumer group and collects every message, so a
 * test can wait for the ones it produced (filter by its own unique device ids).
 */
export class TopicCollector {
  readonly messages: ConsumedMessage[] = [];
  private readonly seen = new Set<string>();
  private readonly consumer: BatchConsumer;

  constructor(topics: readonly string[], settings = testKafkaSettings('collector')) {
    const logger = silentLogger();
    this.consumer = new BatchConsumer(createKafka(settings, logger), {
      groupId: `test-${randomUUID()}`,
      topics,
      logger,
      handler: async (batch) => {
        // The collector is itself at-least-once (a rebalance redelivers an uncommitted batch):
        // keep each record once so tests see what the producer wrote, not our redeliveries.
        for (const m of batch.messages) {
          const key = `${m.topic}/${m.partition}/${m.offset}`;
          if (this.seen.has(key)) continue;
          this.seen.add(key);
          this.messages.push(m);
        }
      },
    });
  }

  async start(): Promise<this> {
    await this.consumer.start();
    return this;
  }

  /** Messages whose JSON value satisfies `predicate`, decoded. */
  values<T>(topic: string, predicate: (value: T) => boolean): T[] {
    return this.messages
      .filter((m) => m.topic === topic && m.value !== null)
      .flatMap((m) => {
        try {
          const v = JSON.parse(m.value!.toString('utf8')) as T;
          return predicate(v) ? [v] : [];
        } catch {
          return [];
        }
      });
  }

  /** Waits until `done()` holds, polling, or throws after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs = 30_000, what = 'messages'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }
}
