import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { buildApp } from './app';
import { DependencyUnavailableError, OverloadedError } from './sink';
import type { ReadingSink } from './sink';
import { Health } from '../shared/health';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import type { Reading } from '../shared/messages';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const r = (deviceId: string) => ({ deviceId, ts: '2026-11-27T10:00:00Z', metrics: { t: 1 } });

/** An in-memory sink: records writes, or fails like an unreachable dependency when told to. */
class MemorySink implements ReadingSink {
  written: Reading[] = [];
  failWith: string | undefined;
  overloaded = false;
  async write(readings: readonly Reading[]) {
    if (this.overloaded) throw new OverloadedError(100, 100);
    if (this.failWith) throw new DependencyUnavailableError(this.failWith, 'connect ECONNREFUSED');
    this.written.push(...readings);
  }
}

/** POSTs a gzip-labelled body over a real socket (superagent re-encodes Buffer bodies it thinks are JSON). */
async function postRaw(app: Express, body: Buffer): Promise<globalThis.Response> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    await res.clone().arrayBuffer();
    return res;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function setup(options: { maxBodyBytes?: number; maxItems?: number } = {}) {
  const sink = new MemorySink();
  const health = new Health();
  const metrics = new Metrics('ingest', { collectDefaults: false });
  const logger = createLogger({
    service: 'ingest',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const app = buildApp({ sink, health, metrics, logger, now: () => NOW, ...options });
  return { app, sink, health, metrics };
}

describe('POST /v1/telemetry', () => {
  it('accepts one reading with 202 and writes it with id and receivedAt', async () => {
    const { app, sink } = setup();
    const res = await request(app).post('/v1/telemetry').send(r('a')).expect(202);
    expect(res.body).toEqual({ accepted: 1, rejected: 0 });
    expect(sink.written).toEqual([
      expect.objectContaining({
        deviceId: 'a',
        ts: '2026-11-27T10:00:00.000Z',
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        receivedAt: '2026-11-27T12:00:00.000Z',
      }),
    ]);
  });

  it('accepts the valid part of a mixed NDJSON batch and lists the rejected items', async () => {
    const { app, sink } = setup();
    const body = [JSON.stringify(r('a')), JSON.stringify({ ...r('b'), metrics: {} }), 'oops'].join(
      '\n',
    );
    const res = await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/x-ndjson')
      .send(body)
      .expect(202);
    expect(res.body).toEqual({
      accepted: 1,
      rejected: 2,
      rejectedItems: [
        {
          index: 1,
          line: 2,
          issues: [{ path: '/metrics', reason: 'must have at least 1 metrics' }],
        },
        { index: 2, line: 3, issues: [{ path: '', reason: expect.stringContaining('line 3') }] },
      ],
    });
    expect(sink.written).toHaveLength(1);
  });

  it('answers 400 with every invalid item when nothing is valid, writing nothing', async () => {
    const { app, sink } = setup();
    const res = await request(app)
      .post('/v1/telemetry')
      .send([{ deviceId: 'x' }])
      .expect(400);
    expect(res.body.rejectedItems[0].issues.map((i: { path: string }) => i.path)).toEqual([
      '/ts',
      '/metrics',
    ]);
    expect(sink.written).toHaveLength(0);
  });

  it('answers 400 naming malformed JSON', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/json')
      .send('{"deviceId":')
      .expect(400);
    expect(res.body.error).toMatch(/^malformed JSON/);
  });

  it('answers 415 for a wrong content type', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'text/csv')
      .send('a,b')
      .expect(415);
    expect(res.body.error).toMatch(/unsupported content type "text\/csv"/);
  });

  it('answers 413 for a body over the limit', async () => {
    const { app, sink } = setup({ maxBodyBytes: 1024 });
    const res = await request(app)
      .post('/v1/telemetry')
      .send(Array.from({ length: 30 }, (_, i) => r(`d${i}`)))
      .expect(413);
    expect(res.body.error).toBe('request body exceeds the limit of 1024 bytes; split the batch');
    expect(sink.written).toHaveLength(0);
  });

  it('answers 413 for more readings than allowed per request', async () => {
    const { app } = setup({ maxItems: 2 });
    const res = await request(app)
      .post('/v1/telemetry')
      .send([r('a'), r('b'), r('c')])
      .expect(413);
    expect(res.body.error).toMatch(/at most 2 per request/);
  });

  it('accepts a gzip-encoded body', async () => {
    const { app } = setup();
    const res = await postRaw(app, gzipSync(JSON.stringify([r('a'), r('b')])));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, rejected: 0 });
  });

  it('answers 400, not 5xx, for a corrupt gzip body', async () => {
    const { app } = setup();
    const res = await postRaw(app, Buffer.from('not gzip at all'));
    expect(res.status).toBe(400);
  });

  it('answers 503 with Retry-After and claims nothing when a dependency is down', async () => {
    const { app, sink } = setup();
    sink.failWith = 'cosmos';
    const res = await request(app)
      .post('/v1/telemetry')
      .send([r('a')])
      .expect(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body.error).toMatch(/cosmos is unavailable; nothing was accepted/);
    expect(res.body.accepted).toBeUndefined();
  });

  it('answers 503 with Retry-After at once when the sink is at capacity (admission control)', async () => {
    const { app, sink, metrics } = setup();
    sink.overloaded = true;
    const res = await request(app)
      .post('/v1/telemetry')
      .send([r('a')])
      .expect(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body.error).toMatch(/^ingest is at capacity; nothing was accepted/);
    expect(sink.written).toHaveLength(0);
    expect(await metrics.registry.metrics()).toMatch(
      /ingest_requests_refused_total\{[^}]*reason="overloaded"[^}]*\} 1/,
    );
  });

  it('answers 503 while draining', async () => {
    const { app, health, sink } = setup();
    health.setDraining();
    await request(app).post('/v1/telemetry').send(r('a')).expect(503);
    expect(sink.written).toHaveLength(0);
  });

  it('counts accepted and rejected readings and requests in /metrics', async () => {
    const { app } = setup();
    await request(app)
      .post('/v1/telemetry')
      .send([r('a'), { deviceId: 'b' }])
      .expect(202);
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(text).toContain('ingest_readings_accepted_total{service="ingest"} 1');
    expect(text).toContain('ingest_readings_rejected_total{service="ingest"} 1');
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/v1\/telemetry",status="202",service="ingest"\} 1/,
    );
  });
});

