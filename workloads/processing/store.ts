import type { Pool, PoolClient } from 'pg';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import type { DeviceLatest, MinuteAggregate } from './aggregate';
import { aggregateReadings, latestPerDevice, uniqueBy } from './aggregate';
import { parseAlert, parseAnalyzed } from './parse';
import { ALERT_COLUMNS, alertFromRow } from '../shared/alerts-table';
import { isPostgresConnectionError } from '../shared/postgres';
import { copyInto } from './copy';
import type { CopyValue } from './copy';
import type { AlertRow } from '../shared/alerts-table';

/** One consumed Kafka message, as much of it as the store needs. */
export interface BatchMessage {
  /** Kafka offset (a decimal string, as kafkajs gives it). */
  readonly offset: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
}

/** The messages of one topic-partition fetched together. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly BatchMessage[];
}

/**
 * How a batch's rows reach PostgreSQL (ADR 0017): `copy` streams them with COPY into temporary
 * staging tables and upserts from there with one set-based statement per table; `unnest` sends
 * them as array parameters of one multi-row upsert per table. Same statements, same effects.
 */
export type WriteMethod = 'copy' | 'unnest';

/** What the kind of a topic is, so the store knows how to apply its messages. */
export type TopicKind = 'analyzed' | 'alerts';

/** A message that could not be parsed; stored in `processing_rejects`. */
export interface Reject {
  readonly offset: string;
  readonly reason: string;
  readonly key: string | null;
  readonly value: string | null;
}

/** Effects of one applied batch, reported after the transaction committed. */
export interface ApplyResult {
  /** Messages at or past the stored offset, i.e. not already applied before. */
  readonly fresh: number;
  /** Messages below the stored offset, skipped (redelivered after a crash or rebalance). */
  readonly replayed: number;
  /** Readings folded into the aggregates for the first time. */
  readonly newReadings: number;
  /** Readings whose id was already processed (re-published upstream), not counted again. */
  readonly duplicateReadings: number;
  /** Alert transitions stored for the first time: these, and only these, get notified. */
  readonly newAlerts: readonly AlertMessage[];
  /** Latest reading per device among the new readings (for the Redis cache). */
  readonly latest: readonly DeviceLatest[];
  readonly rejects: readonly Reject[];
  /** The stored next offset after this batch (what to commit to Kafka). */
  readonly nextOffset: string;
}

/** Options of {@link ProcessingStore}. */
export interface ProcessingStoreOptions {
  /** Consumer group id; offsets are stored per group. */
  readonly groupId: string;
  /** Topic name to kind, e.g. `{ 'telemetry.analyzed': 'analyzed', alerts: 'alerts' }`. */
  readonly topics: Readonly<Record<string, TopicKind>>;
  /**
   * Attempts for a batch that hits a deadlock or serialization failure.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * How rows are written (see {@link WriteMethod}).
   * @default 'copy'
   */
  readonly writeMethod?: WriteMethod;
}

/** The per-minute aggregate's columns as COPY writes them, and one aggregate as such a row. */
export const MINUTE_COPY_COLUMNS = [
  'device_id',
  'metric',
  'minute',
  'count',
  'sum',
  'sumsq',
  'min',
  'max',
  'last',
  'last_ts',
  'last_reading_id',
  'anomalous_count',
] as const;

export function minuteCopyRow(a: MinuteAggregate): CopyValue[] {
  return [
    a.deviceId,
    a.metric,
    a.minute,
    a.count,
    a.sum,
    a.sumsq,
    a.min,
    a.max,
    a.last,
    a.lastTs,
    a.lastReadingId,
    a.anomalousCount,
  ];
}

const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

const UPSERT_AGGREGATES = `
INSERT INTO metric_minute AS t
  (device_id, metric, minute, count, sum, sumsq, min, max, last, last_ts, last_reading_id, anomalous_count)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::float8[],
  $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::timestamptz[], $11::text[], $12::bigint[])
ON CONFLICT (device_id, metric, minute) DO UPDATE SET
  count = t.count + EXCLUDED.count,
  sum = t.sum + EXCLUDED.sum,
  sumsq = t.sumsq + EXCLUDED.sumsq,
  min = LEAST(t.min, EXCLUDED.min),
  max = GREATEST(t.max, EXCLUDED.max),
  last = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_reading_id COLLATE "C") > (t.last_ts, t.last_reading_id COLLATE "C")
              THEN EXCLUDED.last ELSE t.last END,
  last_reading_id = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_reading_id COLLATE "C") > (t.last_ts, t.last_reading_id COLLATE "C")
              THEN EXCLUDED.last_reading_id ELSE t.last_reading_id END,
  last_ts = GREATEST(t.last_ts, EXCLUDED.last_ts),
  anomalous_count = t.anomalous_count + EXCLUDED.anomalous_count,
  updated_at = now()`;

