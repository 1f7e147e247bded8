import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadConfig } from './config';
import {
  BULK_CHUNK,
  BulkGroupWriter,
  bulkGroupWriter,
  bulkUpsert,
  cosmosConfigSpec,
  createCosmosClient,
  isLocalEndpoint,
  patchBulkPartitionKeyHashing,
} from './cosmos';
import type { BulkExecutor, BulkItemStatus } from './cosmos';
import type { Container } from '@azure/cosmos';

describe('cosmos settings', () => {
  it('treats plain http and loopback as local (endpoint discovery off)', () => {
    expect(isLocalEndpoint('http://127.0.0.1:8081')).toBe(true);
    expect(isLocalEndpoint('https://localhost:8081/')).toBe(true);
    expect(isLocalEndpoint('https://iot.documents.azure.com:443/')).toBe(false);
  });

  it('builds a key-auth client without discovery for the stand-in', () => {
    const client = createCosmosClient({ endpoint: 'http://127.0.0.1:1', key: 'a2V5' });
    const policy = (
      client as unknown as { clientContext: { connectionPolicy: Record<string, unknown> } }
    ).clientContext.connectionPolicy;
    expect(policy.enableEndpointDiscovery).toBe(false);
    expect(policy.requestTimeout).toBe(5000);
    client.dispose();
  });

  it('requires an endpoint and defaults the database and container', () => {
    expect(() => loadConfig(cosmosConfigSpec, { COSMOS_KEY: 'c2VjcmV0' })).toThrow(
      /COSMOS_ENDPOINT=<unset>: is required/,
    );
    const config = loadConfig(cosmosConfigSpec, {
      COSMOS_ENDPOINT: 'https://a.documents.azure.com',
    });
    expect(config).toMatchObject({
      COSMOS_DATABASE: 'iot',
      COSMOS_CONTAINER: 'readings',
      COSMOS_CREATE_IF_MISSING: false,
    });
    expect(BULK_CHUNK).toBe(100);
  });
});

