// The deploy stages' smoke test (scripts/azure/smoke.ts) against the real services on the real
// engines: readings through ingest, a spike, and the alert on web's SSE stream, as the pipeline
// runs it against API Management and the deployed dashboard. Its exit codes on failures are
// unit-tested in test/azure-smoke.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke } from '../../scripts/azure/smoke';
import { startPipeline } from './pipeline';
import type { Pipeline } from './pipeline';

jest.setTimeout(300_000);

describe('smoke test on the local pipeline', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({ logDir: mkdtempSync(join(tmpdir(), 'smoke-e2e-')), redisDb: 13 });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('sees the injected spike as an alert on the dashboard stream', async () => {
    const r = await runSmoke({
      ingestUrl: new URL(p.ingest.url),
      dashboardUrl: new URL(p.web.url),
      timeoutMs: 60_000,
      ingestHeaders: {},
      dashboardHeaders: {},
    });
    expect(r.deviceId).toMatch(/^smoke-[0-9a-f]{12}$/);
    // the spike's own alert, not another device's
    expect(r.alert).toMatchObject({ deviceId: r.deviceId, state: 'open', value: 120 });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(60_000);
  });
});
