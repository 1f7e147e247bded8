/**
 * Cosmos DB access for the workloads: one client per process, key auth locally (the stand-in)
 * and Entra auth in Azure (where the platform disables key auth), plus a bulk upsert that reports
 * per-item failures instead of hiding them.
 */
import { BulkOperationType, CosmosClient } from '@azure/cosmos';
import type { Container, JSONObject, OperationInput } from '@azure/cosmos';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { bool, str, url } from './config';
import type { ConfigOf } from './config';

/** One group of {@link CosmosItemsPrivate.groupOperationsBasedOnPartitionKey}: a partition key range. */
interface BulkRangeBatch {
  min: string;
  max: string;
  operations: unknown[];
  indexes: number[];
}

/** The private piece of @azure/cosmos 4.9.3's `Items` that {@link patchBulkPartitionKeyHashing} replaces. */
interface CosmosItemsPrivate {
  groupOperationsBasedOnPartitionKey(
    operations: readonly unknown[],
    partitionDefinition: { kind?: string; version?: number; paths: string[] },
    options: unknown,
    batches: BulkRangeBatch[],
  ): void;
}

/** The SDK's own helpers the replacement calls (the same ones the original calls). */
interface CosmosBulkInternals {
  prepareOperations(
    input: unknown,
    definition: unknown,
    options: unknown,
  ): { operation: unknown; partitionKey: unknown };
  hashPartitionKey(partitionKey: unknown, definition: unknown): string;
  isKeyInRange(min: string, max: string, key: string): boolean;
}

const ORIGINAL_GROUPING = Symbol.for('iot.cosmos.originalGroupOperations');
const HASH_MEMO_LIMIT = 100_000;

/** @azure/cosmos's private CommonJS modules by path (its `exports` map hides them from require). */
function cosmosInternal<T>(path: string): T {
  const load = createRequire(__filename);
  return load(join(dirname(load.resolve('@azure/cosmos')), path)) as T;
}

/**
 * `items.bulk` in @azure/cosmos 4.9.3 hashes the partition key of every operation (the v1 hash
 * goes through BigInt and hex-string conversions) to find its partition key range: measured 15 %
 * of ingest's CPU under load (ADR 0019). This replaces that one private method with one that calls
 * the SDK's own helpers the same way, but hashes each distinct key once (a bounded memo: a device
 * sends many readings) and not at all when the container has one range covering every key. Same
 * routing (unit-tested against the original). Applied once when this module loads, only to the
 * version it was written for; returns whether the method is patched.
 */
export function patchBulkPartitionKeyHashing(
  items: { prototype: CosmosItemsPrivate } = cosmosInternal<{
    Items: { prototype: CosmosItemsPrivate };
  }>('client/Item/Items.js').Items,
  version: string = cosmosInternal<{ version: string }>('../../package.json').version,
  internals: CosmosBulkInternals = {
    ...cosmosInternal<Pick<CosmosBulkInternals, 'prepareOperations' | 'isKeyInRange'>>(
      'utils/batch.js',
    ),
    ...cosmosInternal<Pick<CosmosBulkInternals, 'hashPartitionKey'>>('utils/hashing/hash.js'),
  },
): boolean {
  const proto = items.prototype as CosmosItemsPrivate & {
    [ORIGINAL_GROUPING]?: CosmosItemsPrivate['groupOperationsBasedOnPartitionKey'];
  };
  if (proto[ORIGINAL_GROUPING]) return true;
  if (version !== '4.9.3') return false;
  const { prepareOperations, hashPartitionKey, isKeyInRange } = internals;
  const memo = new Map<string, string>();
  proto[ORIGINAL_GROUPING] = proto.groupOperationsBasedOnPartitionKey;
  proto.groupOperationsBasedOnPartitionKey = function (operations, definition, options, batches) {
    const whole = batches.length === 1 && batches[0].min === '' && batches[0].max === 'FF';
    const prefix = `${definition.kind ?? 'Hash'}|${definition.version ?? 1}|`;
    operations.forEach((input, index) => {
      const { operation, partitionKey } = prepareOperations(input, definition, options);
      if (partitionKey === undefined)
        throw new Error(
          'undefined value for PartitionKey is not expected during grouping of bulk operations.',
        );
      let batch: BulkRangeBatch | undefined;
      if (whole) batch = batches[0];
      else {
        const key = prefix + JSON.stringify(partitionKey);
        let hashed = memo.get(key);
        if (hashed === undefined) {
          if (memo.size >= HASH_MEMO_LIMIT) memo.clear();
          hashed = hashPartitionKey(partitionKey, definition);
          memo.set(key, hashed);
        }
        const h = hashed;
        batch = batches.find((b) => isKeyInRange(b.min, b.max, h));
      }
      if (!batch) throw new Error('No suitable Batch found.');
      batch.operations.push(operation);
      batch.indexes.push(index);
    });
  };
  return true;
}
patchBulkPartitionKeyHashing();

