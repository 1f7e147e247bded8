// The dashboard page's fleet header, in headless Chromium against the web app on stub reads:
// it counts the whole fleet (the API's `fleet`), not the page of tiles the API returns (the
// header once said 500 devices while 790 existed). The full pipeline's browser test is
// test/e2e/dashboard.browser.test.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Response } from 'express';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { Health } from '../shared/health';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { createWebApp } from './app';
import type { DeviceView, DevicesPage, FleetSummary, WebReads } from './queries';
import type { SseHub } from './sse';

jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const device = (deviceId: string, anomalous = false): DeviceView => ({
  deviceId,
  lastSeen: new Date().toISOString(),
  readingId: `r-${deviceId}`,
  metrics: { temperature: 21 },
  score: anomalous ? 9 : 0.1,
  anomalous,
});

describe('dashboard fleet header in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let fleet: FleetSummary | null = null;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: run node scripts/engines/install.mjs (or set CHROMIUM_PATH)`,
      );
    }
    const reads: WebReads = {
      devices: async (): Promise<DevicesPage> => ({
        source: 'redis',
        devices: [device('a', true), device('b'), device('c')],
        fleet,
      }),
      latest: async () => undefined,
      history: async () => new Map(),
      alerts: async () => [],
    };
    const hub = {
      handle: (_req: unknown, res: Response) => {
        res.status(200).set('Content-Type', 'text/event-stream').flushHeaders();
        res.write(': connected\n\n');
      },
    } as unknown as SseHub;
    const app = createWebApp({
      queries: reads,
      hub,
      health: new Health(),
      metrics: new Metrics('web', { collectDefaults: false }),
      logger: createLogger({
        service: 'web',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function header(): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForSelector('[data-testid=device-tile][data-device-id="c"]');
      return (await page.locator('#summary').textContent()) ?? '';
    } finally {
      await page.close();
    }
  }

  it('counts every device of the fleet, and says how many tiles are shown', async () => {
    fleet = { total: 790, alerting: 4, stale: 10, staleAfterMs: 300_000 };
    expect(await header()).toBe('790 devices · 776 ok · 4 alerting · 10 stale · 3 shown');
  });

  it('says it counts only the devices shown when the fleet counts are unavailable', async () => {
    fleet = null;
    expect(await header()).toBe('3 devices shown · 2 ok · 1 alerting · 0 stale');
  });
});
