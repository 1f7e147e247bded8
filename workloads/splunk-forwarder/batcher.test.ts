import { Batcher } from './batcher';
import type { BatchResult } from './batcher';

interface Item {
  readonly name: string;
  readonly bytes: number;
}
const item = (name: string, bytes = 10): Item => ({ name, bytes });

/** A deliver function that records batches and settles them when the test says so. */
function recorder() {
  const batches: {
    items: Item[];
    settle: (r?: BatchResult<Item>) => void;
    fail: (e: Error) => void;
  }[] = [];
  const deliver = (items: Item[]) =>
    new Promise<BatchResult<Item>>((resolve, reject) => {
      batches.push({ items, settle: (r) => resolve(r ?? { rejected: [] }), fail: reject });
    });
  return { batches, deliver, names: () => batches.map((b) => b.items.map((i) => i.name)) };
}

const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => jest.useRealTimers());

describe('Batcher', () => {
  it('sends a batch as soon as it holds maxEvents events', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 3,
      maxBytes: 1e6,
      lingerMs: 60_000,
      deliver: r.deliver,
    });
    void b.add([item('a'), item('b'), item('c'), item('d')]);
    await tick();
    expect(r.names()).toEqual([['a', 'b', 'c']]);
  });

  it('keeps a request body (events plus newlines) within maxBytes; a bigger event goes alone', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 100,
      maxBytes: 31,
      lingerMs: 60_000,
      deliver: r.deliver,
    });
    void b.add([item('a'), item('b'), item('c'), item('d'), item('huge', 50), item('e')]);
    b.flush();
    await tick();
    // 10+1+10+1+10 = 32 > 31: the third event starts the next batch
    expect(r.names()).toEqual([['a', 'b'], ['c', 'd'], ['huge'], ['e']]);
  });

  it('sends a partial batch after lingerMs, not before', async () => {
    jest.useFakeTimers();
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 100,
      maxBytes: 1e6,
      lingerMs: 200,
      deliver: r.deliver,
    });
    void b.add([item('a')]);
    jest.advanceTimersByTime(150);
    void b.add([item('b')]);
    jest.advanceTimersByTime(49);
    expect(r.batches).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(r.names()).toEqual([['a', 'b']]);
  });

  it('resolves a caller only when all of its events are settled, with its own rejections', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 2,
      maxBytes: 1e6,
      lingerMs: 60_000,
      deliver: r.deliver,
    });
    const one = item('one');
    const p1 = b.add([item('x'), one]);
    const p2 = b.add([item('y'), item('z')]);
    let done1 = false;
    void p1.then(() => (done1 = true));
    await tick();
    expect(r.names()).toEqual([
      ['x', 'one'],
      ['y', 'z'],
    ]);
    r.batches[0].settle({ rejected: [{ item: one, reason: 'bad' }] });
    await expect(p1).resolves.toEqual({ rejected: [{ item: one, reason: 'bad' }] });
    expect(done1).toBe(true);
    r.batches[1].settle();
    await expect(p2).resolves.toEqual({ rejected: [] });
  });

  it('lets a caller spanning batches finish only after its last batch', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 2,
      maxBytes: 1e6,
      lingerMs: 60_000,
      deliver: r.deliver,
    });
    let done = false;
    void b.add([item('a'), item('b'), item('c')]).then(() => (done = true));
    b.flush();
    await tick();
    r.batches[0].settle();
    await tick();
    expect(done).toBe(false);
    r.batches[1].settle();
    await tick();
    expect(done).toBe(true);
  });

  it('rejects every caller with an event in a batch that failed, and no other', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 2,
      maxBytes: 1e6,
      lingerMs: 60_000,
      deliver: r.deliver,
    });
    const p1 = b.add([item('a'), item('b')]);
    const p2 = b.add([item('c'), item('d')]);
    await tick();
    r.batches[0].fail(new Error('stopped'));
    r.batches[1].settle();
    await expect(p1).rejects.toThrow('stopped');
    await expect(p2).resolves.toEqual({ rejected: [] });
  });

  it('keeps at most maxInFlight batches outstanding', async () => {
    const r = recorder();
    const b = new Batcher<Item>({
      maxEvents: 1,
      maxBytes: 1e6,
      lingerMs: 0,
      maxInFlight: 2,
      deliver: r.deliver,
    });
    void b.add([item('a'), item('b'), item('c')]);
    await tick();
    expect(r.names()).toEqual([['a'], ['b']]);
    expect(b.batchesInFlight).toBe(2);
    r.batches[0].settle();
    await tick();
    expect(r.names()).toEqual([['a'], ['b'], ['c']]);
  });

  it('resolves an empty add at once', async () => {
    const r = recorder();
    const b = new Batcher<Item>({ maxEvents: 1, maxBytes: 1e6, lingerMs: 0, deliver: r.deliver });
    await expect(b.add([])).resolves.toEqual({ rejected: [] });
    expect(r.batches).toHaveLength(0);
  });
});
