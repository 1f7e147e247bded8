import type { Container } from '@azure/cosmos';
import { bulkUpsert } from '../shared/cosmos';
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

/** Where accepted readings go; resolves only when every copy is durable. */
export interface ReadingSink {
  write(readings: readonly Reading[]): Promise<void>;
}

/**
 * Writes readings to Cosmos DB (bulk upsert by id, the system of record), then publishes them to
 * `telemetry.raw` (keyed by deviceId, idempotent producer), and resolves only when both succeeded.
 * Sequential on purpose: nothing reaches the stream — and so analysis, alerts, dashboards — that
 * is not in the system of record. If Cosmos fails, nothing was published; if Kafka fails, Cosmos
 * holds a copy that the client's retry (after the 503) overwrites, since ids are deterministic.
 * Any failure — transport, timeout or a single item — rejects the whole write: never a half-accept.
 * The cost is latency (Cosmos + Kafka instead of the slower of the two).
 */
export class CosmosKafkaSink implements ReadingSink {
  constructor(
    private readonly container: Container,
    private readonly producer: KafkaProducer,
    private readonly timeoutMs: number,
    private readonly observe: (dependency: string, seconds: number, ok: boolean) => void = () => {},
    /**
     * Creates the database and container again when a write finds them missing (404), then
     * the write is tried once more. Only where creating is allowed: the local stand-in keeps
     * nothing across a restart.
     */
    private readonly recreate?: () => Promise<void>,
  ) {}

  async write(readings: readonly Reading[]): Promise<void> {
    await this.timed('cosmos', async (signal) => {
      const upsert = () => bulkUpsert(this.container, readings, (r) => r.deviceId, signal);
      let result = await upsert().catch(async (error: unknown) => {
        if (!this.recreate || !isNotFound(error)) throw error;
        await this.recreate();
        return upsert();
      });
      if (this.recreate && result.failures.some((f) => f.statusCode === 404)) {
        await this.recreate();
        result = await upsert();
      }
      if (result.failures.length > 0) {
        const f = result.failures[0];
        throw new Error(
          `${result.failures.length} of ${readings.length} upserts failed (first: ${f.statusCode} ${f.message})`,
        );
      }
    });
    await this.timed('kafka', () =>
      this.producer.send([
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
            // Stop the SDK's own retries too, so a dead endpoint does not pile up requests.
            abort.abort();
            reject(new Error(`no answer within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
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
