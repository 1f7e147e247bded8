/**
 * Web through a Redis restart and a PostgreSQL restart (issue 10, "Faults"), on PRIVATE
 * engines started for this file, so the restarts never disturb test files running in parallel.
 * Web keeps answering: 200 (Redis down: from PostgreSQL) or 503 with a clear body (PostgreSQL
 * down), never a 500 and never an exit; /readyz turns red during each outage, green after.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { freePort } from '../../scripts/engines/process';
import { startPostgres } from '../../scripts/engines/postgres';
import { startRedis } from '../../scripts/engines/redis';
import type { RunningEngine } from '../../scripts/engines/types';
import { eventually, startService } from '../../test/e2e/services';
import type { ServiceHandle } from '../../test/e2e/services';
import { migrate } from '../processing/migrate';

jest.setTimeout(300_000);

const DEVICES = ['web-faults-a', 'web-faults-b', 'web-faults-c'];

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function get(url: string): Promise<Answer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: (err as Error).message };
  }
}

describe('web through engine restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-faults-'));
  let pgPort: number;
  let redisPort: number;
  let pg: RunningEngine | undefined;
  let redis: RunningEngine | undefined;
  let service: ServiceHandle | undefined;
  /** Every answer web gave while the engines restarted. */
  const answers: Answer[] = [];
  let polling = false;
  let poller: Promise<void> | undefined;

  beforeAll(async () => {
    chmodSync(dir, 0o711);
    mkdirSync(join(dir, 'pg'), { mode: 0o711 });
    mkdirSync(join(dir, 'redis'));
    pgPort = await freePort();
    redisPort = await freePort();
    [pg, redis] = await Promise.all([
      startPostgres({ dir: join(dir, 'pg'), port: pgPort }),
      startRedis({ dir: join(dir, 'redis'), port: redisPort }),
    ]);
    const pool = new Pool({ connectionString: pg.env.DATABASE_URL, max: 1 });
    try {
      await migrate(pool);
      await pool.query(
        `INSERT INTO devices (device_id, last_ts, reading_id, metrics, score, anomalous)
         SELECT d, now(), d || '-1', '{"temp": 21}'::jsonb, 0.1, false FROM unnest($1::text[]) AS d`,
        [DEVICES],
      );
    } finally {
      await pool.end();
    }
    service = await startService(
      'web',
      { DATABASE_URL: pg.env.DATABASE_URL, REDIS_URL: redis.env.REDIS_URL },
      { logDir: dir },
    );
    // A steady trickle of API reads through both outages.
    polling = true;
    poller = (async () => {
      while (polling) {
        answers.push(await get(`${service!.url}/api/devices/${DEVICES[0]}/latest`));
        answers.push(await get(`${service!.url}/api/devices?limit=10`));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  });

  afterAll(async () => {
    polling = false;
    await poller;
    await service?.stop();
    await Promise.all([pg?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function readyz(status: number, timeoutMs: number): Promise<void> {
    const outcome = await eventually(
      `/readyz ${status}`,
      async () => {
        if (service!.proc.exited) return 'exited';
        return (await get(`${service!.url}/readyz`)).status === status ? 'ok' : undefined;
      },
      timeoutMs,
    );
    if (outcome === 'exited') throw new Error(`web exited:\n${service!.logs(30)}`);
  }

  function expectNoFailures(): void {
    expect(service!.proc.exited).toBe(false);
    const bad = answers.filter(
      (a) => a.status !== 200 && !(a.status === 503 && /unavailable/.test(a.body)),
    );
    expect(bad).toEqual([]);
  }

  it('serves from PostgreSQL while Redis restarts, and the cache comes back', async () => {
    const before = answers.length;
    await redis!.stop();
    await readyz(503, 60_000);
    // Reads keep working meanwhile: latest values come from PostgreSQL.
    const during = await get(`${service!.url}/api/devices/${DEVICES[0]}/latest`);
    expect(during.status).toBe(200);
    expect(JSON.parse(during.body)).toMatchObject({ deviceId: DEVICES[0], source: 'postgres' });

    redis = await startRedis({ dir: join(dir, 'redis'), port: redisPort });
    await readyz(200, 60_000);
    await eventually(
      'answers after the restart',
      async () => (answers.length > before + 10 ? true : undefined),
      60_000,
    );
    const devices = JSON.parse((await get(`${service!.url}/api/devices?limit=10`)).body);
    expect(devices.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(DEVICES);
    expectNoFailures();
  });

  it('answers 503 with a clear body while PostgreSQL restarts, then 200 again', async () => {
    await pg!.stop();
    await readyz(503, 60_000);
    // History is PostgreSQL's alone: a clear 503 with Retry-After, not a 500.
    const res = await fetch(`${service!.url}/api/devices/${DEVICES[0]}/history`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: 'a dependency is unavailable' });
    pg = await startPostgres({ dir: join(dir, 'pg'), port: pgPort });
    await readyz(200, 90_000);
    await eventually(
      'a device list from PostgreSQL again',
      async () => {
        const a = await get(`${service!.url}/api/devices?limit=10`);
        return a.status === 200 && JSON.parse(a.body).fleet !== null ? true : undefined;
      },
      60_000,
    );
    expectNoFailures();
  });
});
