import type { Container } from '@azure/cosmos';
import { CosmosKafkaSink, DependencyUnavailableError, OverloadedError } from './sink';
import type { CosmosKafkaSinkOptions } from './sink';
import type { KafkaProducer } from '../shared/kafka';
import type { Reading } from '../shared/messages';

const reading = (i: number): Reading => ({
  id: `r${i}`,
  deviceId: `d${i % 3}`,
  ts: '2026-11-27T10:00:00.000Z',
  metrics: { t: i },
  receivedAt: '2026-11-27T10:00:01.000Z',
});
const readings = (n: number, from = 0) => Array.from({ length: n }, (_, i) => reading(from + i));

/** Fake Cosmos and Kafka that log what happened and answer when the test says so. */
function fakes() {
  const log: string[] = [];
  const cosmosCalls: Array<{ ids: string[]; answer: () => void; fail: (e: Error) => void }> = [];
  const kafkaCalls: Array<{ ids: string[]; answer: () => void; fail: (e: Error) => void }> = [];
  const container = {
    items: {
      bulk: (ops: Array<{ resourceBody: { id: string } }>) =>
        new Promise((resolve, reject) => {
          const ids = ops.map((o) => o.resourceBody.id);
          log.push(`cosmos ${ids.join(',')}`);
          cosmosCalls.push({
            ids,
            answer: () => resolve(ops.map(() => ({ statusCode: 200 }))),
            fail: reject,
          });
        }),
    },
  } as unknown as Container;
  const producer = {
    send: (batches: Array<{ messages: Array<{ value: Reading }> }>) =>
      new Promise<void>((resolve, reject) => {
        const ids = batches.flatMap((b) => b.messages.map((m) => m.value.id));
        log.push(`kafka ${ids.join(',')}`);
        kafkaCalls.push({ ids, answer: resolve, fail: reject });
      }),
  } as unknown as KafkaProducer;
  return { log, cosmosCalls, kafkaCalls, container, producer };
}
const settle = () => new Promise((r) => setImmediate(r));

function sink(f: ReturnType<typeof fakes>, options: Partial<CosmosKafkaSinkOptions> = {}) {
  return new CosmosKafkaSink({
    container: f.container,
    producer: f.producer,
    timeoutMs: 10_000,
    ...options,
  });
}

describe('CosmosKafkaSink', () => {
  it('parallel (default): writes Cosmos and Kafka at once and resolves only after both', async () => {
    const f = fakes();
    let done = false;
    const w = sink(f)
      .write(readings(2))
      .then(() => (done = true));
    await settle();
    expect(f.log).toEqual(['cosmos r0,r1', 'kafka r0,r1']);
    f.kafkaCalls[0].answer();
    await settle();
    expect(done).toBe(false);
    f.cosmosCalls[0].answer();
    await w;
    expect(done).toBe(true);
  });

  it('parallel: a Cosmos failure fails the request even though Kafka took it', async () => {
    const f = fakes();
    const w = sink(f).write(readings(1));
    await settle();
    f.kafkaCalls[0].answer();
    f.cosmosCalls[0].fail(new Error('ECONNREFUSED'));
    await expect(w).rejects.toThrow(DependencyUnavailableError);
    await expect(w).rejects.toThrow(/^cosmos unavailable: ECONNREFUSED/);
  });

  it('cosmos-then-kafka: publishes nothing when Cosmos fails, and Kafka only after Cosmos', async () => {
    const f = fakes();
    const s = sink(f, { order: 'cosmos-then-kafka' });
    const failed = s.write(readings(1));
    await settle();
    expect(f.log).toEqual(['cosmos r0']);
    f.cosmosCalls[0].fail(new Error('ECONNREFUSED'));
    await expect(failed).rejects.toThrow(/^cosmos unavailable/);
    const ok = s.write(readings(1, 5));
    await settle();
    expect(f.log).toEqual(['cosmos r0', 'cosmos r5']);
    f.cosmosCalls[1].answer();
    await settle();
    expect(f.log).toEqual(['cosmos r0', 'cosmos r5', 'kafka r5']);
    f.kafkaCalls[0].answer();
    await ok;
    expect(f.kafkaCalls).toHaveLength(1);
  });

  it('coalesces concurrent requests into shared bulk calls, each answered on its own', async () => {
    const f = fakes();
    const s = sink(f, { bulk: { maxInFlight: 1 } });
    const first = s.write(readings(2, 0));
    const rest = [s.write(readings(2, 10)), s.write(readings(2, 20))];
    await settle();
    for (const k of f.kafkaCalls) k.answer();
    f.cosmosCalls[0].answer();
    await first;
    await settle();
    expect(f.cosmosCalls.map((c) => c.ids)).toEqual([
      ['r0', 'r1'],
      ['r10', 'r11', 'r20', 'r21'],
    ]);
    f.cosmosCalls[1].answer();
    await Promise.all(rest);
  });

  it('refuses at once, writing nothing, a request that would exceed maxPendingReadings', async () => {
    const f = fakes();
    const s = sink(f, { maxPendingReadings: 5 });
    const big = s.write(readings(8)); // alone: admitted, however large
    await settle();
    expect(s.pending).toBe(8);
    await expect(s.write(readings(1, 100))).rejects.toThrow(OverloadedError);
    expect(f.log).toEqual(['cosmos r0,r1,r2,r3,r4,r5,r6,r7', 'kafka r0,r1,r2,r3,r4,r5,r6,r7']);
    f.cosmosCalls[0].answer();
    f.kafkaCalls[0].answer();
    await big;
    expect(s.pending).toBe(0);
    const small = s.write(readings(5, 200));
    await settle();
    await expect(s.write(readings(1, 300))).rejects.toThrow('5 readings in flight, limit 5');
    f.cosmosCalls[1].answer();
    f.kafkaCalls[1].answer();
    await small;
  });

  it('re-creates a missing container once for all the requests of a failed call, then retries them', async () => {
    const f = fakes();
    let recreated = 0;
    const s = sink(f, {
      bulk: { maxInFlight: 1 },
      recreate: async () => {
        recreated++;
      },
    });
    const first = s.write(readings(1, 0));
    const a = s.write(readings(1, 10));
    const b = s.write(readings(1, 20));
    await settle();
    for (const k of f.kafkaCalls) k.answer();
    f.cosmosCalls[0].answer();
    await first;
    await settle();
    expect(f.cosmosCalls[1].ids).toEqual(['r10', 'r20']);
    f.cosmosCalls[1].fail(Object.assign(new Error('Owner resource does not exist'), { code: 404 }));
    await settle();
    await settle();
    expect(recreated).toBe(1);
    f.cosmosCalls[2].answer();
    await settle();
    f.cosmosCalls[3]?.answer();
    await Promise.all([a, b]);
    expect(f.cosmosCalls.slice(2).flatMap((c) => c.ids)).toEqual(['r10', 'r20']);
    expect(recreated).toBe(1);
  });

  it('frees the admitted readings when a write fails', async () => {
    const f = fakes();
    const s = sink(f, { maxPendingReadings: 3 });
    const w = s.write(readings(3));
    await settle();
    f.cosmosCalls[0].fail(new Error('boom'));
    f.kafkaCalls[0].answer();
    await expect(w).rejects.toThrow('boom');
    expect(s.pending).toBe(0);
  });
});
