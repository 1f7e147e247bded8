import { randomUUID } from 'node:crypto';
import { HecIndex, HecReceiver } from '../../test/doubles/hec-receiver';
import { HecClient, StoppedError, classify } from './hec';
import type { HecClientOptions } from './hec';

// The HEC client against the HEC receiver TEST DOUBLE (test/doubles/hec-receiver.ts), which
// implements Splunk's documented event and ack endpoints.
const TOKEN = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const receivers: HecReceiver[] = [];
const clients: AbortController[] = [];

async function receiver(
  opts: Partial<ConstructorParameters<typeof HecReceiver>[0]> = {},
  port = 0,
) {
  const r = new HecReceiver({ tokens: { [TOKEN]: { acks: true } }, indexDelayMs: 5, ...opts });
  receivers.push(r);
  await r.start(port);
  return r;
}

function client(url: string, opts: Partial<HecClientOptions> = {}) {
  const stop = new AbortController();
  clients.push(stop);
  return new HecClient({
    baseUrl: url,
    token: () => TOKEN,
    channel: randomUUID(),
    ackPollMs: 10,
    ackTimeoutMs: 2000,
    retryInitialMs: 5,
    retryMaxMs: 50,
    requestTimeoutMs: 2000,
    stop: stop.signal,
    random: () => 0.5,
    ...opts,
  });
}

/** Polls `done` every 5 ms (timers lag on a loaded machine: no fixed sleeps). */
async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((res) => setTimeout(res, 5));
  }
}

const item = (event: unknown, extra: object = {}) => ({
  json: JSON.stringify({ event, ...extra }),
  name: event,
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.abort();
  for (const r of receivers.splice(0)) await r.stop();
});

