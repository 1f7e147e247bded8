import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { CONTRACT_TOPICS, standInCosmosClient } from '../../scripts/engines';

// Every integration test file shares these engines, so this file only touches names of its
// own (a scratch topic, table, key and database) and leaves the contract's ones untouched.
jest.setTimeout(60_000);

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: is test/engines/global-setup.ts configured?`);
  return v;
}

const runId = randomUUID().slice(0, 8);

describe('the engines started by the global setup', () => {
  it('exports every contract variable, all on loopback', () => {
    expect(env('KAFKA_BROKERS')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env('DATABASE_URL')).toMatch(/^postgres:\/\/iot@127\.0\.0\.1:\d+\/iot$/);
    expect(env('REDIS_URL')).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(env('COSMOS_ENDPOINT')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(env('COSMOS_KEY'), 'base64').length).toBeGreaterThan(0);
  });

  describe('kafka', () => {
    const kafka = new Kafka({
      clientId: `engines-test-${runId}`,
      brokers: env('KAFKA_BROKERS').split(','),
      logLevel: logLevel.WARN,
    });

    it('has the contract topics with their partition counts', async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({
          topics: CONTRACT_TOPICS.map((t) => t.topic),
        });
        const counts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
        expect(counts).toEqual({
          'telemetry.raw': 6,
          'telemetry.analyzed': 6,
          alerts: 3,
          'telemetry.deadletter': 1,
        });
      } finally {
        await admin.disconnect();
      }
    });

    it('delivers a keyed message from an idempotent producer to a consumer group', async () => {
      const topic = `engines-selftest-${runId}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const consumer = kafka.consumer({ groupId: `engines-selftest-${runId}` });
      try {
        await producer.connect();
        const value = JSON.stringify({ deviceId: 'dev-1', at: Date.now() });
        await producer.send({ topic, acks: -1, messages: [{ key: 'dev-1', value }] });

        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const received = await new Promise<{ key: string; value: string }>((resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) =>
              resolve({ key: String(message.key), value: String(message.value) }),
          });
        });
        expect(received).toEqual({ key: 'dev-1', value });
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      }
    });
  });

  describe('postgres', () => {
    it('is PostgreSQL 15+ with `iot` as superuser and round-trips rows', async () => {
      const client = new Client({ connectionString: env('DATABASE_URL') });
      await client.connect();
      try {
        const who = await client.query<{ db: string; usr: string; su: boolean; v: number }>(
          `select current_database() as db, current_user as usr,
                  (select rolsuper from pg_roles where rolname = current_user) as su,
                  current_setting('server_version_num')::int as v`,
        );
        expect(who.rows[0]).toMatchObject({ db: 'iot', usr: 'iot', su: true });
        expect(who.rows[0].v).toBeGreaterThanOrEqual(150000);

        const table = `engines_selftest_${runId}`;
        await client.query(`create table ${table} (id text primary key, v jsonb not null)`);
        await client.query(
          `insert into ${table} values ($1, $2), ($3, $4)
           on conflict (id) do update set v = excluded.v`,
          ['a', { n: 1 }, 'b', { n: 2 }],
        );
        const rows = await client.query(`select id, v from ${table} order by id`);
        expect(rows.rows).toEqual([
          { id: 'a', v: { n: 1 } },
          { id: 'b', v: { n: 2 } },
        ]);
        await client.query(`drop table ${table}`);
      } finally {
        await client.end();
      }
    });
  });

  describe('redis', () => {
    it('is Redis 7 and round-trips a key and a stream entry', async () => {
      const redis = new Redis(env('REDIS_URL'));
      try {
        const info = await redis.info('server');
        expect(info).toMatch(/redis_version:7\./);
        const key = `engines:selftest:${runId}`;
        await redis.set(key, 'hello', 'EX', 60);
        expect(await redis.get(key)).toBe('hello');
        const stream = `${key}:stream`;
        const id = await redis.xadd(stream, '*', 'alert', 'x');
        const entries = await redis.xrange(stream, '-', '+');
        expect(entries).toEqual([[id, ['alert', 'x']]]);
        await redis.del(key, stream);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('cosmos stand-in', () => {
    /** A client and a fresh `readings` container (partition key /deviceId) in database `dbId`. */
    async function readingsContainer(dbId: string) {
      const client = standInCosmosClient(env('COSMOS_ENDPOINT'), env('COSMOS_KEY'));
      const { database } = await client.databases.createIfNotExists({ id: dbId });
      const { container } = await database.containers.createIfNotExists({
        id: 'readings',
        partitionKey: { paths: ['/deviceId'] },
      });
      return { client, database, container };
    }

    it('creates, reads and queries an item through @azure/cosmos over plain HTTP', async () => {
      const { client, database, container } = await readingsContainer(`engines-selftest-${runId}`);
      try {
        const item = { id: 'r-1', deviceId: 'dev-1', metrics: { temp: 21.5 } };
        await container.items.create(item);
        const { resource } = await container.item('r-1', 'dev-1').read<typeof item>();
        expect(resource).toMatchObject(item);
        const { resources } = await container.items
          .query<{ id: string }>({
            query: 'select c.id from c where c.deviceId = @d',
            parameters: [{ name: '@d', value: 'dev-1' }],
          })
          .fetchAll();
        expect(resources).toEqual([{ id: 'r-1' }]);
        await database.delete();
      } finally {
        client.dispose();
      }
    });

    it('keeps connections alive, and answers a minimal bulk write without echoing documents', async () => {
      const endpoint = env('COSMOS_ENDPOINT');
      // keep-alive: the stand-in's answer no longer says `connection: close`
      const meta = await fetch(endpoint);
      expect(meta.headers.get('connection')).toBe('keep-alive');
      const { client, database, container } = await readingsContainer(`engines-minimal-${runId}`);
      try {
        const ops = [
          {
            operationType: 'Upsert' as const,
            resourceBody: { id: 'r-1', deviceId: 'dev-1', v: 1 },
            partitionKey: 'dev-1',
          },
        ];
        const minimal = await container.items.bulk(
          ops,
          { continueOnError: true },
          { contentResponseOnWriteEnabled: false },
        );
        expect(minimal[0].statusCode).toBe(201);
        expect(minimal[0].resourceBody).toBeUndefined();
        const full = await container.items.bulk(ops, { continueOnError: true });
        expect(full[0].statusCode).toBe(200);
        expect(full[0].resourceBody).toMatchObject({ id: 'r-1', v: 1 });
        // the minimal answer still stored the document
        const { resource } = await container.item('r-1', 'dev-1').read();
        expect(resource).toMatchObject({ id: 'r-1', v: 1 });
        await database.delete();
      } finally {
        client.dispose();
      }
    });
  });
});
