/**
 * Ingest through a restart of the Cosmos DB stand-in (issue 10, "Faults"), on a PRIVATE
 * stand-in started for this file. During the outage ingest answers 503 with Retry-After and
 * /readyz is red; nothing exits. The stand-in keeps nothing across a restart, so ingest
 * creates its database and container again (COSMOS_CREATE_IF_MISSING, local only) and takes
 * readings again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCosmos, standInCosmosClient } from '../../scripts/engines/cosmos';
import { freePort } from '../../scripts/engines/process';
import type { RunningEngine } from '../../scripts/engines/types';
import { uniqueSuffix } from '../../test/e2e/fixtures';
import { postReadings } from '../../test/e2e/pipeline';
import { eventually, startService } from '../../test/e2e/services';
import type { ServiceHandle } from '../../test/e2e/services';

jest.setTimeout(240_000);

const device = `cosmos-restart-${uniqueSuffix()}`;
const reading = (seq: number) => ({
  deviceId: device,
  seq,
  ts: new Date(Date.UTC(2026, 10, 29, 9, 0, seq)).toISOString(),
  metrics: { temp: 21 },
});

describe('ingest through a Cosmos stand-in restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-faults-'));
  let cosmos: RunningEngine | undefined;
  let service: ServiceHandle | undefined;

  afterAll(async () => {
    await service?.stop();
    await cosmos?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readyz(status: number): Promise<void> {
    const outcome = await eventually(
      `/readyz ${status}`,
      async () => {
        if (service!.proc.exited) return 'exited';
        try {
          const res = await fetch(`${service!.url}/readyz`, { signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          return res.status === status ? 'ok' : undefined;
        } catch {
          return undefined;
        }
      },
      90_000,
    );
    if (outcome === 'exited') throw new Error(`ingest exited:\n${service!.logs(30)}`);
  }

  it('answers 503 while it is down, and takes readings again after it came back empty', async () => {
    const port = await freePort();
    cosmos = await startCosmos({ dir, port });
    service = await startService(
      'ingest',
      {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
        COSMOS_ENDPOINT: cosmos.env.COSMOS_ENDPOINT,
        COSMOS_KEY: cosmos.env.COSMOS_KEY,
        COSMOS_CREATE_IF_MISSING: 'true',
        DEPENDENCY_TIMEOUT_MS: '3000',
      },
      { logDir: dir },
    );
    expect((await postReadings(service.url, [reading(0)])).status).toBe(202);

    await cosmos.stop();
    await readyz(503);
    const res = await fetch(`${service.url}/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([reading(1)]),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    await res.arrayBuffer();

    cosmos = await startCosmos({ dir, port });
    await readyz(200);
    await eventually('a reading accepted again', async () =>
      (await postReadings(service!.url, [reading(2)])).status === 202 ? true : undefined,
    );
    expect(service.proc.exited).toBe(false);
    // It is in the (new) stand-in: the container was created again.
    const client = standInCosmosClient(cosmos.env.COSMOS_ENDPOINT);
    try {
      const { resources } = await client
        .database('iot')
        .container('readings')
        .items.query({
          query: 'SELECT * FROM c WHERE c.deviceId = @d',
          parameters: [{ name: '@d', value: device }],
        })
        .fetchAll();
      expect(resources.map((r: { seq?: number }) => r.seq)).toContain(2);
    } finally {
      client.dispose();
    }
  });
});