describe('BulkGroupWriter (Cosmos group commit)', () => {
  type Doc = { id: string };
  const docs = (prefix: string, n: number): Doc[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

  /** A bulk executor whose calls the test answers one by one. */
  function manualBulk() {
    const calls: Array<{
      ids: string[];
      signal: AbortSignal;
      answer: (statuses?: BulkItemStatus[]) => void;
      fail: (error: Error) => void;
    }> = [];
    const execute: BulkExecutor<Doc> = (documents, signal) =>
      new Promise((resolve, reject) => {
        calls.push({
          ids: documents.map((d) => d.id),
          signal,
          answer: (statuses) => resolve(statuses ?? documents.map(() => ({ statusCode: 200 }))),
          fail: reject,
        });
      });
    return { calls, execute };
  }
  const settle = () => new Promise((r) => setImmediate(r));

  it('sends an idle write at once, then coalesces the writes that wait into few calls, in call order', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 10, maxInFlight: 1 });
    const first = writer.write(docs('a', 3));
    expect(calls.map((c) => c.ids)).toEqual([['a0', 'a1', 'a2']]);
    const waiting = ['b', 'c', 'd', 'e'].map((p) => writer.write(docs(p, 4)));
    expect(calls).toHaveLength(1);
    expect(writer.queued).toBe(16);
    calls[0].answer();
    await expect(first).resolves.toEqual({ succeeded: 3, failures: [] });
    // 16 waiting documents, 10 per call: b and c whole plus half of d, then the rest.
    expect(calls[1].ids).toEqual(
      [...docs('b', 4), ...docs('c', 4), ...docs('d', 2)].map((d) => d.id),
    );
    calls[1].answer();
    await settle();
    expect(calls[2].ids).toEqual(['d2', 'd3', 'e0', 'e1', 'e2', 'e3']);
    calls[2].answer();
    await expect(Promise.all(waiting)).resolves.toHaveLength(4);
    expect(calls).toHaveLength(3);
  });

  it('resolves a write only when every call carrying its documents has answered', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 2, maxInFlight: 2 });
    let done = false;
    void writer.write(docs('a', 3)).then(() => (done = true));
    expect(calls.map((c) => c.ids)).toEqual([['a0', 'a1'], ['a2']]);
    calls[1].answer();
    await settle();
    expect(done).toBe(false);
    calls[0].answer();
    await settle();
    expect(done).toBe(true);
  });

  it('rejects exactly the writes in a failed call; the others succeed', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 4, maxInFlight: 1 });
    const a = writer.write(docs('a', 1));
    const b = writer.write(docs('b', 3)); // with c0 in the next call
    const c = writer.write(docs('c', 3)); // c0 there, c1-c2 in the one after
    const d = writer.write(docs('d', 2));
    calls[0].answer();
    await settle();
    expect(calls[1].ids).toEqual(['b0', 'b1', 'b2', 'c0']);
    calls[1].fail(new Error('socket hang up'));
    await expect(b).rejects.toThrow('socket hang up');
    await expect(c).rejects.toThrow('socket hang up');
    await settle();
    // c failed: its documents still queued are not sent.
    expect(calls[2].ids).toEqual(['d0', 'd1']);
    calls[2].answer();
    await expect(a).resolves.toEqual({ succeeded: 1, failures: [] });
    await expect(d).resolves.toEqual({ succeeded: 2, failures: [] });
    expect(writer.queued).toBe(0);
  });

  it('reports item failures to the write that owns them, with its own indexes', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 10, maxInFlight: 1 });
    void writer.write(docs('x', 1));
    const a = writer.write(docs('a', 2));
    const b = writer.write(docs('b', 3));
    calls[0].answer();
    await settle();
    calls[1].answer([
      { statusCode: 200 },
      { statusCode: 201 },
      { statusCode: 200 },
      { statusCode: 429, message: 'throttled' },
      { statusCode: 0 },
    ]);
    await expect(a).resolves.toEqual({ succeeded: 2, failures: [] });
    await expect(b).resolves.toEqual({
      succeeded: 1,
      failures: [
        { index: 1, id: 'b1', statusCode: 429, message: 'throttled' },
        { index: 2, id: 'b2', statusCode: 0, message: 'status 0' },
      ],
    });
  });

  it('never has more than maxInFlight calls or more than maxBatch documents per call', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 7, maxInFlight: 3 });
    const writes = Array.from({ length: 40 }, (_, i) => writer.write(docs(`w${i}-`, 1 + (i % 5))));
    const total = Array.from({ length: 40 }, (_, i) => 1 + (i % 5)).reduce((a, b) => a + b, 0);
    let answered = 0;
    while (answered < calls.length || writer.queued > 0) {
      expect(writer.calls).toBeLessThanOrEqual(3);
      calls[answered++].answer();
      await settle();
    }
    await Promise.all(writes);
    expect(calls.every((c) => c.ids.length <= 7)).toBe(true);
    const sent = calls.flatMap((c) => c.ids);
    expect(sent).toHaveLength(total);
    expect(new Set(sent).size).toBe(total);
  });

  it('takes an aborted write out of the queue and rejects it, leaving the others', async () => {
    const { calls, execute } = manualBulk();
    const writer = new BulkGroupWriter<Doc>(execute, { maxBatch: 10, maxInFlight: 1 });
    const first = writer.write(docs('a', 1));
    const abort = new AbortController();
    const gone = writer.write(docs('b', 2), abort.signal);
    const kept = writer.write(docs('c', 2));
    abort.abort(new Error('request timed out'));
    await expect(gone).rejects.toThrow('request timed out');
    calls[0].answer();
    await expect(first).resolves.toBeDefined();
    await settle();
    expect(calls[1].ids).toEqual(['c0', 'c1']);
    calls[1].answer();
    await expect(kept).resolves.toEqual({ succeeded: 2, failures: [] });
  });

  it('aborts a call that does not answer in time and fails its writes', async () => {
    jest.useFakeTimers();
    try {
      const { calls, execute } = manualBulk();
      const writer = new BulkGroupWriter<Doc>(execute, { callTimeoutMs: 500 });
      const write = writer.write(docs('a', 2));
      const outcome = write.catch((e: Error) => e.message);
      jest.advanceTimersByTime(500);
      expect(await outcome).toMatch(/no answer within 500 ms/);
      expect(calls[0].signal.aborted).toBe(true);
      expect(writer.calls).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejects a call answering the wrong number of statuses, and bad options', async () => {
    const writer = new BulkGroupWriter<Doc>(async () => [{ statusCode: 200 }]);
    await expect(writer.write(docs('a', 2))).rejects.toThrow('answered 1 of 2 operations');
    expect(() => new BulkGroupWriter<Doc>(async () => [], { maxInFlight: 0 })).toThrow(
      'maxInFlight must be a whole number ≥ 1',
    );
  });
});

