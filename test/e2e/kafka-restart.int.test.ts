/**
 * The pipeline through a Kafka restart (issue 10, "Faults"), on a PRIVATE broker started for
 * this file so other test files never see the outage. A client sends readings at a steady rate
 * and, like a real one, resends a batch answered 503. Nothing may exit; every reading answered
 * 202 is stored exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { startKafka } from '../../scripts/engines/kafka';
import type { RunningEngine } from '../../scripts/engines/types';
import { uniqueSuffix } from './fixtures';
import { postReadings, startPipeline } from './pipeline';
import type { Pipeline } from './pipeline';
import { eventually } from './services';
import type { ServiceHandle } from './services';

jest.setTimeout(420_000);

const suffix = uniqueSuffix();
const DEVICES = Array.from({ length: 8 }, (_, i) => `kafka-restart-${suffix}-${i}`);

async function readyStatus(s: ServiceHandle): Promise<number> {
  try {
    const res = await fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('the pipeline through a Kafka restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-restart-'));
  let kafka: RunningEngine | undefined;
  let pipeline: Pipeline | undefined;
  let pool: Pool | undefined;

  afterAll(async () => {
    await pool?.end();
    await pipeline?.stop();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every service running, readiness red then green, and stores each accepted reading once', async () => {
    kafka = await startKafka({ dir });
    const brokers = { KAFKA_BROKERS: kafka.env.KAFKA_BROKERS };
    pipeline = await startPipeline({
      logDir: join(dir, 'logs'),
      redisDb: 5,
      env: {
        // A Kafka write gives up (503) after 3 s rather than 10 s: the outage shows sooner.
        ingest: { ...brokers, DEPENDENCY_TIMEOUT_MS: '3000' },
        analysis: brokers,
        processing: brokers,
      },
    });
    const services = [pipeline.ingest, pipeline.analysis, pipeline.processing];
    pool = new Pool({ connectionString: pipeline.databaseUrl, max: 2 });

    let accepted = 0;
    let seq = 0;
    const statuses = new Map<number, number>();
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const t0 = Date.UTC(2026, 10, 29, 8, 0, 0);
        const batch = DEVICES.map((deviceId, i) => ({
          deviceId,
          seq,
          ts: new Date(t0 + seq * 1000 + i).toISOString(),
          metrics: { temp: 20 + (seq % 5) },
        }));
        seq++;
        // Resend the same batch until it is accepted, as the API's 503 + Retry-After asks.
        for (;;) {
          let status = 0;
          try {
            status = (await postReadings(pipeline!.ingest.url, batch)).status;
          } catch {
            status = 0;
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 202) {
            accepted += batch.length;
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const stored = async () => {
      const { rows } = await pool!.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM processed_readings WHERE device_id = ANY($1)',
        [DEVICES],
      );
      return rows[0].n;
    };
    try {
      await eventually('readings stored before the restart', async () =>
        (await stored()) >= 40 ? true : undefined,
      );
      await kafka.restart!(async () => {
        // While the broker is down: every service turns red, and ingest refuses readings
        // with 503 (the client resends them). None of them exits.
        await Promise.all(
          services.map((s) =>
            eventually(
              `${s.name} not ready while Kafka is down`,
              async () => {
                if (s.proc.exited) return 'exited';
                return (await readyStatus(s)) === 503 ? 'red' : undefined;
              },
              120_000,
            ).then((outcome) => {
              if (outcome === 'exited') throw new Error(`${s.name} exited:\n${s.logs(30)}`);
            }),
          ),
        );
        await eventually(
          'a 503 from ingest while Kafka is down',
          async () => ((statuses.get(503) ?? 0) > 0 ? true : undefined),
          60_000,
        );
      });
      for (const s of services) {
        await eventually(
          `${s.name} ready after the restart`,
          async () => {
            if (s.proc.exited) return 'exited';
            return (await readyStatus(s)) === 200 ? 'ok' : undefined;
          },
          120_000,
        ).then((outcome) => {
          if (outcome === 'exited') throw new Error(`${s.name} exited:\n${s.logs(30)}`);
        });
      }
      // Readings flow again end to end.
      const after = accepted;
      await eventually(
        'readings accepted and stored after the restart',
        async () => (accepted > after + 40 && (await stored()) > after ? true : undefined),
        120_000,
      );
    } finally {
      sending = false;
      await sender;
    }

    const total = accepted;
    await eventually(
      `all ${total} accepted readings stored`,
      async () => ((await stored()) >= total ? true : undefined),
      120_000,
      500,
    );
    for (const s of services) expect(s.proc.exited).toBe(false);
    expect(await stored()).toBe(total);
    const { rows } = await pool.query<{ n: number }>(
      "SELECT coalesce(sum(count), 0)::int AS n FROM metric_minute WHERE device_id = ANY($1) AND metric = 'temp'",
      [DEVICES],
    );
    expect(rows[0].n).toBe(total);
    // Only 202s and 503s (the outage) were answered.
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503)).toEqual([]);
  });
});
