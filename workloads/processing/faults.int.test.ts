/**
 * Processing through a PostgreSQL restart under a steady load, then a Redis restart (issue 10,
 * "Faults"). The restarts hit a PRIVATE PostgreSQL and Redis started for this file, never the
 * engines every test file shares, so tests running in parallel are not disturbed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createTopics, testKafka, uniqueSuffix } from '../../test/e2e/fixtures';
import { eventually, startService } from '../../test/e2e/services';
import type { ServiceHandle } from '../../test/e2e/services';
import { freePort } from '../../scripts/engines/process';
import { startPostgres } from '../../scripts/engines/postgres';
import { startRedis } from '../../scripts/engines/redis';
import type { RunningEngine } from '../../scripts/engines/types';
import type { AnalyzedReading } from '../shared/messages';

jest.setTimeout(300_000);

const suffix = uniqueSuffix();
const TOPIC_ANALYZED = `it-faults-analyzed-${suffix}`;
const TOPIC_ALERTS = `it-faults-alerts-${suffix}`;
/** Readings sent before the steady load. */
const BACKLOG = 40_000;
const DEVICES = Array.from({ length: 12 }, (_, i) => `faults-${suffix}-${i}`);

function reading(i: number): AnalyzedReading {
  const deviceId = DEVICES[i % DEVICES.length];
  const ts = new Date(Date.UTC(2026, 10, 28, 10, 0, 0) + i * 250).toISOString();
  return {
    id: `${deviceId}-${i}`,
    deviceId,
    ts,
    metrics: { temp: 20 + (i % 7) },
    receivedAt: ts,
    features: {},
    score: 0.1,
    anomalous: false,
    analyzedAt: ts,
  };
}

/** Waits for `/readyz` to answer `status`; fails at once, with its log, if the service exited. */
async function readyzBecomes(service: ServiceHandle, status: number, timeoutMs: number) {
  await eventually(
    `/readyz ${status}`,
    async () => {
      if (service.proc.exited) return 'exited';
      return (await readyStatus(service.url)) === status ? 'ok' : undefined;
    },
    timeoutMs,
  ).then((outcome) => {
    if (outcome === 'exited') {
      throw new Error(`${service.name} exited during the outage:\n${service.logs(30)}`);
    }
  });
}

async function readyStatus(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('processing through engine restarts under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'processing-faults-'));
  const kafka = testKafka('processing-faults-it');
  let port: number;
  let redisPort: number;
  let pg: RunningEngine | undefined;
  let redis: RunningEngine | undefined;
  let producer: Producer | undefined;
  let service: ServiceHandle | undefined;
  let pool: Pool | undefined;

  beforeAll(async () => {
    port = await freePort();
    // PostgreSQL runs as its own user when we are root: it must traverse to its data folder.
    chmodSync(dir, 0o711);
    mkdirSync(join(dir, 'pg'), { mode: 0o711 });
    mkdirSync(join(dir, 'redis'));
    redisPort = await freePort();
    [pg, redis] = await Promise.all([
      startPostgres({ dir: join(dir, 'pg'), port }),
      startRedis({ dir: join(dir, 'redis'), port: redisPort }),
    ]);
    await createTopics(kafka, [
      { topic: TOPIC_ANALYZED, partitions: 3 },
      { topic: TOPIC_ALERTS, partitions: 1 },
    ]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await pool?.end();
    await Promise.all([pg?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps running, turns /readyz red then green, and stores every reading exactly once', async () => {
    service = await startService(
      'processing',
      {
        DATABASE_URL: pg!.env.DATABASE_URL,
        DATABASE_POOL_MAX: '4',
        REDIS_URL: redis!.env.REDIS_URL,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
        KAFKA_GROUP_ID: `processing-faults-${suffix}`,
        TOPIC_ANALYZED,
        TOPIC_ALERTS,
      },
      { logDir: dir },
    );
    pool = new Pool({ connectionString: pg!.env.DATABASE_URL, max: 2 });
    // The test's own pool sees the restart too; its idle clients must not crash jest.
    pool.on('error', () => undefined);

    // Under load: a backlog processing is still working through when PostgreSQL goes away
    // (so transactions are open at that moment), then a steady 50 readings every 100 ms.
    let sent = 0;
    let sending = true;
    const send = async (n: number) => {
      const batch = Array.from({ length: n }, (_, k) => reading(sent + k));
      await producer!.send({
        topic: TOPIC_ANALYZED,
        acks: -1,
        messages: batch.map((r) => ({ key: r.deviceId, value: JSON.stringify(r) })),
      });
      sent += batch.length;
    };
    for (let i = 0; i < BACKLOG / 1000; i++) await send(1000);
    const sender = (async () => {
      while (sending) {
        const batch = Array.from({ length: 50 }, (_, k) => reading(sent + k));
        await producer!.send({
          topic: TOPIC_ANALYZED,
          acks: -1,
          messages: batch.map((r) => ({ key: r.deviceId, value: JSON.stringify(r) })),
        });
        sent += batch.length;
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
      await eventually(
        'some readings stored before the restart',
        async () => ((await stored()) >= 1000 ? true : undefined),
        60_000,
        50,
      );

      // Fast shutdown: every open session gets 57P01, as in a restart under load.
      await pg!.stop();
      await readyzBecomes(service!, 503, 60_000);
      // Let processing retry against the missing server for a while.
      await eventually('a few failed batch attempts logged', async () =>
        /postgres unreachable; batch rolled back, retrying/.test(service!.logs(200))
          ? true
          : undefined,
      );
      expect(service!.proc.exited).toBe(false);

      pg = await startPostgres({ dir: join(dir, 'pg'), port });
      await readyzBecomes(service!, 200, 90_000);
    } finally {
      sending = false;
      await sender;
    }

    const total = sent;
    await eventually(
      `all ${total} readings stored`,
      async () => ((await stored()) >= total ? true : undefined),
      120_000,
      500,
    );
    expect(service!.proc.exited).toBe(false);
    // Exactly once: one id row per reading, and the aggregates counted each reading once.
    expect(await stored()).toBe(total);
    const { rows } = await pool!.query<{ n: number }>(
      "SELECT coalesce(sum(count), 0)::int AS n FROM metric_minute WHERE device_id = ANY($1) AND metric = 'temp'",
      [DEVICES],
    );
    expect(rows[0].n).toBe(total);
    expect(service!.logs(2000)).not.toMatch(/uncaught|unhandled/i);
  });

  it('keeps running through a Redis restart: /readyz red then green, readings still stored', async () => {
    const before = await pool!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processed_readings WHERE device_id = ANY($1)',
      [DEVICES],
    );
    await redis!.stop();
    await readyzBecomes(service!, 503, 60_000);
    // Redis is only the cache: readings keep reaching PostgreSQL meanwhile.
    const extra = Array.from({ length: 60 }, (_, k) => reading(1_000_000 + k));
    await producer!.send({
      topic: TOPIC_ANALYZED,
      acks: -1,
      messages: extra.map((r) => ({ key: r.deviceId, value: JSON.stringify(r) })),
    });
    await eventually(
      'readings stored while Redis is down',
      async () => {
        const { rows } = await pool!.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM processed_readings WHERE device_id = ANY($1)',
          [DEVICES],
        );
        return rows[0].n === before.rows[0].n + extra.length ? true : undefined;
      },
      90_000,
      500,
    );
    redis = await startRedis({ dir: join(dir, 'redis'), port: redisPort });
    await readyzBecomes(service!, 200, 90_000);
    expect(service!.proc.exited).toBe(false);
  });
});