describe('patchBulkPartitionKeyHashing (@azure/cosmos 4.9.3 bulk routing)', () => {
  type Grouping = (ops: unknown[], def: unknown, options: unknown, batches: unknown[]) => void;
  // The SDK instance the patch changed: node's own module cache, as the module loads it.
  const load = createRequire(__filename);
  const Items = (
    load(join(dirname(load.resolve('@azure/cosmos')), 'client/Item/Items.js')) as {
      Items: { prototype: Record<string | symbol, Grouping> };
    }
  ).Items;
  const ranges = (bounds: string[]) =>
    bounds.slice(0, -1).map((min, i) => ({ min, max: bounds[i + 1], operations: [], indexes: [] }));
  const ops = Array.from({ length: 300 }, (_, i) => ({
    operationType: 'Upsert',
    partitionKey: i % 7 === 0 ? i : `device-${i % 97}`,
    resourceBody: { id: `r${i}`, deviceId: `device-${i % 97}` },
  }));

  it('is applied when the module loads, keeping the original', () => {
    expect(patchBulkPartitionKeyHashing()).toBe(true);
    expect(Items.prototype[Symbol.for('iot.cosmos.originalGroupOperations')]).toBeInstanceOf(
      Function,
    );
  });

  it.each([
    ['v1, one range', { paths: ['/deviceId'], kind: 'Hash' }, ['', 'FF']],
    [
      'v1, four ranges',
      { paths: ['/deviceId'], kind: 'Hash' },
      ['', '05C1D3', '05C1DF', '05C1E7', 'FF'],
    ],
    [
      'v2, three ranges',
      { paths: ['/deviceId'], kind: 'Hash', version: 2 },
      ['', '1A', '9C', 'FF'],
    ],
  ])('routes every operation as the original does (%s)', (_name, def, bounds) => {
    const original = Items.prototype[Symbol.for('iot.cosmos.originalGroupOperations')];
    const patched = Items.prototype.groupOperationsBasedOnPartitionKey;
    const expected = ranges(bounds);
    const actual = ranges(bounds);
    original.call({}, ops, def, {}, expected);
    // twice: the second pass answers from the memo
    patched.call({}, ops, def, {}, actual);
    const again = ranges(bounds);
    patched.call({}, ops, def, {}, again);
    expect(actual).toEqual(expected);
    expect(again).toEqual(expected);
    if (bounds.length > 2)
      expect(expected.filter((b) => b.indexes.length > 0).length).toBeGreaterThan(1);
  });

  it('patches nothing on another SDK version', () => {
    const proto = { groupOperationsBasedOnPartitionKey: () => {} };
    const before = proto.groupOperationsBasedOnPartitionKey;
    expect(patchBulkPartitionKeyHashing({ prototype: proto }, '4.10.0')).toBe(false);
    expect(proto.groupOperationsBasedOnPartitionKey).toBe(before);
  });
});

describe('bulk writes ask for minimal responses', () => {
  // The SDK turns contentResponseOnWriteEnabled: false into `Prefer: return=minimal` on bulk
  // calls: Cosmos DB then answers each operation's status without echoing the document.
  const fakeContainer = () => {
    const calls: unknown[][] = [];
    const container = {
      items: {
        bulk: async (...args: unknown[]) => {
          calls.push(args);
          return (args[0] as unknown[]).map(() => ({ statusCode: 200 }));
        },
      },
    } as unknown as Container;
    return { container, calls };
  };

  it('in the group writer, with the abort signal', async () => {
    const { container, calls } = fakeContainer();
    const writer = bulkGroupWriter<{ id: string; d: string }>(container, (doc) => doc.d);
    const signal = new AbortController().signal;
    await writer.write([{ id: 'a', d: 'x' }], signal);
    expect(calls).toHaveLength(1);
    expect(calls[0][1]).toEqual({ continueOnError: true });
    expect(calls[0][2]).toMatchObject({ contentResponseOnWriteEnabled: false });
    expect((calls[0][2] as { abortSignal?: unknown }).abortSignal).toBeInstanceOf(AbortSignal);
  });

  it('in bulkUpsert, with or without a signal', async () => {
    const { container, calls } = fakeContainer();
    await bulkUpsert(container, [{ id: 'a', d: 'x' }], (doc) => doc.d);
    await bulkUpsert(
      container,
      [{ id: 'b', d: 'y' }],
      (doc) => doc.d,
      new AbortController().signal,
    );
    expect(calls.map((c) => c[2])).toEqual([
      { contentResponseOnWriteEnabled: false },
      { contentResponseOnWriteEnabled: false, abortSignal: expect.any(AbortSignal) },
    ]);
  });
});