/** Environment variables for Cosmos; spread into the service's spec. */
export const cosmosConfigSpec = {
  /** Account endpoint, e.g. https://acct.documents.azure.com:443/ or the local stand-in URL. */
  COSMOS_ENDPOINT: url({}),
  /** Account key; unset in Azure, where DefaultAzureCredential (workload identity) is used. */
  COSMOS_KEY: str({ optional: true, secret: true }),
  /** Database id. */
  COSMOS_DATABASE: str({ default: 'iot' }),
  /** Container id for raw readings (partition key /deviceId). */
  COSMOS_CONTAINER: str({ default: 'readings' }),
  /** Create the database and container when missing — local and tests only; IaC owns them in Azure. */
  COSMOS_CREATE_IF_MISSING: bool({ default: false }),
};

/** The typed output of {@link cosmosConfigSpec}. */
export type CosmosEnvConfig = ConfigOf<typeof cosmosConfigSpec>;

/** Options of {@link createCosmosClient}. */
export interface CosmosClientSettings {
  readonly endpoint: string;
  /** Account key; when absent, `credential` (default DefaultAzureCredential) is used. */
  readonly key?: string;
  readonly credential?: TokenCredential;
  /**
   * Per-request timeout.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Retries on throttling (429) before the SDK gives up.
   * @default 3
   */
  readonly maxRetries?: number;
}

/** Whether an endpoint is plain HTTP or loopback (the stand-in), where endpoint discovery breaks. */
export function isLocalEndpoint(endpoint: string): boolean {
  const u = new URL(endpoint);
  return u.protocol === 'http:' || ['localhost', '127.0.0.1', '[::1]', '::1'].includes(u.hostname);
}

/**
 * A CosmosClient for the endpoint. Endpoint discovery is off for plain-HTTP/loopback endpoints:
 * the SDK would otherwise follow the account's advertised (https) regional endpoints.
 */
export function createCosmosClient(settings: CosmosClientSettings): CosmosClient {
  const local = isLocalEndpoint(settings.endpoint);
  return new CosmosClient({
    endpoint: settings.endpoint,
    ...(settings.key
      ? { key: settings.key }
      : { aadCredentials: settings.credential ?? new DefaultAzureCredential() }),
    connectionPolicy: {
      enableEndpointDiscovery: !local,
      requestTimeout: settings.requestTimeoutMs ?? 5000,
      retryOptions: {
        maxRetryAttemptCount: settings.maxRetries ?? 3,
        fixedRetryIntervalInMilliseconds: 0,
        maxWaitTimeInSeconds: 5,
      },
    },
  });
}

/**
 * The container for `database`/`container`; with `createIfMissing` (local/test only) creates
 * both with partition key `partitionKeyPath`.
 */
export async function openContainer(
  client: CosmosClient,
  options: {
    readonly database: string;
    readonly container: string;
    readonly createIfMissing?: boolean;
    readonly partitionKeyPath?: string;
  },
): Promise<Container> {
  if (!options.createIfMissing)
    return client.database(options.database).container(options.container);
  const { database } = await client.databases.createIfNotExists({ id: options.database });
  const { container } = await database.containers.createIfNotExists({
    id: options.container,
    partitionKey: { paths: [options.partitionKeyPath ?? '/deviceId'] },
  });
  return container;
}

/** One document that bulk upsert could not write. */
export interface BulkFailure {
  /** Index in the input array. */
  readonly index: number;
  readonly id: string;
  /** HTTP-like status from Cosmos (429 throttled, 413 too large, …) or 0 when unknown. */
  readonly statusCode: number;
  readonly message: string;
}

/** Outcome of {@link bulkUpsert}. */
export interface BulkUpsertResult {
  readonly succeeded: number;
  readonly failures: readonly BulkFailure[];
}

/** One bulk upsert operation per document, routed by its partition key. */
function upsertOperations<T>(
  documents: readonly T[],
  partitionKeyOf: (doc: T) => string,
): OperationInput[] {
  return documents.map((doc) => ({
    operationType: BulkOperationType.Upsert,
    partitionKey: partitionKeyOf(doc),
    resourceBody: doc as unknown as JSONObject,
  }));
}

/** Operations per `bulk` call: the SDK's limit for one call. */
export const BULK_CHUNK = 100;

/**
 * Asks Cosmos DB not to send each written document back (`Prefer: return=minimal` on the bulk
 * call): a write-heavy client only needs each operation's status, and the full bodies would
 * double what crosses the network and what the SDK parses. Failed operations still carry their
 * status code. (The local stand-in answers the same way: scripts/engines/cosmos-stand-in.cjs.)
 */
