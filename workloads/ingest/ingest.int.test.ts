import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Container, CosmosClient } from '@azure/cosmos';
import request from 'supertest';
import { buildApp } from './app';
import { CosmosKafkaSink } from './sink';
import type { WriteOrder } from './sink';
import { createCosmosClient, openContainer } from '../shared/cosmos';
import { Health } from '../shared/health';
import { KafkaProducer, createKafka } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { Reading } from '../shared/messages';
import { Metrics } from '../shared/metrics';
import { TopicCollector, silentLogger, testKafkaSettings } from '../shared/testing';

jest.setTimeout(90_000);

const logger = silentLogger();
let cosmos: CosmosClient;
let container: Container;
let producer: KafkaProducer;
let collector: TopicCollector;

function appWith(sinkContainer: Container, timeoutMs = 10_000, order: WriteOrder = 'parallel') {
  return buildApp({
    sink: new CosmosKafkaSink({ container: sinkContainer, producer, timeoutMs, order }),
    health: new Health(),
    metrics: new Metrics('ingest', { collectDefaults: false }),
    logger,
    retryAfterSeconds: 3,
  });
}

/** A loopback port with nothing listening: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function cosmosDocsOf(deviceId: string): Promise<Reading[]> {
  const { resources } = await container.items
    .query<Reading>({
      query: 'SELECT * FROM c WHERE c.deviceId = @d',
      parameters: [{ name: '@d', value: deviceId }],
    })
    .fetchAll();
  return resources;
}

beforeAll(async () => {
  cosmos = createCosmosClient({
    endpoint: process.env.COSMOS_ENDPOINT!,
    key: process.env.COSMOS_KEY,
  });
  container = await openContainer(cosmos, {
    database: 'iot',
    container: 'readings',
    createIfMissing: true,
  });
  const settings = testKafkaSettings('ingest-test');
  producer = await KafkaProducer.connect(createKafka(settings, logger), settings);
  collector = await new TopicCollector([TOPICS.raw]).start();
});

afterAll(async () => {
  await collector?.stop();
  await producer?.disconnect();
  cosmos?.dispose();
});

describe('ingest against Cosmos and Kafka', () => {
  it('stores accepted readings in Cosmos and publishes them to telemetry.raw keyed by deviceId', async () => {
    const device = `it-${randomUUID()}`;
    const body = Array.from({ length: 25 }, (_, i) => ({
      deviceId: device,
      ts: new Date(Date.now() - (25 - i) * 1000).toISOString(),
      seq: i,
      metrics: { temperature: 20 + i / 10, humidity: 40 },
    }));
    const res = await request(appWith(container)).post('/v1/telemetry').send(body).expect(202);
    expect(res.body).toEqual({ accepted: 25, rejected: 0 });

    const docs = await cosmosDocsOf(device);
    expect(docs).toHaveLength(25);
    expect(docs.every((d) => /^[0-9a-f]{32}$/.test(d.id) && d.receivedAt)).toBe(true);

    await collector.waitFor(
      () => collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device).length >= 25,
    );
    const onTopic = collector.messages.filter(
      (m) => m.topic === TOPICS.raw && m.value?.toString().includes(device),
    );
    expect(onTopic.every((m) => m.key === device)).toBe(true);
    // One device → one partition → the device's order is kept.
    expect(new Set(onTopic.map((m) => m.partition)).size).toBe(1);
    const seqs = onTopic.map((m) => (JSON.parse(m.value!.toString()) as Reading).seq);
    expect(seqs).toEqual(body.map((b) => b.seq));
    expect(new Set(docs.map((d) => d.id))).toEqual(
      new Set(onTopic.map((m) => (JSON.parse(m.value!.toString()) as Reading).id)),
    );
  });

  it('is idempotent in Cosmos when a request is replayed', async () => {
    const device = `it-${randomUUID()}`;
    const body = [0, 1, 2].map((seq) => ({
      deviceId: device,
      ts: '2026-11-27T10:00:00Z',
      seq,
      metrics: { vibration: 0.1 },
    }));
    const app = appWith(container);
    await request(app).post('/v1/telemetry').send(body).expect(202);
    await request(app).post('/v1/telemetry').send(body).expect(202);
    const ndjson = body
      .map((b) => JSON.stringify({ ...b, ts: '2026-11-27T11:00:00+01:00' }))
      .join('\n');
    await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/x-ndjson')
      .send(ndjson)
      .expect(202);
    const docs = await cosmosDocsOf(device);
    expect(docs).toHaveLength(3);
  });

  it('cosmos-then-kafka: answers 503 with Retry-After and publishes nothing when Cosmos is unreachable', async () => {
    const device = `it-${randomUUID()}`;
    const deadCosmos = createCosmosClient({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      key: process.env.COSMOS_KEY,
    });
    const dead = deadCosmos.database('iot').container('readings');
    const lost = { deviceId: device, ts: new Date().toISOString(), seq: 1, metrics: { t: 1 } };
    const started = Date.now();
    const res = await request(appWith(dead, 3000, 'cosmos-then-kafka'))
      .post('/v1/telemetry')
      .send(lost)
      .expect(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body.error).toMatch(/^cosmos is unavailable; nothing was accepted/);
    expect(res.body.accepted).toBeUndefined();
    deadCosmos.dispose();

    // A sentinel for the same device lands on the same partition after anything published for
    // the failed request, so once it is seen, the failed reading would have been seen too.
    const sentinel = { ...lost, seq: 2 };
    await request(appWith(container)).post('/v1/telemetry').send(sentinel).expect(202);
    await collector.waitFor(
      () =>
        collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device && v.seq === 2)
          .length === 1,
    );
    expect(
      collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device && v.seq === 1),
    ).toEqual([]);
    expect((await cosmosDocsOf(device)).map((d) => d.seq)).toEqual([2]);
  });

  it('parallel: a Cosmos failure answers 503; the retry stores the reading once in Cosmos, with the id already on the stream', async () => {
    const device = `it-${randomUUID()}`;
    const deadCosmos = createCosmosClient({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      key: process.env.COSMOS_KEY,
    });
    const reading = { deviceId: device, ts: new Date().toISOString(), seq: 1, metrics: { t: 1 } };
    const dead = deadCosmos.database('iot').container('readings');
    const res = await request(appWith(dead, 3000, 'parallel'))
      .post('/v1/telemetry')
      .send(reading)
      .expect(503);
    expect(res.body.error).toMatch(/^cosmos is unavailable; nothing was accepted/);
    deadCosmos.dispose();
    // Kafka took it while Cosmos failed (the stream may hold a reading a failed request sent);
    // the client's retry makes Cosmos hold it too, once, under the same id.
    await collector.waitFor(
      () => collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device).length === 1,
    );
    await request(appWith(container)).post('/v1/telemetry').send(reading).expect(202);
    await collector.waitFor(
      () => collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device).length === 2,
    );
    const onStream = new Set(
      collector.values<Reading>(TOPICS.raw, (v) => v.deviceId === device).map((v) => v.id),
    );
    const docs = await cosmosDocsOf(device);
    expect(docs).toHaveLength(1);
    expect(onStream).toEqual(new Set([docs[0].id]));
  });

  it('answers 503 when Kafka is unavailable, claiming nothing', async () => {
    const settings = testKafkaSettings('ingest-test-down');
    const doomed = await KafkaProducer.connect(createKafka(settings, logger), settings);
    await doomed.disconnect();
    const app = buildApp({
      sink: new CosmosKafkaSink({ container, producer: doomed, timeoutMs: 3000 }),
      health: new Health(),
      metrics: new Metrics('ingest', { collectDefaults: false }),
      logger,
    });
    const res = await request(app)
      .post('/v1/telemetry')
      .send({ deviceId: `it-${randomUUID()}`, ts: new Date().toISOString(), metrics: { t: 1 } })
      .expect(503);
    expect(res.body.error).toMatch(/^kafka is unavailable/);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('answers 4xx for each kind of bad payload and writes nothing for them', async () => {
    const device = `it-${randomUUID()}`;
    const app = appWith(container);
    await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'text/plain')
      .send('x')
      .expect(415);
    await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/json')
      .send('{"deviceId":')
      .expect(400);
    await request(app)
      .post('/v1/telemetry')
      .send([{ deviceId: device, ts: 'yesterday', metrics: { t: 1 } }])
      .expect(400);
    await request(app)
      .post('/v1/telemetry')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          deviceId: device,
          ts: new Date().toISOString(),
          metrics: { t: 'x'.repeat(1_100_000) },
        }),
      )
      .expect(413);
    expect(await cosmosDocsOf(device)).toEqual([]);
  });
});
