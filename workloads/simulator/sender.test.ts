import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendStats, postBatch } from './sender';

/** A real HTTP server answering with a scripted sequence of statuses. */
async function scripted(statuses: number[]) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(body);
      const status = statuses.shift() ?? 202;
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(status === 503 ? { 'retry-after': '0' } : {}),
      });
      res.end(JSON.stringify(status === 202 ? { accepted: 2, rejected: 1 } : { error: 'x' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/v1/telemetry`), seen, server };
}

describe('postBatch', () => {
  const batch = { body: 'a\nb\nc\n', count: 3, contentType: 'application/x-ndjson' };

  it('retries 503 with the same body until accepted, and counts it', async () => {
    const { url, seen, server } = await scripted([503, 503, 202]);
    const agent = new Agent({ keepAlive: true });
    const stats = new SendStats();
    try {
      expect(await postBatch(batch, { url, agent, stats, baseBackoffMs: 1 })).toBe(202);
    } finally {
      agent.destroy();
      server.close();
    }
    expect(seen).toEqual([batch.body, batch.body, batch.body]);
    expect(stats).toMatchObject({
      sentReadings: 3,
      acceptedReadings: 2,
      rejectedReadings: 1,
      status503: 2,
      retries: 2,
      failedRequests: 0,
    });
    expect(stats.latenciesMs).toHaveLength(1);
  });

  it('gives up after maxAttempts and counts a failed request', async () => {
    const { url, server } = await scripted([503, 503, 503]);
    const agent = new Agent({ keepAlive: true });
    const stats = new SendStats();
    try {
      expect(await postBatch(batch, { url, agent, stats, maxAttempts: 3, baseBackoffMs: 1 })).toBe(
        503,
      );
    } finally {
      agent.destroy();
      server.close();
    }
    expect(stats).toMatchObject({
      status503: 3,
      retries: 2,
      failedRequests: 1,
      acceptedReadings: 0,
    });
  });

  it('retries network errors with backoff', async () => {
    const stats = new SendStats();
    const agent = new Agent();
    const status = await postBatch(batch, {
      url: new URL('http://127.0.0.1:1/v1/telemetry'),
      agent,
      stats,
      maxAttempts: 2,
      baseBackoffMs: 1,
    });
    agent.destroy();
    expect(status).toBe(0);
    expect(stats).toMatchObject({ retries: 1, failedRequests: 1 });
    expect(stats.lastProblem).toMatch(/ECONNREFUSED/);
  });

  it('computes latency percentiles', () => {
    const stats = new SendStats();
    stats.latenciesMs.push(...Array.from({ length: 100 }, (_, i) => i + 1));
    expect(stats.percentile(50)).toBe(50);
    expect(stats.percentile(99)).toBe(99);
  });
});

describe('postBatch through a gateway', () => {
  const batch = { body: 'a\n', count: 1, contentType: 'application/x-ndjson' };

  it('sends the gateway headers and retries 429 like 503', async () => {
    const seen: (string | undefined)[] = [];
    const statuses = [429, 202];
    const server = createServer((req, res) => {
      seen.push(req.headers['ocp-apim-subscription-key'] as string | undefined);
      req.resume();
      req.on('end', () => {
        const status = statuses.shift() ?? 202;
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify(status === 202 ? { accepted: 1, rejected: 0 } : { error: 'rate' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true });
    const stats = new SendStats();
    try {
      const status = await postBatch(batch, {
        url: new URL(`http://127.0.0.1:${port}/telemetry/v1/telemetry`),
        agent,
        stats,
        baseBackoffMs: 1,
        headers: { 'ocp-apim-subscription-key': 'k1' },
      });
      expect(status).toBe(202);
    } finally {
      agent.destroy();
      server.close();
    }
    expect(seen).toEqual(['k1', 'k1']);
    expect(stats).toMatchObject({ status429: 1, status503: 0, retries: 1, acceptedReadings: 1 });
  });
});
