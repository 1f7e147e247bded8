import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { Health, healthRouter, startOpsServer } from './health';
import { Metrics } from './metrics';

describe('Health', () => {
  it('is ready when every check passes and reports each dependency', async () => {
    const health = new Health()
      .addCheck('kafka', () => undefined)
      .addCheck('cosmos', async () => {});
    expect(await health.readiness()).toEqual({
      ready: true,
      draining: false,
      checks: { kafka: { ok: true }, cosmos: { ok: true } },
    });
  });

  it('is not ready when a check throws or times out', async () => {
    const health = new Health(50)
      .addCheck('kafka', () => {
        throw new Error('kafka producer is not connected');
      })
      .addCheck('slow', () => new Promise(() => {}));
    const report = await health.readiness();
    expect(report.ready).toBe(false);
    expect(report.checks.kafka).toEqual({ ok: false, error: 'kafka producer is not connected' });
    expect(report.checks.slow).toEqual({ ok: false, error: 'timed out after 50 ms' });
  });

  it('is not ready while draining even with healthy dependencies', async () => {
    const health = new Health().addCheck('kafka', () => undefined);
    health.setDraining();
    expect(await health.readiness()).toMatchObject({ ready: false, draining: true });
  });
});

describe('healthRouter (express)', () => {
  it('serves livez, readyz with 503 when not ready, and Prometheus metrics', async () => {
    const health = new Health().addCheck('redis', () => {
      throw new Error('down');
    });
    const metrics = new Metrics('test');
    metrics.counter('widgets_total', 'widgets').inc(3);
    const app = express().use(healthRouter(health, metrics));
    await request(app).get('/livez').expect(200, { status: 'ok' });
    const ready = await request(app).get('/readyz').expect(503);
    expect(ready.body.checks.redis).toEqual({ ok: false, error: 'down' });
    const m = await request(app).get('/metrics').expect(200);
    expect(m.text).toContain('widgets_total{service="test"} 3');
    expect(m.text).toContain('process_resident_memory_bytes');
  });
});

describe('startOpsServer (node:http)', () => {
  it('serves the same endpoints without express', async () => {
    const health = new Health();
    const server = await startOpsServer({
      health,
      metrics: new Metrics('ops', { collectDefaults: false }),
      port: 0,
      host: '127.0.0.1',
    });
    const { port } = server.address() as AddressInfo;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
    try {
      expect((await get('/livez')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
      health.setDraining();
      const draining = await get('/readyz');
      expect(draining.status).toBe(503);
      expect(JSON.parse(draining.body).draining).toBe(true);
      expect((await get('/metrics')).status).toBe(200);
      expect((await get('/nope')).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
