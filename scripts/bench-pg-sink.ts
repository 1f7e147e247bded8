/**
 * processing's PostgreSQL sink vs `COPY` of the same rows.
 *
 *   npm run bench -- pg-sink
 *   npx tsx scripts/bench-pg-sink.ts [--readings 30000] [--devices 1000] [--batch 1000] [--rounds 3]
 *   ENGINES=external npx tsx scripts/bench-pg-sink.ts     # PostgreSQL from DATABASE_URL
 *
 * The sink is `ProcessingStore.apply` as processing runs it: `telemetry.analyzed` batches of
 * `--batch` messages per partition (6 partitions, one after the other on one connection), each
 * in one transaction with its Kafka offset: dedupe of reading ids, the per-minute aggregates, the
 * devices' latest values (ADR 0021: one statement per batch). It is measured with each write
 * method (`json`: the rows as JSON parameters; `copy`: COPY into a temporary staging table) into
 * a fresh database (the schema as migrated, partitions' fillfactor included). The baseline writes
 * the same end state — every reading id, every aggregate row and every device row the sink left —
 * with plain `COPY … FROM STDIN` (text format) into another fresh database, one transaction per
 * batch with its offset update, like the sink; its rows are prepared before the clock starts
 * (the sink parses and folds messages on the clock). Its reading ids go into the sink's own
 * partitioned `processed_readings`; its aggregate and device rows into unpartitioned copies of
 * `metric_minute` and `devices` without the `last_ts` index, so if anything the baseline is
 * faster than COPY into the sink's own tables would be. Durability settings are the engine's, the
 * same for both. Ratio = sink rows/s ÷ COPY rows/s (= COPY time ÷ sink time). Rounds alternate
 * baseline and sinks so a load change hits all of them.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { fmt, loadAverage, ratio, result } from './bench-lib';
import { startEngines } from './engines';
import type { Engines } from './engines';
import { freshDatabase } from '../test/e2e/fixtures';
import { readingId } from '../workloads/shared/ids';
import type { AnalyzedReading } from '../workloads/shared/messages';
import { migrate } from '../workloads/processing/migrate';
import { aggregateReadings, latestPerDevice } from '../workloads/processing/aggregate';
import { MINUTE_COPY_COLUMNS, ProcessingStore, minuteCopyRow } from '../workloads/processing/store';
import type { PartitionBatch, WriteMethod } from '../workloads/processing/store';
import { copyInto } from '../workloads/processing/copy';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '30000' },
    devices: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const READINGS = Number(args.readings);
const DEVICES = Number(args.devices);
const BATCH = Number(args.batch);
const ROUNDS = Number(args.rounds);
const PARTITIONS = 6;
const TOPIC = 'telemetry.analyzed';

/** Analyzed readings as analysis publishes them: 3 metrics, one per device per second. */
function generate(): AnalyzedReading[] {
  const start = Date.now() - (READINGS / DEVICES) * 1000 - 60_000;
  const out: AnalyzedReading[] = [];
  for (let i = 0; i < READINGS; i++) {
    const device = `dev-${String(i % DEVICES).padStart(5, '0')}`;
    const seq = Math.floor(i / DEVICES);
    const ts = new Date(start + seq * 1000).toISOString();
    const metrics = {
      temperature: 21 + Math.sin(i) * 3,
      humidity: 45 + Math.cos(i) * 5,
      vibration: 0.4 + (i % 7) / 100,
    };
    const features = Object.fromEntries(
      Object.entries(metrics).map(([k, v]) => [
        k,
        { mean: v, std: 1, z: 0.1, ewma: v, n: seq + 1 },
      ]),
    );
    out.push({
      id: readingId({ deviceId: device, ts, seq }),
      deviceId: device,
      ts,
      seq,
      metrics,
      receivedAt: ts,
      features,
      score: 0.1,
      anomalous: false,
      analyzedAt: ts,
    } as AnalyzedReading);
  }
  return out;
}

/** Kafka-like batches: readings keyed by device over 6 partitions, `BATCH` messages each. */
function batches(readings: readonly AnalyzedReading[]): PartitionBatch[] {
  const perPartition: AnalyzedReading[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const r of readings) perPartition[Number(r.deviceId.slice(4)) % PARTITIONS].push(r);
  const out: PartitionBatch[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const msgs = perPartition[p].map((r, i) => ({
      offset: String(i),
      key: r.deviceId,
      value: Buffer.from(JSON.stringify(r)),
    }));
    for (let i = 0; i < msgs.length; i += BATCH)
      out.push({ topic: TOPIC, partition: p, messages: msgs.slice(i, i + BATCH) });
  }
  // Interleave partitions, as a consumer sees them.
  return out.sort((a, b) => Number(a.messages[0].offset) - Number(b.messages[0].offset));
}

async function withDatabase<T>(run: (pool: Pool) => Promise<T>): Promise<T> {
  const db = await freshDatabase('benchpg');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    await migrate(pool);
    return await run(pool);
  } finally {
    await pool.end();
    await db.drop();
  }
}