const WRITE_MINIMAL = { contentResponseOnWriteEnabled: false } as const;

/**
 * Upserts documents in bulk and reports per-item failures instead of throwing them; transport
 * failures (endpoint down, abort) throw. Upsert by id makes replays idempotent.
 *
 * Uses `container.items.bulk` (deprecated in 4.9 in favour of `executeBulkOperations`) on purpose:
 * 4.9.3's `executeBulkOperations` streams operations and flushes a partial batch only after a
 * fixed 1 s sleep (`intervalForPartialBatchInMs`), so every request-sized call took ≥ 1 s —
 * measured 1013-1031 ms for 100 upserts against the local stand-in, vs 11-56 ms with `bulk`.
 * Chunks of 100 run concurrently.
 */
export async function bulkUpsert<T extends { id: string }>(
  container: Container,
  documents: readonly T[],
  partitionKeyOf: (doc: T) => string,
  abortSignal?: AbortSignal,
): Promise<BulkUpsertResult> {
  if (documents.length === 0) return { succeeded: 0, failures: [] };
  const chunks: Array<{ offset: number; docs: readonly T[] }> = [];
  for (let i = 0; i < documents.length; i += BULK_CHUNK) {
    chunks.push({ offset: i, docs: documents.slice(i, i + BULK_CHUNK) });
  }
  const failures: BulkFailure[] = [];
  await Promise.all(
    chunks.map(async ({ offset, docs }) => {
      const results = await container.items.bulk(
        upsertOperations(docs, partitionKeyOf),
        { continueOnError: true },
        { ...WRITE_MINIMAL, ...(abortSignal ? { abortSignal } : {}) },
      );
      results.forEach((result, i) => {
        const status = result?.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const body = result?.resourceBody as { message?: string } | undefined;
          failures.push({
            index: offset + i,
            id: docs[i].id,
            statusCode: status,
            message: body?.message ?? `status ${status}`,
          });
        }
      });
    }),
  );
  failures.sort((a, b) => a.index - b.index);
  return { succeeded: documents.length - failures.length, failures };
}

/** What one document's write came to, in input order: an HTTP-like status and a message. */
export interface BulkItemStatus {
  readonly statusCode: number;
  readonly message?: string;
}

/**
 * Writes one bulk call's documents (at most `maxBatch`) and answers one status per document, in
 * order; throws when the call as a whole failed (transport, timeout, abort).
 */
export type BulkExecutor<T> = (
  documents: readonly T[],
  signal: AbortSignal,
) => Promise<readonly BulkItemStatus[]>;

/** Options of {@link BulkGroupWriter}. */
export interface BulkGroupWriterOptions {
  /**
   * Documents per bulk call (the SDK takes at most 100 per partition key range).
   * @default 100
   */
  readonly maxBatch?: number;
  /**
   * Bulk calls in flight at once; further documents wait and go out together when one returns.
   * @default 4
   */
  readonly maxInFlight?: number;
  /**
   * A bulk call that has not answered after this long is aborted and fails the writes in it.
   * @default 10000
   */
  readonly callTimeoutMs?: number;
}

interface PendingWrite<T> {
  readonly documents: readonly T[];
  /** Documents handed to a bulk call so far (the rest wait in the queue). */
  next: number;
  /** Bulk calls carrying some of these documents that have not returned. */
  outstanding: number;
  readonly failures: BulkFailure[];
  settled: boolean;
  readonly resolve: (result: BulkUpsertResult) => void;
  readonly reject: (error: unknown) => void;
  readonly unlisten: () => void;
}

interface Slice<T> {
  readonly write: PendingWrite<T>;
  readonly from: number;
  readonly to: number;
}

/**
 * Group commit for Cosmos bulk writes (ADR 0019), the counterpart of `KafkaProducer.send`'s:
 * concurrent callers' documents are coalesced, in call order, into bulk calls of at most
 * `maxBatch` documents, with at most `maxInFlight` calls in flight. An idle writer sends at once
 * (no linger); while every slot is busy, documents queue and leave together as slots free up.
 * So 1,000 concurrent 10-document requests make about 100 bulk calls, not 1,000.
 *
 * Each `write` resolves only once every one of ITS documents was answered, with the failures of
 * its own documents (index into its own array), as {@link bulkUpsert} does; it rejects when a
 * bulk call carrying any of its documents failed as a whole — exactly the writes in that call
 * reject, the others are untouched. A write whose `signal` aborts rejects at once; its documents
 * that were still queued are not sent.
 */
export class BulkGroupWriter<T extends { id: string }> {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly callTimeoutMs: number;
  private readonly queue: PendingWrite<T>[] = [];
  private inFlight = 0;
  private queuedDocuments = 0;