const UPSERT_DEVICES = `
INSERT INTO devices AS d (device_id, last_ts, reading_id, metrics, score, anomalous)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::jsonb[], $5::float8[], $6::bool[])
ON CONFLICT (device_id) DO UPDATE SET
  last_ts = EXCLUDED.last_ts, reading_id = EXCLUDED.reading_id, metrics = EXCLUDED.metrics,
  score = EXCLUDED.score, anomalous = EXCLUDED.anomalous, updated_at = now()
WHERE (EXCLUDED.last_ts, EXCLUDED.reading_id COLLATE "C") > (d.last_ts, d.reading_id COLLATE "C")`;

const UPSERT_SET_AGGREGATES = UPSERT_AGGREGATES.slice(UPSERT_AGGREGATES.indexOf('ON CONFLICT'));
const UPSERT_SET_DEVICES = UPSERT_DEVICES.slice(UPSERT_DEVICES.indexOf('ON CONFLICT'));

/**
 * Per-session staging tables of the COPY write method: emptied at every commit, never logged
 * (temporary), created once per connection outside any batch's transaction.
 */
const CREATE_STAGING = `
CREATE TEMP TABLE IF NOT EXISTS staging_readings
  (reading_id text, ts timestamptz, device_id text) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staging_minute
  (device_id text, metric text, minute timestamptz, count bigint, sum float8, sumsq float8,
   min float8, max float8, last float8, last_ts timestamptz, last_reading_id text,
   anomalous_count bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staging_devices
  (device_id text, last_ts timestamptz, reading_id text, metrics jsonb, score float8,
   anomalous bool) ON COMMIT DELETE ROWS;`;

const INSERT_ALERTS = `
INSERT INTO alerts (alert_id, state, device_id, rule, metric, severity, value, threshold, score,
  episode_start, ts, reading_id, message)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
  $7::float8[], $8::float8[], $9::float8[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[])
ON CONFLICT DO NOTHING
RETURNING alert_id, state`;

function text(v: Buffer | string | null): string | null {
  return v === null ? null : typeof v === 'string' ? v : v.toString('utf8');
}

function compareAggregates(a: MinuteAggregate, b: MinuteAggregate): number {
  // One fixed row order for every transaction, so two writers of the same keys (e.g. during a
  // rebalance) lock rows in the same order and cannot deadlock each other.
  return a.deviceId < b.deviceId
    ? -1
    : a.deviceId > b.deviceId
      ? 1
      : a.metric < b.metric
        ? -1
        : a.metric > b.metric
          ? 1
          : a.minute < b.minute
            ? -1
            : a.minute > b.minute
              ? 1
              : 0;
}

/**
 * Applies consumed batches to PostgreSQL with exactly-once effect (see ADR 0004): in one
 * transaction it locks the partition's stored offset, skips messages below it, dedupes readings
 * by id and alert transitions by (alertId, state), upserts the aggregates with one multi-row
 * statement per table, and advances the stored offset.
 */
export class ProcessingStore {
  private readonly maxAttempts: number;
  private readonly writeMethod: WriteMethod;
  /** Pooled connections that have the COPY staging tables (a broken one is never reused). */
  private readonly staged = new WeakSet<PoolClient>();

  constructor(
    private readonly pool: Pool,
    private readonly options: ProcessingStoreOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.writeMethod = options.writeMethod ?? 'copy';
  }

