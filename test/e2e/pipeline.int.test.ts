import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { standInCosmosClient } from '../../scripts/engines/cosmos';
import { readingId } from '../../workloads/shared/ids';
import type { AlertMessage } from '../../workloads/shared/messages';
import { REDIS_KEYS } from '../../workloads/shared/redis';
import { testKafka, uniqueSuffix } from './fixtures';
import { postReadings, startPipeline } from './pipeline';
import type { Pipeline } from './pipeline';
import { eventually } from './services';
import { openSse } from './sse-client';

jest.setTimeout(300_000);

const suffix = uniqueSuffix();
const DEVICES = [0, 1, 2, 3].map((i) => `e2e-${suffix}-${i}`);
const PER_DEVICE = 40;
const logDir = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));

interface Sent {
  deviceId: string;
  ts: string;
  seq: number;
  metrics: Record<string, number>;
}

// Values that are exact in binary floating point, so PostgreSQL's sums equal ours exactly.
function baseline(deviceId: string, i: number, t0: number): Sent {
  return {
    deviceId,
    ts: new Date(t0 + i * 1000).toISOString(),
    seq: i,
    metrics: {
      temperature: 20 + (i % 3),
      humidity: 40 + (i % 5),
      vibration: 0.25 + (i % 2) * 0.25,
    },
  };
}

describe('pipeline: ingest → analysis → processing → web on the real engines', () => {
  let p: Pipeline;
  let pool: Pool;
  let redis: Redis;
  const t0 = Date.now() - 5 * 60_000;
  const sent: Sent[] = DEVICES.flatMap((d) =>
    Array.from({ length: PER_DEVICE }, (_, i) => baseline(d, i, t0)),
  );

  beforeAll(async () => {
    p = await startPipeline({ logDir, redisDb: 12 });
    pool = new Pool({ connectionString: p.databaseUrl, max: 2 });
    redis = new Redis(p.redisUrl);
  });

  afterAll(async () => {
    await redis?.quit();
    await pool?.end();
    await p?.stop();
  });

  it('lands accepted readings in Cosmos, on both topics, as aggregates in PostgreSQL and latest values in Redis', async () => {
    const res = await postReadings(p.ingest.url, sent);
    expect(res).toEqual({
      status: 202,
      body: expect.objectContaining({ accepted: sent.length, rejected: 0 }),
    });
    const ids = new Set(sent.map((r) => readingId(r)));

    // Cosmos, the system of record.
    const container = standInCosmosClient(
      process.env.COSMOS_ENDPOINT as string,
      process.env.COSMOS_KEY,
    )
      .database('iot')
      .container('readings');
    for (const d of DEVICES) {
      const { resources } = await container.items
        .query<{
          id: string;
        }>({
          query: 'SELECT c.id FROM c WHERE c.deviceId = @d',
          parameters: [{ name: '@d', value: d }],
        })
        .fetchAll();
      expect(resources.map((r) => r.id).sort()).toEqual(
        sent
          .filter((r) => r.deviceId === d)
          .map((r) => readingId(r))
          .sort(),
      );
    }

    // Both topics carry every reading, keyed by device.
    const kafka = testKafka('pipeline-e2e-check');
    const consumer = kafka.consumer({ groupId: `e2e-check-${suffix}` });
    const seen = { 'telemetry.raw': new Set<string>(), 'telemetry.analyzed': new Set<string>() };
    await consumer.connect();
    await consumer.subscribe({ topics: Object.keys(seen), fromBeginning: true });
    const wrongKeys: string[] = [];
    await consumer.run({
      // The topics are shared with other suites (dead-letter tests put garbage on them): skip
      // what is not JSON, and never throw here — kafkajs would retry the message forever.
      eachMessage: async ({ topic, message }) => {
        let v: { id?: string; deviceId?: string };
        try {
          v = JSON.parse(message.value?.toString() ?? '{}') as typeof v;
        } catch {
          return;
        }
        if (v.id && ids.has(v.id)) {
          if (message.key?.toString() !== v.deviceId) wrongKeys.push(`${topic}:${v.id}`);
          seen[topic as keyof typeof seen].add(v.id);
        }
      },
    });
    await eventually(
      'every reading on telemetry.raw and telemetry.analyzed',
      async () =>
        seen['telemetry.raw'].size === ids.size && seen['telemetry.analyzed'].size === ids.size
          ? true
          : undefined,
      90_000,
    );
    await consumer.disconnect();
    expect(wrongKeys).toEqual([]);

    // PostgreSQL: per-device totals over all minutes equal what was posted.
    const totals = await eventually(
      'aggregates for every reading',
      async () => {
        const { rows } = await pool.query<{
          device_id: string;
          metric: string;
          n: number;
          sum: number;
          max: number;
        }>(
          `SELECT device_id, metric, sum(count)::int AS n, sum(sum) AS sum, max(max) AS max
             FROM metric_minute WHERE device_id = ANY($1) GROUP BY 1, 2`,
          [DEVICES],
        );
        const n = rows.filter((r) => r.metric === 'temperature').reduce((a, r) => a + r.n, 0);
        return n === sent.length ? rows : undefined;
      },
      60_000,
    );
    for (const d of DEVICES) {
      for (const metric of ['temperature', 'humidity', 'vibration']) {
        const mine = sent.filter((r) => r.deviceId === d).map((r) => r.metrics[metric]);
        expect(totals.find((r) => r.device_id === d && r.metric === metric)).toEqual({
          device_id: d,
          metric,
          n: PER_DEVICE,
          sum: mine.reduce((a, b) => a + b, 0),
          max: Math.max(...mine),
        });
      }
    }

    // Redis: the latest value per device is the last reading posted.
    for (const d of DEVICES) {
      const h = await redis.hgetall(REDIS_KEYS.deviceLatest(d));
      expect(h.readingId).toBe(readingId(baseline(d, PER_DEVICE - 1, t0)));
    }
    const api = (await (await fetch(`${p.web.url}/api/devices`)).json()) as {
      devices: { deviceId: string }[];
    };
    expect(api.devices.map((x) => x.deviceId)).toEqual(expect.arrayContaining(DEVICES));
  });

  it('an injected spike reaches the SSE stream on web, and the alerts API', async () => {
    const stream = await openSse(`${p.web.url}/api/stream`);
    const device = DEVICES[0];
    const spike = {
      deviceId: device,
      ts: new Date(t0 + PER_DEVICE * 1000).toISOString(),
      seq: PER_DEVICE,
      metrics: { temperature: 120, humidity: 41, vibration: 0.25 },
    };
    const posted = await postReadings(p.ingest.url, [spike]);
    const acceptedAt = Date.now();
    expect(posted.status).toBe(202);
    const event = await stream.waitFor(
      (e) => e.event === 'alert' && (JSON.parse(e.data) as AlertMessage).deviceId === device,
      30_000,
    );
    const latencyMs = event.at - acceptedAt;
    const alert = JSON.parse(event.data) as AlertMessage;
    expect(alert).toMatchObject({ deviceId: device, state: 'open', readingId: readingId(spike) });
    expect(event.id).toMatch(/^\d+-\d+$/);
    stream.close();
    process.stdout.write(
      `e2e: 202 → SSE alert in ${latencyMs} ms (${alert.rule} on ${alert.metric})\n`,
    );
    expect(latencyMs).toBeLessThan(10_000);

    const listed = (await (
      await fetch(`${p.web.url}/api/alerts?deviceId=${device}&since=${t0}`)
    ).json()) as { alerts: AlertMessage[] };
    expect(listed.alerts.map((a) => a.alertId)).toContain(alert.alertId);
  });
});
