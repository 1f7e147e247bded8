import type { Container } from '@azure/cosmos';
import { bulkGroupWriter } from '../shared/cosmos';
import type { BulkGroupWriter, BulkGroupWriterOptions, BulkUpsertResult } from '../shared/cosmos';
import type { KafkaProducer } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { Reading } from '../shared/messages';

/** Whether a Cosmos SDK error is a 404 (database or container missing). */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 404;
}

/** Thrown when a dependency cannot take the readings; the app answers 503 with Retry-After. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(`${dependency} unavailable: ${message}`);
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * Thrown at once, before anything is written, when taking the readings would put more than the
 * sink's bound in flight; the app answers 503 with Retry-After (admission control, ADR 0019).
 */
export class OverloadedError extends Error {
  constructor(
    readonly pending: number,
    readonly limit: number,
  ) {
    super(`ingest is at capacity: ${pending} readings in flight, limit ${limit}`);
    this.name = 'OverloadedError';
  }
}

/** Where accepted readings go; resolves only when every copy is durable. */
export interface ReadingSink {
  write(readings: readonly Reading[]): Promise<void>;
}

/**
 * In which order a request's readings go to Cosmos and Kafka (ADR 0019). Both resolve before the
 * 202 either way.
 * - `parallel`: both at once; a request waits for the slower of the two.
 * - `cosmos-then-kafka`: Kafka only after Cosmos succeeded, so nothing reaches the stream that
 *   is not in Cosmos, even for a request that failed and is never retried; a request waits for
 *   the sum of the two.
 */
export type WriteOrder = 'parallel' | 'cosmos-then-kafka';

/** Options of {@link CosmosKafkaSink}. */
export interface CosmosKafkaSinkOptions {
  /** The readings container (a `BulkGroupWriter` is built on it). */
  readonly container: Container;
  readonly producer: KafkaProducer;
  /** A Cosmos or Kafka write slower than this fails the request (503). */
  readonly timeoutMs: number;
  /**
   * Called with each dependency's time per request.
   * @default - nothing
   */
  readonly observe?: (dependency: string, seconds: number, ok: boolean) => void;
  /**
   * Creates the database and container again when a write finds them missing (404), then
   * the write is tried once more. Only where creating is allowed: the local stand-in keeps
   * nothing across a restart.
   * @default - a 404 fails the request
   */
  readonly recreate?: () => Promise<void>;
  /** @default 'parallel' */
  readonly order?: WriteOrder;
  /**
   * Readings in flight (taken, not yet answered) beyond which a request is refused at once
   * with {@link OverloadedError}, instead of queueing towards the timeout.
   * @default 20000
   */
  readonly maxPendingReadings?: number;
  /**
   * How Cosmos writes of concurrent requests are grouped into bulk calls.
   * @default - BulkGroupWriter's defaults (100 per call, 4 calls in flight), callTimeoutMs = timeoutMs
   */
  readonly bulk?: BulkGroupWriterOptions;
}

/**
 * Writes readings to Cosmos DB (bulk upsert by id, the system of record) and publishes them to
 * `telemetry.raw` (keyed by deviceId, idempotent producer, acks=all), and resolves only when
 * both succeeded: the 202 means durable in both. Concurrent requests share bulk calls (Cosmos
 * group commit, {@link BulkGroupWriter}) and produce requests (`KafkaProducer.send`'s group
 * commit), each request still waiting for its own readings.
 *
 * Any failure — transport, timeout or a single item — rejects the whole write: never a
 * half-accept. A failed write may have left copies in either store; the client's retry (after
 * the 503) overwrites the Cosmos copy (deterministic ids) and downstream dedupes the Kafka one.
 * See {@link WriteOrder} for what the order changes.
 */
export class CosmosKafkaSink implements ReadingSink {
  private readonly writer: BulkGroupWriter<Reading>;
  private readonly observe: (dependency: string, seconds: number, ok: boolean) => void;
  private readonly order: WriteOrder;
  private readonly maxPending: number;
  private pendingReadings = 0;

  constructor(private readonly options: CosmosKafkaSinkOptions) {
    this.writer = bulkGroupWriter<Reading>(options.container, (r) => r.deviceId, {
      callTimeoutMs: options.timeoutMs,
      ...options.bulk,
    });
    this.observe = options.observe ?? (() => {});
    this.order = options.order ?? 'parallel';
    this.maxPending = options.maxPendingReadings ?? 20_000;
    const recreate = options.recreate;
    this.recreate = recreate
      ? () => (this.recreating ??= recreate().finally(() => (this.recreating = undefined)))
      : undefined;
  }

  /** Readings taken and not yet answered. */
  get pending(): number {
    return this.pendingReadings;
  }

  async write(readings: readonly Reading[]): Promise<void> {
    // Admission: a request that would exceed the bound is refused before anything is written.
    // One request alone is always admitted, however large (the app bounds its size).
    if (this.pendingReadings > 0 && this.pendingReadings + readings.length > this.maxPending) {
      throw new OverloadedError(this.pendingReadings, this.maxPending);
    }
    this.pendingReadings += readings.length;
    try {
      if (this.order === 'parallel') {
        const [cosmos, kafka] = await Promise.allSettled([
          this.writeCosmos(readings),
          this.writeKafka(readings),
        ]);
        if (cosmos.status === 'rejected') throw cosmos.reason;
        if (kafka.status === 'rejected') throw kafka.reason;
      } else {
        await this.writeCosmos(readings);
        await this.writeKafka(readings);
      }
    } finally {
      this.pendingReadings -= readings.length;
    }
  }

  private recreating: Promise<void> | undefined;

  /** The `recreate` option, once at a time: requests that share a failed call share one re-creation. */
  private readonly recreate: (() => Promise<void>) | undefined;

  private writeCosmos(readings: readonly Reading[]): Promise<void> {
    return this.timed('cosmos', async (signal) => {
      const { recreate } = this;
      const upsert = () => this.writer.write(readings, signal);
      let result: BulkUpsertResult = await upsert().catch(async (error: unknown) => {
        if (!recreate || !isNotFound(error)) throw error;
        await recreate();
        return upsert();
      });
      if (recreate && result.failures.some((f) => f.statusCode === 404)) {
        await recreate();
        result = await upsert();
      }
      if (result.failures.length > 0) {
        const f = result.failures[0];
        throw new Error(
          `${result.failures.length} of ${readings.length} upserts failed (first: ${f.statusCode} ${f.message})`,
        );
      }
    });
  }

  private writeKafka(readings: readonly Reading[]): Promise<void> {
    return this.timed('kafka', () =>
      this.options.producer.send([
        { topic: TOPICS.raw, messages: readings.map((r) => ({ key: r.deviceId, value: r })) },
      ]),
    );
  }

  private async timed(
    dependency: string,
    run: (signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const start = process.hrtime.bigint();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        run(abort.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            // Takes this request's readings out of the Cosmos queue if they are still there.
            abort.abort();
            reject(new Error(`no answer within ${this.options.timeoutMs} ms`));
          }, this.options.timeoutMs);
        }),
      ]);
      this.observe(dependency, Number(process.hrtime.bigint() - start) / 1e9, true);
    } catch (error) {
      this.observe(dependency, Number(process.hrtime.bigint() - start) / 1e9, false);
      throw new DependencyUnavailableError(dependency, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}
