import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertMessage } from '../shared/messages';
import { WebhookDispatcher, backoffDelayMs, signBody } from './webhooks';

const alert: AlertMessage = {
  alertId: 'a1',
  deviceId: 'd1',
  rule: 'threshold.high',
  metric: 'temp',
  state: 'open',
  severity: 'critical',
  value: 99,
  threshold: 80,
  score: 7,
  episodeStart: '2026-11-27T10:00:00.000Z',
  ts: '2026-11-27T10:00:00.000Z',
  readingId: 'r1',
  message: 'temp 99 above 80',
};

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver whose answer per request is scripted by the test. */
async function receiver(answer: (n: number) => number | 'hang') {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body });
      const a = answer(received.length);
      if (a === 'hang') return; // never answers: the client's timeout must fire
      res.writeHead(a).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('backoffDelayMs', () => {
  it('doubles from the base delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, 100, 1000, null))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitters within the upper half of the delay', () => {
    expect(backoffDelayMs(3, 100, 1000, 0)).toBe(200);
    expect(backoffDelayMs(3, 100, 1000, 1)).toBe(400);
  });
});

describe('WebhookDispatcher', () => {
  it('retries 5xx with exponential backoff until the receiver accepts, signing each attempt', async () => {
    const hook = await receiver((n) => (n < 3 ? 503 : 204));
    const outcomes: string[] = [];
    const d = new WebhookDispatcher({
      urls: [hook.url],
      secret: 's3cret',
      baseDelayMs: 100,
      jitter: false,
      observer: {
        delivered: (_u, attempts) => outcomes.push(`delivered after ${attempts}`),
        attemptFailed: (_u, attempt, reason, willRetry) =>
          outcomes.push(`attempt ${attempt} ${reason} retry=${willRetry}`),
      },
    });
    expect(d.enqueue(alert)).toBe(1);
    await d.idle();
    await hook.close();

    expect(outcomes).toEqual([
      'attempt 1 http 503 retry=true',
      'attempt 2 http 503 retry=true',
      'delivered after 3',
    ]);
    expect(hook.received).toHaveLength(3);
    const gaps = [1, 2].map((i) => hook.received[i].at - hook.received[i - 1].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    for (const r of hook.received) {
      expect(JSON.parse(r.body)).toEqual(alert);
      expect(r.headers['x-alert-dedupe-key']).toBe('a1/open');
      const ts = r.headers['x-signature-timestamp'] as string;
      expect(r.headers['x-signature-256']).toBe(signBody('s3cret', ts, r.body));
    }
  });

  it('gives up after maxAttempts and does not retry a 4xx', async () => {
    const down = await receiver(() => 500);
    const bad = await receiver(() => 400);
    const failed: string[] = [];
    const d = new WebhookDispatcher({
      urls: [down.url, bad.url],
      maxAttempts: 3,
      baseDelayMs: 10,
      observer: {
        failed: (url, attempts, reason) =>
          failed.push(`${url === down.url ? 'down' : 'bad'} ${attempts} ${reason}`),
      },
    });
    d.enqueue(alert);
    await d.idle();
    await Promise.all([down.close(), bad.close()]);
    expect(failed.sort()).toEqual(['bad 1 http 400', 'down 3 http 500']);
    expect(down.received).toHaveLength(3);
    expect(bad.received).toHaveLength(1);
  });

  it('times out an attempt that never gets an answer, then retries', async () => {
    const hook = await receiver((n) => (n === 1 ? 'hang' : 200));
    const reasons: string[] = [];
    const d = new WebhookDispatcher({
      urls: [hook.url],
      timeoutMs: 200,
      baseDelayMs: 10,
      observer: { attemptFailed: (_u, _a, reason) => reasons.push(reason) },
    });
    const start = Date.now();
    d.enqueue(alert);
    await d.idle();
    await hook.close();
    expect(reasons).toEqual(['timeout after 200 ms']);
    expect(hook.received).toHaveLength(2);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it('drops deliveries beyond the queue capacity instead of growing', async () => {
    const hook = await receiver(() => 200);
    const dropped: string[] = [];
    const d = new WebhookDispatcher({
      urls: [hook.url],
      queueCapacity: 2,
      concurrency: 1,
      observer: { dropped: (_u, why) => dropped.push(why) },
    });
    const accepted = [1, 2, 3, 4].map((i) => d.enqueue({ ...alert, alertId: `a${i}` }));
    expect(accepted).toEqual([1, 1, 0, 0]);
    expect(dropped).toEqual(['queue full', 'queue full']);
    await d.idle();
    await hook.close();
    expect(hook.received.map((r) => JSON.parse(r.body).alertId)).toEqual(['a1', 'a2']);
  });

  it('close abandons deliveries still waiting to retry after the drain time', async () => {
    const hook = await receiver(() => 503);
    const dropped: string[] = [];
    const d = new WebhookDispatcher({
      urls: [hook.url],
      baseDelayMs: 60_000,
      observer: { dropped: (_u, why) => dropped.push(why) },
    });
    d.enqueue(alert);
    while (hook.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    const start = Date.now();
    await d.close(100);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(dropped).toEqual(['shutdown']);
    expect(d.pending).toBe(0);
    expect(d.enqueue(alert)).toBe(0);
    await hook.close();
  });
});
