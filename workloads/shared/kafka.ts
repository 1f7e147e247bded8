/**
 * The one module that imports kafkajs (2.2.4, in maintenance): settings for the three backbones,
 * one long-lived idempotent producer per process and a batch consumer that commits only what its
 * handler finished. Swapping the client (e.g. Confluent's KafkaJS-compatible one) is an edit here.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { MemoisedDefaultPartitioner } from './partitioner';
import type {
  Admin,
  Consumer,
  KafkaConfig,
  KafkaMessage,
  LogEntry,
  Producer,
  SASLOptions,
} from 'kafkajs';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from 'pino';
import { ConfigError, bool, int, list, oneOf, str } from './config';
import type { ConfigOf } from './config';

/** The private piece of kafkajs 2.2.4 that {@link patchIdleRequestQueue} fixes. */
interface KafkaJsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/**
 * kafkajs 2.2.4's request queue re-arms a timer after every check even when nothing is pending
 * and nothing is throttled, with a negative delay: every open broker connection wakes the event
 * loop about once a millisecond forever (tulios/kafkajs#1556, #1604, #1704; the fix in #1667 is
 * unreleased). Measured: 3 % of a core per idle service, the whole of its idle CPU (ADR 0017).
 * This replaces that one method with one that schedules a check only while requests are pending
 * or the broker throttles us, as the issue describes; every other path (a request that cannot go
 * out at once, a response freeing a slot) still calls it. Applied once, only to the version it
 * was written for; returns whether the method is patched.
 */
export function patchIdleRequestQueue(
  queue: { prototype: KafkaJsRequestQueue } = requireFromHere('kafkajs/src/network/requestQueue'),
  version: string = requireFromHere<{ version: string }>('kafkajs/package.json').version,
): boolean {
  const proto = queue.prototype as KafkaJsRequestQueue & { [PATCHED]?: true };
  if (proto[PATCHED]) return true;
  if (version !== '2.2.4') return false;
  proto.scheduleCheckPendingRequests = function (this: KafkaJsRequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    const throttledForMs = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && throttledForMs <= 0) return;
    const delayMs = throttledForMs > 0 ? throttledForMs : 10;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
  proto[PATCHED] = true;
  return true;
}
const PATCHED = Symbol.for('iot.kafkajs.idleRequestQueue');
/** kafkajs's private modules have no typings: loaded untyped, typed at the call. */
function requireFromHere<T>(id: string): T {
  return createRequire(__filename)(id) as T;
}
patchIdleRequestQueue();

/** Which Kafka backbone: a local PLAINTEXT broker, HDInsight Kafka (TLS) or Event Hubs' Kafka endpoint. */
export type KafkaMode = 'local' | 'hdinsight' | 'eventhubs';

/** Environment variables every Kafka-using service reads; spread into the service's spec. */
export const kafkaConfigSpec = {
  /** local (PLAINTEXT), hdinsight (TLS) or eventhubs (SASL over TLS on 9093). */
  KAFKA_MODE: oneOf(['local', 'hdinsight', 'eventhubs'] as const, { default: 'local' }),
  /** Bootstrap brokers, host:port, comma-separated; derived from the namespace for Event Hubs. */
  KAFKA_BROKERS: list({ default: ['127.0.0.1:9092'] }),
  /** PEM CA bundle for HDInsight brokers with a private CA. */
  KAFKA_TLS_CA_FILE: str({ optional: true }),
  /** Event Hubs namespace (`name` or `name.servicebus.windows.net`). */
  EVENTHUBS_NAMESPACE: str({
    optional: true,
    pattern: /^[A-Za-z0-9-]+(\.servicebus\.windows\.net)?$/,
  }),
  /** Event Hubs auth: an Entra token (managed/workload identity) or a connection string. */
  EVENTHUBS_AUTH: oneOf(['entra', 'connection-string'] as const, { default: 'entra' }),
  /** Event Hubs namespace connection string (only with EVENTHUBS_AUTH=connection-string). */
  EVENTHUBS_CONNECTION_STRING: str({ optional: true, secret: true }),
  /** Producer compression; Event Hubs supports gzip only. Defaults: gzip on eventhubs, else none. */
  KAFKA_COMPRESSION: oneOf(['default', 'none', 'gzip'] as const, { default: 'default' }),
  /** Idempotent producer (needs acks=all); on by default. */
  KAFKA_IDEMPOTENT: bool({ default: true }),
  /** Upper bound of one produce request; Event Hubs rejects requests of 1 MB or more. */
  KAFKA_MAX_REQUEST_BYTES: int({ default: 900_000, min: 10_000, max: 100_000_000 }),
};