describe('HecClient', () => {
  it('posts concatenated events with the token and channel, and resolves once acknowledged', async () => {
    const r = await receiver({ indexDelayMs: 100 });
    const c = client(r.url);
    const result = await c.deliver([item('a'), item('b')]);
    expect(result).toEqual({ rejected: [] });
    // resolved only after indexing: the ack was polled until true
    expect(r.index.events.map((e) => e.event)).toEqual(['a', 'b']);
    const [post, ...polls] = r.requests;
    expect(post.path).toBe('/services/collector/event');
    expect(post.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(post.headers['x-splunk-request-channel']).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.body).toBe('{"event":"a"}\n{"event":"b"}');
    expect(polls.length).toBeGreaterThan(0);
    expect(
      polls.every((p) => p.path === '/services/collector/ack' && p.body === '{"acks":[0]}'),
    ).toBe(true);
    expect(
      polls.every(
        (p) => p.headers['x-splunk-request-channel'] === post.headers['x-splunk-request-channel'],
      ),
    ).toBe(true);
  });

  it('retries 503, 429 and 500 with backoff and honours Retry-After', async () => {
    const r = await receiver();
    r.force({
      status: 503,
      body: { text: 'Server is busy', code: 9 },
      headers: { 'retry-after': '1' },
    });
    r.force({ status: 429, body: {} });
    r.force({ status: 500, body: { text: 'Internal server error', code: 8 } });
    const retries: { reason: string; delayMs: number }[] = [];
    const c = client(r.url, { onRetry: (i) => retries.push(i) });
    const started = Date.now();
    await expect(c.deliver([item('a')])).resolves.toEqual({ rejected: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(retries.map((x) => x.reason)).toEqual([
      'hec answered 503 (code 9: Server is busy)',
      'hec answered 429 (no HEC body)',
      'hec answered 500 (code 8: Internal server error)',
    ]);
    expect(retries[0].delayMs).toBe(1000);
    // 5 ms doubled per attempt, capped at 50, half jittered (random 0.5 → 3/4 of it)
    expect(retries.slice(1).map((x) => x.delayMs)).toEqual([8, 15]);
    expect(r.index.events.map((e) => e.event)).toEqual(['a']);
  });

  it('retries a refused token (re-reading it) instead of dead-lettering, and is not ready meanwhile', async () => {
    const r = await receiver();
    let token = 'wrong';
    const c = client(r.url, {
      token: () => token,
      onRetry: () => {
        expect(() => c.check()).toThrow(
          /splunk hec: hec refused the token: 403 \(code 4: Invalid token\)/,
        );
        token = TOKEN;
      },
    });
    await expect(c.deliver([item('a')])).resolves.toEqual({ rejected: [] });
    expect(() => c.check()).not.toThrow();
  });

  it('retries a misconfigured index (code 7) until stopped, then throws StoppedError', async () => {
    const r = await receiver({ tokens: { [TOKEN]: { indexes: ['other'] } } });
    const c = client(r.url, { onRetry: ({ attempt }) => attempt === 3 && clients[0].abort() });
    await expect(c.deliver([item('a', { index: 'iot' })])).rejects.toBeInstanceOf(StoppedError);
    expect(() => c.check()).toThrow(/misconfigured: 400 \(code 7: Incorrect index\)/);
  });

  it('dead-letters the event HEC names invalid and delivers the rest', async () => {
    const r = await receiver();
    const c = client(r.url);
    const bad = item('bad', { fields: { nested: { no: 1 } } });
    const result = await c.deliver([item('a'), bad, item('c')]);
    expect(result).toEqual({
      rejected: [
        {
          item: bad,
          reason: 'hec rejected the event: 400 (code 15: Error in handling indexed fields)',
        },
      ],
    });
    // 'a' was taken with the failed request and again with the resend: a bounded duplicate
    await until(() => r.index.events.length >= 3);
    expect(r.index.events.map((e) => e.event).sort()).toEqual(['a', 'a', 'c']);
  });

  it('halves a batch HEC refuses as too large until the event that is too large is alone', async () => {
    const r = await receiver({ maxContentLength: 300 });
    const c = client(r.url);
    const big = item('x'.repeat(400));
    const result = await c.deliver([item('a'), big, item('b'), item('c')]);
    expect(result.rejected).toEqual([
      { item: big, reason: expect.stringMatching(/^hec rejected the request as too large: 413/) },
    ]);
    await until(() => r.index.events.length >= 3);
    expect(r.index.events.map((e) => e.event).sort()).toEqual(['a', 'b', 'c']);
  });

  it('sends a batch again when its acknowledgement never comes (an indexer restart lost it)', async () => {
    const index = new HecIndex();
    const first = await receiver({ index, indexDelayMs: 60_000 });
    const timeouts: number[] = [];
    const c = client(first.url, {
      ackTimeoutMs: 200,
      onAckTimeout: ({ ackId }) => timeouts.push(ackId),
    });
    const delivered = c.deliver([item('a')]);
    // kill the receiver once it took the batch and before it indexed it; a new one on the port
    await until(() => first.requests.length > 0);
    await first.stop();
    await receiver({ index, indexDelayMs: 5 }, first.port);
    await expect(delivered).resolves.toEqual({ rejected: [] });
    expect(timeouts).toEqual([0]);
    expect(index.events.map((e) => e.event)).toEqual(['a']);
  });

  it('retries while the receiver is down (connection refused) and delivers once it is back', async () => {
    const r = await receiver();
    const port = r.port;
    await r.stop();
    const reasons: string[] = [];
    const c = client(`http://127.0.0.1:${port}`, { onRetry: (i) => reasons.push(i.reason) });
    const delivered = c.deliver([item('a')]);
    await new Promise((res) => setTimeout(res, 100));
    const back = await receiver({}, port);
    await expect(delivered).resolves.toEqual({ rejected: [] });
    expect(reasons[0]).toMatch(/^request failed: /);
    expect(back.index.events).toHaveLength(1);
  });

  it('does not count a 200 without an ackId while acks are expected (the token has them off)', async () => {
    const r = await receiver({ tokens: { [TOKEN]: { acks: false } } });
    const delays: number[] = [];
    const c = client(r.url, {
      onRetry: ({ attempt, delayMs }) => {
        delays.push(delayMs);
        if (attempt === 3) clients[0].abort();
      },
    });
    await expect(c.deliver([item('a')])).rejects.toBeInstanceOf(StoppedError);
    expect(() => c.check()).toThrow(/accepted without an ackId: enable indexer acknowledgement/);
    // backing off, not spinning
    expect(delays).toEqual([4, 8, 15]);
  });

  it('counts a 200 as delivered when acks are off, and sends no ack polls', async () => {
    const r = await receiver({ tokens: { [TOKEN]: { acks: false } } });
    const c = client(r.url, { acks: false });
    await expect(c.deliver([item('a')])).resolves.toEqual({ rejected: [] });
    expect(r.requests.map((q) => q.path)).toEqual(['/services/collector/event']);
  });
});

describe('classify', () => {
  const res = (status: number, body: object = {}, retryAfter: string | null = null) =>
    classify({ status, body, retryAfter });
  it.each([
    [res(200, { text: 'Success', code: 0, ackId: 3 }), { kind: 'accepted', ackId: 3 }],
    [
      res(503, {}, '2'),
      { kind: 'retry', reason: 'hec answered 503 (no HEC body)', retryAfterMs: 2000 },
    ],
    [
      res(401, { text: 'Token is required', code: 2 }),
      { kind: 'retry', reason: 'hec refused the token: 401 (code 2: Token is required)' },
    ],
    [
      res(400, { text: 'Data channel is missing', code: 10 }),
      { kind: 'retry', reason: expect.stringMatching(/misconfigured/) },
    ],
    [
      res(400, { text: 'ACK is disabled', code: 14 }),
      { kind: 'retry', reason: expect.stringMatching(/misconfigured/) },
    ],
    [res(404), { kind: 'retry', reason: expect.stringMatching(/misconfigured/) }],
    [
      res(400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 2 }),
      {
        kind: 'invalid-event',
        index: 2,
        reason: 'hec rejected the event: 400 (code 6: Invalid data format)',
      },
    ],
    [
      res(400, { text: 'Event field cannot be blank', code: 13 }),
      {
        kind: 'rejected',
        reason: 'hec rejected the event: 400 (code 13: Event field cannot be blank)',
      },
    ],
    [
      res(413),
      { kind: 'rejected', reason: 'hec rejected the request as too large: 413 (no HEC body)' },
    ],
  ])('%#', (answer, expected) => expect(answer).toEqual(expected));
});