  constructor(
    private readonly execute: BulkExecutor<T>,
    options: BulkGroupWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? BULK_CHUNK;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    for (const [name, value] of [
      ['maxBatch', this.maxBatch],
      ['maxInFlight', this.maxInFlight],
      ['callTimeoutMs', this.callTimeoutMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`BulkGroupWriter: ${name} must be a whole number ≥ 1, not ${value}`);
    }
  }

  /** Documents waiting for a bulk call (not yet sent). */
  get queued(): number {
    return this.queuedDocuments;
  }

  /** Bulk calls in flight. */
  get calls(): number {
    return this.inFlight;
  }

  /** Upserts `documents`; see the class comment for when it resolves and rejects. */
  write(documents: readonly T[], signal?: AbortSignal): Promise<BulkUpsertResult> {
    if (documents.length === 0) return Promise.resolve({ succeeded: 0, failures: [] });
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<BulkUpsertResult>((resolve, reject) => {
      const onAbort = () => this.fail(write, abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const write: PendingWrite<T> = {
        documents,
        next: 0,
        outstanding: 0,
        failures: [],
        settled: false,
        resolve,
        reject,
        unlisten: () => signal?.removeEventListener('abort', onAbort),
      };
      this.queue.push(write);
      this.queuedDocuments += documents.length;
      this.pump();
    });
  }

  /** Starts bulk calls while slots are free and documents wait. */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const slices: Slice<T>[] = [];
      let size = 0;
      while (size < this.maxBatch && this.queue.length > 0) {
        const write = this.queue[0];
        const left = write.documents.length - write.next;
        if (write.settled) {
          // Failed or aborted while queued: its remaining documents are not sent.
          this.queue.shift();
          this.queuedDocuments -= left;
          continue;
        }
        const take = Math.min(this.maxBatch - size, left);
        slices.push({ write, from: write.next, to: write.next + take });
        write.next += take;
        write.outstanding++;
        size += take;
        this.queuedDocuments -= take;
        if (write.next === write.documents.length) this.queue.shift();
      }
      if (slices.length === 0) return;
      this.inFlight++;
      void this.call(slices).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async call(slices: readonly Slice<T>[]): Promise<void> {
    const documents: T[] = [];
    for (const s of slices) {
      for (let i = s.from; i < s.to; i++) documents.push(s.write.documents[i]);
    }
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let statuses: readonly BulkItemStatus[];
    try {
      statuses = await Promise.race([
        this.execute(documents, abort.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            abort.abort();
            reject(new Error(`bulk call got no answer within ${this.callTimeoutMs} ms`));
          }, this.callTimeoutMs);
        }),
      ]);
      if (statuses.length !== documents.length)
        throw new Error(`bulk call answered ${statuses.length} of ${documents.length} operations`);
    } catch (error) {
      for (const s of slices) this.fail(s.write, error);
      return;
    } finally {
      clearTimeout(timer);
    }
    let k = 0;
    for (const s of slices) {
      for (let i = s.from; i < s.to; i++, k++) {
        const status = statuses[k]?.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          s.write.failures.push({
            index: i,
            id: s.write.documents[i].id,
            statusCode: status,
            message: statuses[k]?.message ?? `status ${status}`,
          });
        }
      }
      s.write.outstanding--;
      this.settleIfDone(s.write);
    }
  }

  private settleIfDone(write: PendingWrite<T>): void {
    if (write.settled || write.outstanding > 0 || write.next < write.documents.length) return;
    write.settled = true;
    write.unlisten();
    write.failures.sort((a, b) => a.index - b.index);
    write.resolve({
      succeeded: write.documents.length - write.failures.length,
      failures: write.failures,
    });
  }

  private fail(write: PendingWrite<T>, error: unknown): void {
    if (write.settled) return;
    write.settled = true;
    write.unlisten();
    write.reject(error);
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('write aborted');
}

/**
 * A {@link BulkGroupWriter} upserting into `container` with `items.bulk` (one call of at most
 * 100 operations; see {@link bulkUpsert} for why not `executeBulkOperations`).
 */
export function bulkGroupWriter<T extends { id: string }>(
  container: Container,
  partitionKeyOf: (doc: T) => string,
  options: BulkGroupWriterOptions = {},
): BulkGroupWriter<T> {
  return new BulkGroupWriter<T>(async (documents, signal) => {
    const results = await container.items.bulk(
      upsertOperations(documents, partitionKeyOf),
      { continueOnError: true },
      { ...WRITE_MINIMAL, abortSignal: signal },
    );
    return results.map((result) => ({
      statusCode: result?.statusCode ?? 0,
      message: (result?.resourceBody as { message?: string } | undefined)?.message,
    }));
  }, options);
}