/** The typed output of {@link kafkaConfigSpec}. */
export type KafkaEnvConfig = ConfigOf<typeof kafkaConfigSpec>;

/** Resolved connection settings; build with {@link kafkaSettings}. */
export interface KafkaSettings {
  readonly mode: KafkaMode;
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly ssl: KafkaConfig['ssl'];
  readonly sasl?: SASLOptions;
  readonly compression: 'none' | 'gzip';
  readonly idempotent: boolean;
  readonly maxRequestBytes: number;
}

/**
 * Turns the Kafka env config into connection settings, checking what crosses variables (Event Hubs
 * needs a namespace or a connection string). `credential` overrides DefaultAzureCredential (tests).
 * @throws ConfigError naming the variable at fault.
 */
export function kafkaSettings(
  config: KafkaEnvConfig,
  clientId: string,
  credential?: TokenCredential,
): KafkaSettings {
  const common = {
    clientId,
    compression:
      config.KAFKA_COMPRESSION === 'default'
        ? config.KAFKA_MODE === 'eventhubs'
          ? ('gzip' as const)
          : ('none' as const)
        : config.KAFKA_COMPRESSION,
    idempotent: config.KAFKA_IDEMPOTENT,
    maxRequestBytes: config.KAFKA_MAX_REQUEST_BYTES,
  };
  switch (config.KAFKA_MODE) {
    case 'local':
      return { ...common, mode: 'local', brokers: config.KAFKA_BROKERS, ssl: false };
    case 'hdinsight': {
      const caFile = config.KAFKA_TLS_CA_FILE;
      let ca: string | undefined;
      if (caFile) {
        try {
          ca = readFileSync(caFile, 'utf8');
        } catch (error) {
          throw new ConfigError([
            {
              variable: 'KAFKA_TLS_CA_FILE',
              value: JSON.stringify(caFile),
              reason: `cannot be read: ${(error as Error).message}`,
            },
          ]);
        }
      }
      return {
        ...common,
        mode: 'hdinsight',
        brokers: config.KAFKA_BROKERS,
        ssl: ca ? { ca: [ca], rejectUnauthorized: true } : { rejectUnauthorized: true },
      };
    }
    case 'eventhubs': {
      const connectionString = config.EVENTHUBS_CONNECTION_STRING;
      const fromConnectionString = connectionString
        ? /Endpoint=sb:\/\/([^/;]+)/i.exec(connectionString)?.[1]
        : undefined;
      const ns = config.EVENTHUBS_NAMESPACE ?? fromConnectionString;
      if (!ns) {
        throw new ConfigError([
          {
            variable: 'EVENTHUBS_NAMESPACE',
            value: '<unset>',
            reason:
              'is required with KAFKA_MODE=eventhubs (or a connection string with Endpoint=sb://…)',
          },
        ]);
      }
      const host = ns.includes('.') ? ns : `${ns}.servicebus.windows.net`;
      let sasl: SASLOptions;
      if (config.EVENTHUBS_AUTH === 'connection-string') {
        if (!connectionString) {
          throw new ConfigError([
            {
              variable: 'EVENTHUBS_CONNECTION_STRING',
              value: '<unset>',
              reason: 'is required with EVENTHUBS_AUTH=connection-string',
            },
          ]);
        }
        // Event Hubs' documented SASL PLAIN convention: the literal user name `$ConnectionString`.
        sasl = { mechanism: 'plain', username: '$ConnectionString', password: connectionString };
      } else {
        sasl = {
          mechanism: 'oauthbearer',
          oauthBearerProvider: entraTokenProvider(
            `https://${host}/.default`,
            credential ?? new DefaultAzureCredential(),
          ),
        };
      }
      return { ...common, mode: 'eventhubs', brokers: [`${host}:9093`], ssl: true, sasl };
    }
  }
}