async function sink(method: WriteMethod, work: readonly PartitionBatch[]) {
  return withDatabase(async (pool) => {
    const store = new ProcessingStore(pool, {
      groupId: 'bench',
      topics: { [TOPIC]: 'analyzed' },
      writeMethod: method,
    });
    const t = performance.now();
    let readings = 0;
    for (const b of work) readings += (await store.apply(b)).newReadings;
    const seconds = (performance.now() - t) / 1000;
    const { rows } = await pool.query<{ n: string }>(
      'SELECT sum(count)::text AS n FROM metric_minute WHERE metric = $1',
      ['temperature'],
    );
    if (Number(rows[0].n) !== READINGS || readings !== READINGS)
      throw new Error(`sink ${method} stored ${readings} readings, aggregates count ${rows[0].n}`);
    return { seconds, readings };
  });
}

/**
 * The baseline: the very rows the sink writes — every batch's reading ids, aggregate rows and
 * device rows — with plain COPY, one transaction per batch with its offset update, into tables
 * of the same columns and primary keys (the aggregate and device tables' keys also carry the
 * batch number, since COPY does not resolve conflicts: the sink's upserts do that work).
 */
async function copyBaseline(work: readonly PartitionBatch[]) {
  const perBatch = work.map((b) => {
    const readings = b.messages.map((m) => JSON.parse(String(m.value)) as AnalyzedReading);
    return {
      b,
      readings,
      aggregates: aggregateReadings(readings),
      latest: latestPerDevice(readings),
    };
  });
  return withDatabase(async (pool) => {
    await pool.query(`
      CREATE TABLE bench_minute (LIKE metric_minute INCLUDING DEFAULTS, batch integer NOT NULL,
        PRIMARY KEY (device_id, metric, minute, batch));
      CREATE TABLE bench_devices (LIKE devices INCLUDING DEFAULTS, batch integer NOT NULL,
        PRIMARY KEY (device_id, batch));
      INSERT INTO kafka_offsets (group_id, topic, partition, next_offset)
        SELECT 'bench', '${TOPIC}', p, 0 FROM generate_series(0, ${PARTITIONS - 1}) p;`);
    const client = await pool.connect();
    try {
      let rows = 0;
      const t = performance.now();
      for (const [n, { b, readings, aggregates, latest }] of perBatch.entries()) {
        await client.query('BEGIN');
        await copyInto(
          client,
          'processed_readings',
          ['reading_id', 'ts', 'device_id'],
          readings.map((r) => [r.id, r.ts, r.deviceId]),
        );
        await copyInto(
          client,
          'bench_minute',
          [...MINUTE_COPY_COLUMNS, 'batch'],
          aggregates.map((a) => [...minuteCopyRow(a), n]),
        );
        await copyInto(
          client,
          'bench_devices',
          ['device_id', 'last_ts', 'reading_id', 'metrics', 'score', 'anomalous', 'batch'],
          latest.map((d) => [d.deviceId, d.ts, d.readingId, d.metrics, d.score, d.anomalous, n]),
        );
        await client.query(
          'UPDATE kafka_offsets SET next_offset = $3 WHERE group_id = $1 AND topic = $4 AND partition = $2',
          ['bench', b.partition, Number(b.messages[b.messages.length - 1].offset) + 1, TOPIC],
        );
        await client.query('COMMIT');
        rows += readings.length + aggregates.length + latest.length;
      }
      return { seconds: (performance.now() - t) / 1000, rows };
    } finally {
      client.release();
    }
  });
}

async function main(): Promise<void> {
  let engines: Engines | undefined;
  if (process.env.ENGINES !== 'external') {
    engines = await startEngines({ log: (m) => console.log(`engines: ${m}`) });
    Object.assign(process.env, engines.env);
  }
  try {
    const readings = generate();
    const work = batches(readings);
    console.log(
      `pg-sink: ${fmt(READINGS)} analyzed readings, ${DEVICES} devices, ${work.length} batches of ≤ ${BATCH} over ${PARTITIONS} partitions, ${ROUNDS} rounds · load ${loadAverage()}`,
    );
    const best: Record<string, number> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      const base = await copyBaseline(work);
      const rate = base.rows / base.seconds;
      best.baseline = Math.max(best.baseline ?? 0, rate);
      console.log(
        `round ${round} COPY baseline: ${fmt(base.rows)} rows in ${base.seconds.toFixed(2)} s = ${fmt(rate)} rows/s (${fmt(READINGS / base.seconds)} readings/s) · load ${loadAverage()}`,
      );
      for (const method of ['json', 'copy'] as const) {
        const s = await sink(method, work);
        const r = base.rows / s.seconds;
        best[method] = Math.max(best[method] ?? 0, r);
        console.log(
          `round ${round} sink (${method}): the same ${fmt(base.rows)} rows in ${s.seconds.toFixed(2)} s = ${fmt(r)} rows/s (${fmt(READINGS / s.seconds)} readings/s), ${ratio(r, rate)} of this round's COPY · load ${loadAverage()}`,
        );
      }
    }
    for (const method of ['json', 'copy'] as const) {
      result(
        'pg-sink',
        `processing sink (${method}), best of ${ROUNDS}`,
        `${fmt(best[method])} rows/s`,
        {
          baseline: `COPY of the same rows ${fmt(best.baseline)} rows/s`,
          ratio: ratio(best[method], best.baseline),
          target: '≥ 0.50×',
          met: best[method] / best.baseline >= 0.5,
        },
      );
    }
  } finally {
    await engines?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
