import { Writable } from 'node:stream';
import type { Response } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { Health } from '../shared/health';
import { createLogger } from '../shared/logger';
import type { AlertMessage } from '../shared/messages';
import { Metrics } from '../shared/metrics';
import { createWebApp } from './app';
import type { DevicesPage, HistoryPoint, WebReads } from './queries';
import type { SseHub } from './sse';

// The app on stub reads: what the HTTP layer does with parameters, names and errors, without
// engines. The reads themselves are tested on PostgreSQL and Redis in app.int.test.ts.

/** Names that collide with what every plain JavaScript object inherits. */
const OBJECT_INTERNALS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
];

const point = (minute: string, last: number): HistoryPoint => ({
  minute,
  count: 1,
  mean: last,
  min: last,
  max: last,
  last,
  std: 0,
});

class StubReads implements WebReads {
  calls: string[] = [];
  async devices(limit: number): Promise<DevicesPage> {
    this.calls.push(`devices ${limit}`);
    return {
      source: 'redis',
      devices: [
        {
          deviceId: 'constructor',
          lastSeen: '2026-11-27T10:00:00.000Z',
          readingId: 'r',
          metrics: Object.fromEntries(OBJECT_INTERNALS.map((m, i) => [m, i])),
          score: 0,
          anomalous: false,
        },
      ],
      fleet: { total: 790, alerting: 3, stale: 7, staleAfterMs: 300_000 },
    };
  }
  async latest(deviceId: string) {
    this.calls.push(`latest ${deviceId}`);
    return undefined;
  }
  async history(deviceId: string) {
    this.calls.push(`history ${deviceId}`);
    return new Map<string, HistoryPoint[]>(
      OBJECT_INTERNALS.map((m, i) => [m, [point('2026-11-27T10:00:00.000Z', i)]]),
    );
  }
  async alerts(): Promise<AlertMessage[]> {
    this.calls.push('alerts');
    return [];
  }
}

function setup() {
  const reads = new StubReads();
  const lines: string[] = [];
  const app = createWebApp({
    queries: reads,
    // The stream is SseHub's (tested on Redis); here it only has to answer.
    hub: { handle: (_req: unknown, res: Response) => res.status(204).end() } as unknown as SseHub,
    health: new Health(),
    metrics: new Metrics('web', { collectDefaults: false }),
    logger: createLogger({
      service: 'web',
      destination: new Writable({
        write: (c, _e, cb) => {
          lines.push(String(c));
          cb();
        },
      }),
    }),
  });
  return { app, reads, lines };
}

describe('web app: bad input is a 4xx', () => {
  it.each([
    '/api/devices/%ZZ/latest',
    '/api/devices/%E0%A4%A/history',
    '/api/devices/%/latest',
    '/api/devices/pump-%C0%AF/latest',
  ])('answers 400 naming the encoding for %s', async (path) => {
    const { app, reads, lines } = setup();
    const res = await request(app).get(path);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^malformed percent-encoding in the URL: Failed to decode/);
    expect(reads.calls).toEqual([]);
    expect(lines.join('')).not.toMatch(/request failed/);
  });

  it('answers a malformed path outside the API with a 4xx', async () => {
    const { app } = setup();
    const res = await request(app).get('/%ZZ');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('still answers 500 for a failure of its own, without leaking it', async () => {
    const { app, reads } = setup();
    reads.alerts = async () => {
      throw new TypeError('x is not a function');
    };
    const res = await request(app).get('/api/alerts');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal error' });
  });
});

describe('web app: names that collide with object internals', () => {
  it('serves history whose metrics are named like Object.prototype members as plain keys', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/devices/constructor/history').expect(200);
    expect(res.body.deviceId).toBe('constructor');
    // JSON.parse defines own properties, so __proto__ comes back as a key like any other.
    const series = JSON.parse(res.text).series as Record<string, HistoryPoint[]>;
    expect(Object.keys(series).sort()).toEqual([...OBJECT_INTERNALS].sort());
    OBJECT_INTERNALS.forEach((m, i) => expect(series[m]).toEqual([point(series[m][0].minute, i)]));
  });

  it('serves a device named constructor whose metrics are named __proto__ and toString', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/devices').expect(200);
    const body = JSON.parse(res.text);
    expect(body.devices[0].deviceId).toBe('constructor');
    expect(Object.keys(body.devices[0].metrics)).toEqual(OBJECT_INTERNALS);
  });

  it('answers 404 for a device id named like an object member, not 500', async () => {
    const { app } = setup();
    for (const id of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      await request(app).get(`/api/devices/${id}/latest`).expect(404);
    }
  });
});

describe('web app: the fleet', () => {
  it('answers the fleet-wide counts beside one page of devices', async () => {
    const { app, reads } = setup();
    const res = await request(app).get('/api/devices').expect(200);
    expect(res.body).toMatchObject({
      source: 'redis',
      count: 1,
      fleet: { total: 790, alerting: 3, stale: 7 },
    });
    expect(reads.calls).toEqual(['devices 500']);
  });
});

// Any path under /api and any query string: the answer is a 2xx or 4xx, never a 5xx, and bad
// input never reaches the reads. Stub reads always succeed, so a 5xx can only come from the
// HTTP layer's own handling of the input.
describe('web app: property-based', () => {
  const segment = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
    fc.constantFrom(...OBJECT_INTERNALS, 'pump-1', '%', '%ZZ', '%E0%A4%A', '%00', '..', '%2F'),
    fc.stringMatching(/^[A-Za-z0-9._:%-]{1,16}$/),
  );
  const queryValue = fc.oneof(
    fc.string({ maxLength: 24 }).map(encodeURIComponent),
    fc.constantFrom('%ZZ', '%', '1e3', '-1', '0', '5001', '2026-11-27T10:00:00Z', ''),
    fc.integer().map(String),
    fc.date({ noInvalidDate: true }).map((d) => encodeURIComponent(d.toISOString())),
  );
  const queryName = fc.constantFrom(
    'limit',
    'from',
    'to',
    'since',
    'deviceId',
    '__proto__',
    'constructor',
    'limit[]',
    '%ZZ',
  );
  const query = fc
    .array(fc.tuple(queryName, queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
  const route = fc.oneof(
    segment.map((id) => `/api/devices/${id}/latest`),
    segment.map((id) => `/api/devices/${id}/history`),
    fc.constant('/api/devices'),
    fc.constant('/api/alerts'),
    fc.constant('/api/stream'),
    fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/api/${s.join('/')}`),
  );

  it('answers any path and query with a 2xx or 4xx', async () => {
    const { app } = setup();
    await fc.assert(
      fc.asyncProperty(route, query, async (path, q) => {
        const res = await request(app).get(path + q);
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
        expect(res.body).toEqual(expect.any(Object));
      }),
      { numRuns: 300 },
    );
  }, 60_000); // 300 requests in process: seconds on a busy machine, over jest's 5 s default
});