/**
 * An OAUTHBEARER provider for kafkajs backed by an Entra credential, caching the token until five
 * minutes before it expires (kafkajs asks on every connection and re-authentication).
 */
export function entraTokenProvider(
  scope: string,
  credential: TokenCredential,
): () => Promise<{ value: string }> {
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  return async () => {
    if (!cached || cached.expiresOnTimestamp - Date.now() < 5 * 60_000) {
      const token = await credential.getToken(scope);
      if (!token) throw new Error(`no Entra token for scope ${scope}`);
      cached = token;
    }
    return { value: cached.token };
  };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client for the settings, logging through pino (kafkajs's own logs are plain text). */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: settings.ssl,
    sasl: settings.sasl,
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const {
          message,
          timestamp: _t,
          logger: _l,
          ...extra
        } = log as unknown as Record<string, unknown>;
        kafkaLogger[LEVELS[level] ?? 'info']({ namespace, ...extra }, String(message));
      },
  });
}

/** A message to produce: key (deviceId in the contract) and a value, JSON-encoded by the producer. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * The process's one producer: idempotent, acks from all in-sync replicas, Java-compatible
 * murmur2 partitioning by key (so Kafka's own tools agree on a device's partition), requests
 * split to stay under the backbone's size limit. Readiness follows the connection.
 */
export class KafkaProducer {
  private connected = false;

