import { Writable } from 'node:stream';
import type { Response } from 'express';
import request from 'supertest';
import { Health } from '../shared/health';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { createWebApp } from './app';
import type { WebReads } from './queries';
import type { SseHub } from './sse';

// What web answers when a read fails because PostgreSQL or Redis went away mid-request
// (issue 10, "Faults"): a 503 with Retry-After and a clear body, never a 500.

function appFailingWith(error: unknown) {
  const fail = async (): Promise<never> => {
    throw error;
  };
  const reads: WebReads = { devices: fail, latest: fail, history: fail, alerts: fail };
  return createWebApp({
    queries: reads,
    hub: { handle: (_req: unknown, res: Response) => res.status(204).end() } as unknown as SseHub,
    health: new Health(),
    metrics: new Metrics('web', { collectDefaults: false }),
    logger: createLogger({
      service: 'web',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
  });
}

describe('web app: a dependency that went away is a 503', () => {
  it.each([
    ['pg: a connection ended mid-query (no code)', new Error('Connection terminated unexpectedly')],
    [
      'pg: admin shutdown during a restart',
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      }),
    ],
    [
      'ioredis: out of retries (no code)',
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['ioredis: closed connection (no code)', new Error('Connection is closed.')],
  ])('%s', async (_what, error) => {
    for (const path of ['/api/devices', '/api/devices/d1/latest', '/api/alerts']) {
      const res = await request(appFailingWith(error)).get(path);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({ error: 'a dependency is unavailable' });
    }
  });

  it('keeps a 500 for its own bugs', async () => {
    const res = await request(appFailingWith(new TypeError('x is not a function'))).get(
      '/api/alerts',
    );
    expect(res.status).toBe(500);
  });
});