  /** The stored next offsets of a topic's partitions (partitions never applied are absent). */
  async storedOffsets(topic: string): Promise<Map<number, string>> {
    const { rows } = await this.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM kafka_offsets WHERE group_id = $1 AND topic = $2',
      [this.options.groupId, topic],
    );
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }

  /** Applies one partition's batch; retries the whole transaction on deadlock. */
  async apply(batch: PartitionBatch): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      // A client whose connection failed goes back with the error, so the pool discards it
      // instead of handing a dead connection to the next batch.
      let broken: Error | undefined;
      try {
        if (this.writeMethod === 'copy' && !this.staged.has(client)) {
          await client.query(CREATE_STAGING);
          this.staged.add(client);
        }
        await client.query('BEGIN');
        const result = await this.applyIn(client, batch);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (isPostgresConnectionError(err)) broken = err as Error;
        else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        const code = (err as { code?: string }).code;
        if (attempt >= this.maxAttempts || !code || !RETRYABLE_SQLSTATES.has(code)) throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  private async applyIn(client: PoolClient, batch: PartitionBatch): Promise<ApplyResult> {
    const kind = this.options.topics[batch.topic];
    if (!kind) throw new Error(`topic '${batch.topic}' is not one processing consumes`);
    const { groupId } = this.options;

    // One round trip creates the partition's offset row if needed and locks it: the no-op DO
    // UPDATE takes the row lock FOR UPDATE would, which serialises two consumers of one partition
    // (a zombie during a rebalance): the second waits, then reads the first one's committed
    // offset (READ COMMITTED re-checks the latest row version) and skips what it applied.
    const { rows } = await client.query<{ next_offset: string }>(
      `INSERT INTO kafka_offsets AS k (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = k.next_offset
       RETURNING next_offset`,
      [groupId, batch.topic, batch.partition],
    );
    const stored = BigInt(rows[0].next_offset);
    const fresh = batch.messages.filter((m) => BigInt(m.offset) >= stored);
    const replayed = batch.messages.length - fresh.length;
    if (fresh.length === 0) {
      return {
        fresh: 0,
        replayed,
        newReadings: 0,
        duplicateReadings: 0,
        newAlerts: [],
        latest: [],
        rejects: [],
        nextOffset: stored.toString(),
      };
    }

    const rejects: Reject[] = [];
    let newReadings = 0;
    let duplicateReadings = 0;
    let newAlerts: AlertMessage[] = [];
    let latest: DeviceLatest[] = [];
    if (kind === 'analyzed') {
      const readings: AnalyzedReading[] = [];
      for (const m of fresh) {
        const p = parseAnalyzed(m.value);
        if (p.ok) readings.push(p.value);
        else
          rejects.push({
            offset: m.offset,
            reason: p.reason,
            key: text(m.key),
            value: text(m.value),
          });
      }
      const inserted = await this.insertReadingIds(
        client,
        uniqueBy(readings, (r) => r.id),
      );
      const added = readings.filter((r) => inserted.delete(r.id));
      newReadings = added.length;
      duplicateReadings = readings.length - added.length;
      await this.upsertAggregates(client, aggregateReadings(added));
      latest = latestPerDevice(added);
      await this.upsertDevices(client, latest);
    } else {
      const alerts: AlertMessage[] = [];
      for (const m of fresh) {
        const p = parseAlert(m.value);
        if (p.ok) alerts.push(p.value);
        else
          rejects.push({
            offset: m.offset,
            reason: p.reason,
            key: text(m.key),
            value: text(m.value),
          });
      }
      newAlerts = await this.insertAlerts(
        client,
        uniqueBy(alerts, (a) => `${a.alertId}/${a.state}`),
      );
    }
    if (rejects.length > 0) await this.insertRejects(client, batch, rejects);

    const next = (BigInt(fresh[fresh.length - 1].offset) + 1n).toString();
    await client.query(
      `UPDATE kafka_offsets SET next_offset = $4, updated_at = now()
       WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, batch.topic, batch.partition, next],
    );
    return {
      fresh: fresh.length,
      replayed,
      newReadings,
      duplicateReadings,
      newAlerts,
      latest,
      rejects,
      nextOffset: next,
    };
  }

  private async insertReadingIds(
    client: PoolClient,
    readings: readonly AnalyzedReading[],
  ): Promise<Set<string>> {
    if (readings.length === 0) return new Set();
    if (this.writeMethod === 'copy') {
      await copyInto(
        client,
        'staging_readings',
        ['reading_id', 'ts', 'device_id'],
        readings.map((r) => [r.id, r.ts, r.deviceId]),
      );
      const { rows } = await client.query<{ reading_id: string }>(
        `INSERT INTO processed_readings (reading_id, ts, device_id)
         SELECT reading_id, ts, device_id FROM staging_readings
         ON CONFLICT DO NOTHING RETURNING reading_id`,
      );
      return new Set(rows.map((r) => r.reading_id));
    }
    const { rows } = await client.query<{ reading_id: string }>(
      `INSERT INTO processed_readings (reading_id, ts, device_id)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[])
       ON CONFLICT DO NOTHING RETURNING reading_id`,
      [readings.map((r) => r.id), readings.map((r) => r.ts), readings.map((r) => r.deviceId)],
    );
    return new Set(rows.map((r) => r.reading_id));
  }

  private async upsertAggregates(client: PoolClient, aggregates: MinuteAggregate[]): Promise<void> {
    if (aggregates.length === 0) return;
    const rows = [...aggregates].sort(compareAggregates);
    if (this.writeMethod === 'copy') {
      await copyInto(client, 'staging_minute', MINUTE_COPY_COLUMNS, rows.map(minuteCopyRow));
      // ORDER BY: every writer locks rows in the same order (no deadlock between two of them).
      await client.query(
        `INSERT INTO metric_minute AS t (device_id, metric, minute, count, sum, sumsq, min, max,
           last, last_ts, last_reading_id, anomalous_count)
         SELECT * FROM staging_minute ORDER BY device_id, metric, minute
         ${UPSERT_SET_AGGREGATES}`,
      );
      return;
    }
    await client.query(UPSERT_AGGREGATES, [
      rows.map((a) => a.deviceId),
      rows.map((a) => a.metric),
      rows.map((a) => a.minute),
      rows.map((a) => a.count),
      rows.map((a) => a.sum),
      rows.map((a) => a.sumsq),
      rows.map((a) => a.min),
      rows.map((a) => a.max),
      rows.map((a) => a.last),
      rows.map((a) => a.lastTs),
      rows.map((a) => a.lastReadingId),
      rows.map((a) => a.anomalousCount),
    ]);
  }

  private async upsertDevices(client: PoolClient, latest: readonly DeviceLatest[]): Promise<void> {
    if (latest.length === 0) return;
    const rows = [...latest].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
    if (this.writeMethod === 'copy') {
      await copyInto(
        client,
        'staging_devices',
        ['device_id', 'last_ts', 'reading_id', 'metrics', 'score', 'anomalous'],
        rows.map((d) => [d.deviceId, d.ts, d.readingId, d.metrics, d.score, d.anomalous]),
      );
      await client.query(
        `INSERT INTO devices AS d (device_id, last_ts, reading_id, metrics, score, anomalous)
         SELECT * FROM staging_devices ORDER BY device_id
         ${UPSERT_SET_DEVICES}`,
      );
      return;
    }
    await client.query(UPSERT_DEVICES, [
      rows.map((d) => d.deviceId),
      rows.map((d) => d.ts),
      rows.map((d) => d.readingId),
      rows.map((d) => JSON.stringify(d.metrics)),
      rows.map((d) => d.score),
      rows.map((d) => d.anomalous),
    ]);
  }

  private async insertAlerts(
    client: PoolClient,
    alerts: readonly AlertMessage[],
  ): Promise<AlertMessage[]> {
    if (alerts.length === 0) return [];
    const { rows } = await client.query<{ alert_id: string; state: string }>(INSERT_ALERTS, [
      alerts.map((a) => a.alertId),
      alerts.map((a) => a.state),
      alerts.map((a) => a.deviceId),
      alerts.map((a) => a.rule),
      alerts.map((a) => a.metric),
      alerts.map((a) => a.severity),
      alerts.map((a) => a.value),
      alerts.map((a) => a.threshold ?? null),
      alerts.map((a) => a.score),
      alerts.map((a) => a.episodeStart),
      alerts.map((a) => a.ts),
      alerts.map((a) => a.readingId),
      alerts.map((a) => a.message),
    ]);
    const inserted = new Set(rows.map((r) => `${r.alert_id}/${r.state}`));
    return alerts.filter((a) => inserted.has(`${a.alertId}/${a.state}`));
  }

  private async insertRejects(
    client: PoolClient,
    batch: PartitionBatch,
    rejects: readonly Reject[],
  ): Promise<void> {
    await client.query(
      `INSERT INTO processing_rejects (topic, partition, "offset", reason, key, value)
       SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [
        batch.topic,
        batch.partition,
        rejects.map((r) => r.offset),
        rejects.map((r) => r.reason),
        rejects.map((r) => r.key),
        rejects.map((r) => r.value),
      ],
    );
  }

  /**
   * Alert transitions stored but not yet on the Redis stream, oldest first: the outbox the
   * notifier drains after each commit and on start (a crash between commit and publish).
   */
  async unnotifiedAlerts(limit = 500): Promise<AlertMessage[]> {
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE notified_at IS NULL ORDER BY received_at, ts LIMIT $1`,
      [limit],
    );
    return rows.map(alertFromRow);
  }

  /** Marks alert transitions as notified (their stream entry exists). */
  async markNotified(alerts: readonly AlertMessage[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.pool.query(
      `UPDATE alerts SET notified_at = now()
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(alert_id, state, ts)
       WHERE alerts.alert_id = k.alert_id AND alerts.state = k.state AND alerts.ts = k.ts
         AND alerts.notified_at IS NULL`,
      [alerts.map((a) => a.alertId), alerts.map((a) => a.state), alerts.map((a) => a.ts)],
    );
  }
}