  private constructor(
    private readonly producer: Producer,
    private readonly settings: KafkaSettings,
  ) {
    producer.on(producer.events.CONNECT, () => {
      this.connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  /** Creates and connects the producer. */
  static async connect(kafka: Kafka, settings: KafkaSettings): Promise<KafkaProducer> {
    const producer = kafka.producer({
      idempotent: settings.idempotent,
      // Ordering per partition under retries: kafkajs keeps it only with one request in flight.
      maxInFlightRequests: settings.idempotent ? 1 : 5,
      // kafkajs's DefaultPartitioner placement, without its per-message allocations (ADR 0024).
      createPartitioner: MemoisedDefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    const wrapper = new KafkaProducer(producer, settings);
    await producer.connect();
    wrapper.connected = true;
    return wrapper;
  }

  /** Throws unless connected; a readiness check. */
  check(): void {
    if (!this.connected) throw new Error('kafka producer is not connected');
  }

  /**
   * Produces JSON messages to several topics; resolves when every one is acknowledged by all
   * in-sync replicas (idempotent producer: retries cannot duplicate).
   *
   * Sends that arrive while a produce request is in flight wait and then go out together in the
   * next request (group commit, see ADR 0017): the idempotent producer keeps one request in
   * flight per broker, so separate requests only queued behind each other — 32 concurrent
   * ingest requests spent 0.38 s each waiting for Kafka. No linger is added: an idle producer
   * sends at once. Each call still resolves only once its own messages are acknowledged, and
   * rejects if the request carrying them failed (every caller of that request then retries
   * its own messages; downstream dedupes by id). A caller's messages keep their order, and
   * calls go out in the order they were made.
   */
  send(
    batches: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage[] }>,
  ): Promise<void> {
    // Encode now, in the caller's turn, so a message that cannot be encoded fails its own
    // caller and not the group it would have joined.
    const encoded = encodeBatches(batches);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ encoded, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private waiting: Array<{
    encoded: EncodedBatch[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    const compression =
      this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.waiting.length);
        try {
          const merged = mergeEncoded(group.map((g) => g.encoded));
          for (const chunk of splitEncoded(merged, this.settings.maxRequestBytes)) {
            await this.producer.sendBatch({ topicMessages: chunk, acks: -1, compression });
          }
          for (const g of group) g.resolve();
        } catch (error) {
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Flushes nothing (kafkajs sends are awaited) and disconnects. */
  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }
}

/**
 * Whether the brokers answer, for readiness: a metadata request through one long-lived admin
 * client (kafkajs reconnects it after an outage), failing after `timeoutMs`. Needed because
 * kafkajs reports a producer's or consumer's connection only on explicit connect/disconnect:
 * without it a broker restart never turned readiness red. Wrap `check` in `cachedCheck` to
 * bound the probe rate.
 */
export class KafkaReachability {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly timeoutMs = 3000,
  ) {
    this.admin = kafka.admin({ retry: { retries: 0 } });
  }

  /** Resolves when a broker answered a metadata request within the timeout. */
  async check(): Promise<void> {
    this.inFlight ??= this.probe().finally(() => (this.inFlight = undefined));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.inFlight,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from the Kafka brokers within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async probe(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error: Error) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.admin.describeCluster();
  }

  /** Disconnects the probe's admin client. */
  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

type EncodedBatch = {
  topic: string;
  messages: { key: string | null; value: string; headers?: Record<string, string> }[];
};

/**
 * JSON-encodes topic batches: one entry per topic (in first-seen order), each message's value a
 * string, every message's order kept. Sizes are not computed here: {@link splitEncoded} does it
 * once, when a request is cut.
 */
export function encodeBatches(
  batches: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage[] }>,
): EncodedBatch[] {
  const out: EncodedBatch[] = [];
  for (const batch of batches) {
    if (batch.messages.length === 0) continue;
    let entry: EncodedBatch | undefined;
    for (const e of out) if (e.topic === batch.topic) entry = e;
    if (!entry) {
      entry = { topic: batch.topic, messages: [] };
      out.push(entry);
    }
    for (const m of batch.messages) {
      const value = typeof m.value === 'string' ? m.value : JSON.stringify(m.value);
      entry.messages.push(
        m.headers ? { key: m.key, value, headers: m.headers } : { key: m.key, value },
      );
    }
  }
  return out;
}

/** Bytes a record may take in a request: value + key + 64 bytes of record overhead. */
function recordBytes(m: EncodedBatch['messages'][number]): number {
  return Buffer.byteLength(m.value) + (m.key ? Buffer.byteLength(m.key) : 0) + 64;
}

/**
 * Splits encoded batches into requests of at most `maxBytes` ({@link recordBytes} each, an upper
 * bound for uncompressed records), keeping every message's order. A single message larger than
 * the limit goes alone so the broker, not we, rejects it. When even 3 bytes per UTF-16 unit (the
 * most UTF-8 needs) fits, the batches go as one request without measuring each string.
 */
export function splitEncoded(batches: readonly EncodedBatch[], maxBytes: number): EncodedBatch[][] {
  let bound = 0;
  for (const b of batches) {
    for (const m of b.messages) bound += 3 * (m.value.length + (m.key?.length ?? 0)) + 64;
  }
  if (bound === 0) return [];
  if (bound <= maxBytes) return [[...batches]];
  const requests: EncodedBatch[][] = [];
  let current: EncodedBatch[] = [];
  let size = 0;
  for (const batch of batches) {
    for (const message of batch.messages) {
      const bytes = recordBytes(message);
      if (size + bytes > maxBytes && size > 0) {
        requests.push(current);
        current = [];
        size = 0;
      }
      let entry = current.find((b) => b.topic === batch.topic);
      if (!entry) {
        entry = { topic: batch.topic, messages: [] };
        current.push(entry);
      }
      entry.messages.push(message);
      size += bytes;
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/**
 * JSON-encodes and splits topic batches into requests of at most `maxBytes` (value + key +
 * 64 bytes of record overhead, an upper bound for uncompressed records): {@link encodeBatches}
 * then {@link splitEncoded}.
 */
export function chunkByBytes(
  batches: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage[] }>,
  maxBytes: number,
): EncodedBatch[][] {
  return splitEncoded(encodeBatches(batches), maxBytes);
}

/** Concatenates encoded topic batches, one entry per topic, keeping every message's order. */
export function mergeEncoded(groups: ReadonlyArray<readonly EncodedBatch[]>): EncodedBatch[] {
  const byTopic = new Map<string, EncodedBatch>();
  for (const group of groups) {
    for (const b of group) {
      const entry = byTopic.get(b.topic);
      if (entry) entry.messages.push(...b.messages);
      else byTopic.set(b.topic, { topic: b.topic, messages: [...b.messages] });
    }
  }
  return [...byTopic.values()];
}

/** A consumed record, decoupled from kafkajs types. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offset as a decimal string (Kafka offsets are int64). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** Broker/producer timestamp, ms since epoch as a string. */
  readonly timestamp: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** One fetched batch of a single topic-partition, in offset order. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
  /** Call during long work so the group does not evict us. */
  readonly heartbeat: () => Promise<void>;
  /** False once stop has begun: finish the current unit of work and return. */
  readonly isRunning: () => boolean;
}

/**
 * What a handler returns: nothing (the whole batch is done) or the offset of the last message it
 * finished, so a handler interrupted by shutdown commits only what it processed.
 */
export type BatchOutcome = void | { readonly lastProcessedOffset: string | null };

/** Options of {@link BatchConsumer}. */
export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Where a new group starts.
   * @default true - a new group reads the whole retained stream, so nothing is skipped
   */
  readonly fromBeginning?: boolean;
  /**
   * Handles one topic-partition batch. Offsets are committed after it resolves — after the
   * handler's own sink committed — so a crash replays rather than loses.
   */
  readonly handler: (batch: ConsumedBatch) => Promise<BatchOutcome>;
  readonly logger: Logger;
  /** Called when the consumer crashes beyond kafkajs's retries; the service should exit. */
  readonly onCrash?: (error: Error) => void;
  /**
   * Partitions handled concurrently.
   * @default 1
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Max bytes fetched per partition per request.
   * @default 1048576
   */
  readonly maxBytesPerPartition?: number;
  /**
   * Max bytes of one fetch response over all partitions (bounds what a consumer holds at once).
   * @default 10485760 (kafkajs's default)
   */
  readonly maxBytes?: number;
  /**
   * Bytes a fetch waits for (up to `maxWaitTimeInMs`) before the broker answers: larger batches,
   * fewer produce and commit round trips per reading, at most that wait added to latency.
   * @default 1
   */
  readonly minBytes?: number;
  /**
   * Longest the broker holds a fetch waiting for `minBytes`.
   * @default 5000 (kafkajs's default; with minBytes 1 a fetch returns as soon as data exists)
   */
  readonly maxWaitTimeInMs?: number;
}

/**
 * A consumer-group member with manual offset commits: `eachBatch` with auto-commit and
 * auto-resolve off; after the handler resolves, the processed offsets are resolved and committed
 * (offset + 1, Kafka's "next to read"). If the handler throws nothing is committed and kafkajs
 * retries the batch, so processing must be idempotent (it is, by deterministic ids).
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private joined = false;
  private crashed: Error | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxBytes: options.maxBytes ?? 10_485_760,
      minBytes: options.minBytes ?? 1,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 5000,
      allowAutoTopicCreation: false,
    });
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, () => {
      this.joined = true;
    });
    this.consumer.on(events.STOP, () => {
      this.joined = false;
    });
    this.consumer.on(events.CRASH, (event) => {
      const { error, restart } = event.payload;
      options.logger.error({ err: error, restart }, 'kafka consumer crashed');
      // Not ready until kafkajs has restarted it and it joined its group again.
      this.joined = false;
      if (!restart) {
        this.crashed = error;
        this.joined = false;
        options.onCrash?.(error);
      }
    });
  }

  /** Connects, subscribes and starts consuming (resolves once running, not when joined). */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || isStale()) return;
        const messages = batch.messages.map((m) => toConsumed(batch.topic, batch.partition, m));
        const outcome = await this.options.handler({
          topic: batch.topic,
          partition: batch.partition,
          messages,
          heartbeat,
          isRunning: () => isRunning() && !isStale(),
        });
        const last =
          outcome && 'lastProcessedOffset' in outcome
            ? outcome.lastProcessedOffset
            : messages[messages.length - 1].offset;
        if (last === null) return;
        resolveOffset(last);
        await this.consumer.commitOffsets([
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: (BigInt(last) + 1n).toString(),
          },
        ]);
      },
    });
  }

  /** Throws unless the consumer is in its group and has not crashed; a readiness check. */
  check(): void {
    if (this.crashed) throw new Error(`kafka consumer crashed: ${this.crashed.message}`);
    if (!this.joined) throw new Error('kafka consumer has not joined its group');
  }

  /** Waits for the batch in flight to finish (and commit), then leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.consumer.disconnect();
  }
}

function toConsumed(topic: string, partition: number, m: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    timestamp: m.timestamp,
    headers: Object.fromEntries(
      Object.entries(m.headers ?? {}).map(([k, v]) => [
        k,
        v === undefined ? undefined : Array.isArray(v) ? String(v[0]) : v.toString(),
      ]),
    ),
  };
}

/** Options of {@link replayBeforeCommitted}. */
export interface ReplayOptions {
  /** The group whose committed offsets mark the end of the replay. */
  readonly groupId: string;
  readonly topic: string;
  /** Messages read back per partition (bounded so a start never reads the whole topic). */
  readonly maxMessagesPerPartition: number;
  /** Receives each partition's messages in offset order. */
  readonly onMessages: (messages: readonly ConsumedMessage[]) => void;
  readonly logger: Logger;
  /**
   * Gives up (and lets the service start with what it has) after this long.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/**
 * Re-reads, per partition, up to N messages just before `groupId`'s committed offset — the ones
 * the group already processed — so a stateful consumer (analysis) rebuilds in-memory state from
 * the stream before resuming, instead of persisting it. Uses a throwaway consumer group (deleted
 * afterwards) and commits nothing. Partitions without a committed offset are skipped: the group
 * will read them from the beginning anyway.
 */
export async function replayBeforeCommitted(
  kafka: Kafka,
  options: ReplayOptions,
): Promise<{ partitions: number; messages: number; complete: boolean }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({
      groupId: options.groupId,
      topics: [options.topic],
    });
    const watermarks = await admin.fetchTopicOffsets(options.topic);
    const ranges = new Map<number, { start: bigint; end: bigint }>();
    for (const p of committed[0]?.partitions ?? []) {
      const end = BigInt(p.offset);
      const low = BigInt(watermarks.find((w) => w.partition === p.partition)?.low ?? '0');
      if (end <= 0n) continue;
      const start = end - BigInt(options.maxMessagesPerPartition);
      const from = start > low ? start : low;
      if (from < end) ranges.set(p.partition, { start: from, end });
    }
    if (ranges.size === 0) return { partitions: 0, messages: 0, complete: true };

