import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/** A short random suffix for names that must not collide between test files or runs. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** The contract variables the engines export; throws naming the missing ones. */
export function engineEnv(): {
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  REDIS_URL: string;
  COSMOS_ENDPOINT: string;
  COSMOS_KEY: string;
} {
  const names = [
    'KAFKA_BROKERS',
    'DATABASE_URL',
    'REDIS_URL',
    'COSMOS_ENDPOINT',
    'COSMOS_KEY',
  ] as const;
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length > 0) {
    throw new Error(
      `engine variables not set: ${missing.join(', ')} (run through jest's integration project)`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n] as string])) as ReturnType<
    typeof engineEnv
  >;
}

/**
 * A fresh PostgreSQL database on the engines' server, so a test's tables start empty and its
 * totals are its own. Returns its URL and a drop function.
 */
export async function freshDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(engineEnv().DATABASE_URL);
  const name = `${prefix}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      // A pool's end() resolves before the server has closed every connection: a FORCE drop
      // would terminate one still closing, and its client would emit an error no one listens
      // to any more (seen as "Unhandled error … 57P01" failing a suite). Wait for the test's own
      // connections to go; FORCE only removes what a test leaked.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const { rows } = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        if (rows[0]!.n === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Redis URL of the engines' server with a given logical database (0-15). Each test file that
 * flushes or counts keys takes its own: 8 outbox, 9 processing, 10 web, 11 store, 12 pipeline,
 * 13 dashboard, 14 bench-e2e.
 */
export function redisDb(db: number): string {
  const url = new URL(engineEnv().REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

/** A kafkajs client on the engines' broker, quiet. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: engineEnv().KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Creates topics (waiting for their leaders) and returns their names. */
export async function createTopics(
  kafka: Kafka,
  topics: ReadonlyArray<{ topic: string; partitions: number }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: 1,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