describe('bad URLs and names', () => {
  it.each([
    ['GET', '/v1/telemetry/%ZZ'],
    ['POST', '/v1/%ZZ'],
    ['GET', '/%E0%A4%A'],
    ['POST', '/v1/telemetry%'],
  ])('answers %s %s with a 4xx', async (method, path) => {
    const { app } = setup();
    const res = await request(app)[method === 'GET' ? 'get' : 'post'](path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('accepts a device named constructor with metrics named like Object.prototype members', async () => {
    const { app, sink } = setup();
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const metrics = `{${names.map((m, i) => `"${m}":${i}`).join(',')}}`;
    await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/json')
      .send(`{"deviceId":"constructor","ts":"2026-11-27T10:00:00Z","metrics":${metrics}}`)
      .expect(202);
    expect(sink.written[0].deviceId).toBe('constructor');
    expect(Object.entries(sink.written[0].metrics)).toEqual(names.map((m, i) => [m, i]));
  });
});

// Any body under any content type, over the real express stack: a 202, 4xx or the sink's 503,
// never a 500, and exactly the accepted readings reach the sink.
describe('POST /v1/telemetry: property-based', () => {
  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/x-ndjson',
      'application/ndjson; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/json; charset',
      ';;',
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,30}$/),
  );
  const reading = fc.record({
    deviceId: fc.constantFrom('a', 'constructor', '__proto__', 'bad id', ''),
    ts: fc.constantFrom('2026-11-27T10:00:00Z', 'noon', '2026-11-28T12:00:01Z'),
    metrics: fc.dictionary(
      fc.constantFrom('t', 'toString', '__proto__', 'valueOf', '1x'),
      fc.oneof(fc.double(), fc.constant('1')),
      { maxKeys: 3 },
    ),
  });
  const body = fc.oneof(
    fc.array(reading, { maxLength: 4 }).map((rs) => JSON.stringify(rs)),
    reading.map((x) => JSON.stringify(x)),
    fc.array(reading, { maxLength: 4 }).map((rs) => rs.map((x) => JSON.stringify(x)).join('\n')),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );

  it('answers any body and content type with a 2xx or 4xx, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(contentType, body, async (type, text) => {
        const { app, sink } = setup({ maxItems: 3 });
        const res = await request(app)
          .post('/v1/telemetry')
          .set('content-type', type)
          .send(Buffer.from(text, 'utf8'));
        expect([202, 400, 413, 415]).toContain(res.status);
        expect(typeof res.body).toBe('object');
        expect(sink.written).toHaveLength(res.status === 202 ? res.body.accepted : 0);
      }),
      { numRuns: 300 },
    );
  }, 60_000); // 300 requests in process: seconds on a busy machine, over jest's 5 s default
});