    const tempGroup = `${options.groupId}-replay-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId: tempGroup, allowAutoTopicCreation: false });
    const remaining = new Set(ranges.keys());
    let count = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (!range || !remaining.has(batch.partition)) return;
        const inRange = batch.messages.filter((m) => {
          const o = BigInt(m.offset);
          return o >= range.start && o < range.end;
        });
        options.onMessages(inRange.map((m) => toConsumed(batch.topic, batch.partition, m)));
        count += inRange.length;
        const last = batch.messages.length > 0 ? BigInt(batch.lastOffset()) : -1n;
        if (last >= range.end - 1n) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    for (const [partition, range] of ranges) {
      consumer.seek({ topic: options.topic, partition, offset: range.start.toString() });
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 60_000))),
    ]);
    clearTimeout(timer);
    await consumer.disconnect();
    await admin.deleteGroups([tempGroup]).catch((error: Error) => {
      options.logger.warn({ err: error, group: tempGroup }, 'could not delete replay group');
    });
    return { partitions: ranges.size, messages: count, complete: remaining.size === 0 };
  } finally {
    await admin.disconnect();
  }
}

/** Decodes a JSON message value; throws a reason suitable for a dead-letter record. */
export function decodeJson(message: ConsumedMessage): unknown {
  if (message.value === null) throw new Error('empty value (tombstone)');
  const text = message.value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`value is not JSON: ${(error as Error).message}`);
  }
}
