import type { Pool, PoolClient } from 'pg';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';
import type { DeviceLatest, MinuteAggregate } from './aggregate';
import { uniqueBy } from './aggregate';
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
 * How a batch's rows (reading ids, per-minute aggregates, devices' latest values) reach
 * PostgreSQL (ADR 0021): `json` sends them as three JSON parameters read with
 * `json_to_recordset`; `copy` streams them with one COPY into a temporary staging table. Either
 * way one set-based statement then applies them: same statement, same effects.
 */
export type WriteMethod = 'copy' | 'json';

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
   * @default 'json'
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

/** A batch's readings folded into per-minute aggregates and the latest reading per device. */
interface Folded {
  readonly aggregates: MinuteAggregate[];
  readonly latest: DeviceLatest[];
}

interface MinuteAcc {
  deviceId: string;
  metric: string;
  minute: string;
  count: number;
  sum: number;
  sumsq: number;
  min: number;
  max: number;
  last: number;
  lastMs: number;
  lastTs: string;
  lastReadingId: string;
  anomalousCount: number;
}

/**
 * {@link aggregateReadings} and {@link latestPerDevice} in one pass, for the hot path: each
 * timestamp parsed once, each minute formatted once, accumulators updated in place (the two
 * functions are the reference; the store tests compare the tables with them). Same order on
 * (ts, reading id) as `isLater`.
 */
export function foldReadings(readings: readonly AnalyzedReading[]): Folded {
  const acc = new Map<string, MinuteAcc>();
  const latest = new Map<string, { r: AnalyzedReading; ms: number }>();
  const minutes = new Map<number, string>();
  for (const r of readings) {
    const ms = Date.parse(r.ts);
    const minuteMs = ms - (((ms % 60_000) + 60_000) % 60_000);
    let minute = minutes.get(minuteMs);
    if (minute === undefined) {
      minute = new Date(minuteMs).toISOString();
      minutes.set(minuteMs, minute);
    }
    const l = latest.get(r.deviceId);
    if (!l || ms > l.ms || (ms === l.ms && r.id > l.r.id)) latest.set(r.deviceId, { r, ms });
    const prefix = `${r.deviceId}\u0000${minute}\u0000`;
    const anomalous = r.anomalous ? 1 : 0;
    for (const [metric, value] of Object.entries(r.metrics)) {
      const key = prefix + metric;
      const a = acc.get(key);
      if (!a) {
        acc.set(key, {
          deviceId: r.deviceId,
          metric,
          minute,
          count: 1,
          sum: value,
          sumsq: value * value,
          min: value,
          max: value,
          last: value,
          lastMs: ms,
          lastTs: r.ts,
          lastReadingId: r.id,
          anomalousCount: anomalous,
        });
        continue;
      }
      a.count += 1;
      a.sum += value;
      a.sumsq += value * value;
      if (value < a.min) a.min = value;
      if (value > a.max) a.max = value;
      if (ms > a.lastMs || (ms === a.lastMs && r.id > a.lastReadingId)) {
        a.last = value;
        a.lastMs = ms;
        a.lastTs = r.ts;
        a.lastReadingId = r.id;
      }
      a.anomalousCount += anomalous;
    }
  }
  const aggregates: MinuteAggregate[] = [];
  for (const a of acc.values())
    aggregates.push({
      deviceId: a.deviceId,
      metric: a.metric,
      minute: a.minute,
      count: a.count,
      sum: a.sum,
      sumsq: a.sumsq,
      min: a.min,
      max: a.max,
      last: a.last,
      lastTs: a.lastTs,
      lastReadingId: a.lastReadingId,
      anomalousCount: a.anomalousCount,
    });
  const out: DeviceLatest[] = [];
  for (const { r } of latest.values())
    out.push({
      deviceId: r.deviceId,
      ts: r.ts,
      readingId: r.id,
      metrics: r.metrics,
      score: r.score,
      anomalous: r.anomalous,
    });
  return { aggregates, latest: out };
}

/**
 * A sum as JSON: a number, or for an overflow (squares of large finite readings reach
 * `Infinity`) the string float8 reads as such — JSON has no infinity, and a null would violate
 * NOT NULL and make the batch fail forever. Readings' own values are finite (parseAnalyzed).
 */
function float(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The aggregate and device rows as the `json` write method's two JSON parameters. */
function jsonFolded(folded: Folded): [string, string] {
  return [
    JSON.stringify(
      folded.aggregates.map((a) => ({
        d: a.deviceId,
        k: a.metric,
        mi: a.minute,
        c: a.count,
        su: float(a.sum),
        sq: float(a.sumsq),
        lo: a.min,
        hi: a.max,
        la: a.last,
        lt: a.lastTs,
        li: a.lastReadingId,
        an: a.anomalousCount,
      })),
    ),
    JSON.stringify(
      folded.latest.map((d) => ({
        d: d.deviceId,
        t: d.ts,
        i: d.readingId,
        m: d.metrics,
        s: d.score,
        a: d.anomalous,
      })),
    ),
  ];
}

const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

/**
 * The aggregate upsert's conflict action: folds a batch's aggregate row into the stored one.
 * "last" follows the latest reading by (ts, reading id), compared byte-wise (COLLATE "C"), so it
 * does not depend on the order batches arrive in.
 */
const MERGE_MINUTE = `ON CONFLICT (device_id, metric, minute) DO UPDATE SET
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

/** The columns of the three row sets a batch of readings writes, as each write method reads them. */
function rowSources(
  method: WriteMethod,
  params: { ids: number; minute: number; devices: number },
): { ids: string; minute: string; devices: string } {
  return method === 'copy'
    ? {
        ids: 'SELECT reading_id, ts, device_id FROM staging_batch WHERE k = 0',
        minute: `SELECT device_id, metric, ts, count, sum, sumsq, min, max, last, last_ts,
          reading_id, anomalous_count FROM staging_batch WHERE k = 1`,
        devices: `SELECT device_id, ts, reading_id, metrics, score, anomalous
          FROM staging_batch WHERE k = 2`,
      }
    : {
        ids: `SELECT * FROM json_to_recordset($${params.ids}::json) AS x(i text, t timestamptz, d text)`,
        minute: `SELECT * FROM json_to_recordset($${params.minute}::json) AS x(d text, k text, mi timestamptz,
      c bigint, su float8, sq float8, lo float8, hi float8, la float8, lt timestamptz, li text,
      an bigint)`,
        devices: `SELECT * FROM json_to_recordset($${params.devices}::json)
      AS x(d text, t timestamptz, i text, m jsonb, s float8, a boolean)`,
      };
}

/**
 * One statement applies a batch of readings (ADR 0021), in the batch's transaction: insert the
 * reading ids (`ON CONFLICT DO NOTHING`, the dedupe), fold the batch's per-minute aggregates and
 * the devices' latest values into their tables, and advance the partition's offset ($1 group, $2
 * topic, $3 partition, $4 next offset). The aggregates and latest values were computed from all
 * $5 readings of the batch, so they are written only if every id was new (`ids` inserted $5
 * rows): otherwise the statement inserts the new ids only and returns them, and the caller folds
 * just those with {@link upsertSql} in the same transaction. Upserts run in key order (ORDER BY),
 * so two writers lock rows in the same order and cannot deadlock. Data-modifying WITH queries
 * run exactly once, to completion, whether or not the outer query reads them.
 */
function applySql(method: WriteMethod): string {
  const rows = rowSources(method, { ids: 6, minute: 7, devices: 8 });
  return `
WITH ids AS (
  INSERT INTO processed_readings (reading_id, ts, device_id)
  ${rows.ids}
  ON CONFLICT DO NOTHING
  RETURNING reading_id
),
counted AS (SELECT count(*) AS n FROM ids),
${upsertCtes(rows, '(SELECT n FROM counted) = $5')},
off AS (
  UPDATE kafka_offsets SET next_offset = $4, updated_at = now()
  WHERE group_id = $1 AND topic = $2 AND partition = $3
)
SELECT n::int AS inserted,
  CASE WHEN n < $5 THEN (SELECT array_agg(reading_id) FROM ids) END AS ids
FROM counted`;
}

/** The aggregate and device upserts, as WITH queries, applied only when `guard` holds. */
function upsertCtes(rows: { minute: string; devices: string }, guard: string): string {
  return `agg AS (
  INSERT INTO metric_minute AS t (${MINUTE_COPY_COLUMNS.join(', ')})
  SELECT * FROM (${rows.minute}) r WHERE ${guard} ORDER BY 1, 2, 3
  ${MERGE_MINUTE}
),
dev AS (
  INSERT INTO devices AS d (device_id, last_ts, reading_id, metrics, score, anomalous)
  SELECT * FROM (${rows.devices}) r WHERE ${guard} ORDER BY 1
  ON CONFLICT (device_id) DO UPDATE SET
    last_ts = EXCLUDED.last_ts, reading_id = EXCLUDED.reading_id, metrics = EXCLUDED.metrics,
    score = EXCLUDED.score, anomalous = EXCLUDED.anomalous, updated_at = now()
  WHERE (EXCLUDED.last_ts, EXCLUDED.reading_id COLLATE "C") > (d.last_ts, d.reading_id COLLATE "C")
)`;
}

/** The upserts alone, for the readings of a batch that were new when some were not. */
function upsertSql(method: WriteMethod): string {
  return `WITH ${upsertCtes(rowSources(method, { ids: 0, minute: 1, devices: 2 }), 'true')} SELECT 1`;
}

const STATEMENTS: Record<WriteMethod, { apply: string; upsert: string }> = {
  copy: { apply: applySql('copy'), upsert: upsertSql('copy') },
  json: { apply: applySql('json'), upsert: upsertSql('json') },
};

/**
 * The COPY write method's staging table: per session (temporary, never WAL-logged), emptied at
 * every commit, created once per connection outside any batch's transaction. One table holds the
 * batch's three row sets (k = 0 reading ids, 1 minute aggregates, 2 devices' latest values), so a
 * batch is one COPY and a commit empties one table.
 */
const CREATE_STAGING = `
CREATE TEMP TABLE IF NOT EXISTS staging_batch
  (k smallint, device_id text, reading_id text, ts timestamptz, metric text, count bigint,
   sum float8, sumsq float8, min float8, max float8, last float8, last_ts timestamptz,
   anomalous_count bigint, metrics jsonb, score float8, anomalous bool) ON COMMIT DELETE ROWS`;

const STAGING_COLUMNS = [
  'k',
  'device_id',
  'reading_id',
  'ts',
  'metric',
  'count',
  'sum',
  'sumsq',
  'min',
  'max',
  'last',
  'last_ts',
  'anomalous_count',
  'metrics',
  'score',
  'anomalous',
] as const;

/** The staging rows of a batch: reading ids (unless `ids` is false), aggregates, devices. */
function* stagingRows(
  readings: readonly AnalyzedReading[] | false,
  folded: Folded,
): Generator<CopyValue[]> {
  const n = null;
  if (readings)
    for (const r of readings) yield [0, r.deviceId, r.id, r.ts, n, n, n, n, n, n, n, n, n, n, n, n];
  for (const a of folded.aggregates)
    yield [
      1,
      a.deviceId,
      a.lastReadingId,
      a.minute,
      a.metric,
      a.count,
      a.sum,
      a.sumsq,
      a.min,
      a.max,
      a.last,
      a.lastTs,
      a.anomalousCount,
      n,
      n,
      n,
    ];
  for (const d of folded.latest)
    yield [
      2,
      d.deviceId,
      d.readingId,
      d.ts,
      n,
      n,
      n,
      n,
      n,
      n,
      n,
      n,
      n,
      d.metrics,
      d.score,
      d.anomalous,
    ];
}

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

/**
 * Applies consumed batches to PostgreSQL with exactly-once effect (see ADR 0004): in one
 * transaction it locks the partition's stored offset, skips messages below it, dedupes readings
 * by id and alert transitions by (alertId, state), upserts the aggregates and devices, and
 * advances the stored offset — for readings, all but the offset lock in one statement (ADR 0021).
 */
export class ProcessingStore {
  private readonly maxAttempts: number;
  private readonly writeMethod: WriteMethod;
  /** Pooled connections that have the COPY staging table (a broken one is never reused). */
  private readonly staged = new WeakSet<PoolClient>();

  constructor(
    private readonly pool: Pool,
    private readonly options: ProcessingStoreOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.writeMethod = options.writeMethod ?? 'json';
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

    const next = (BigInt(fresh[fresh.length - 1].offset) + 1n).toString();
    const rejects: Reject[] = [];
    let offsetStored = false;
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
      const unique = uniqueBy(readings, (r) => r.id);
      offsetStored = unique.length > 0;
      const applied = await this.applyReadings(client, batch, unique, next);
      newReadings = applied.added;
      duplicateReadings = readings.length - applied.added;
      latest = applied.latest;
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

    if (!offsetStored)
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

  /**
   * Applies unique readings and advances the offset: one statement when every reading is new,
   * a second one (the new readings' aggregates) when some were processed before.
   */
  private async applyReadings(
    client: PoolClient,
    batch: PartitionBatch,
    readings: readonly AnalyzedReading[],
    next: string,
  ): Promise<{ added: number; latest: DeviceLatest[] }> {
    if (readings.length === 0) return { added: 0, latest: [] };
    const method = this.writeMethod;
    const folded = foldReadings(readings);
    const params: unknown[] = [
      this.options.groupId,
      batch.topic,
      batch.partition,
      next,
      readings.length,
    ];
    if (method === 'copy') {
      await copyInto(client, 'staging_batch', STAGING_COLUMNS, stagingRows(readings, folded));
    } else {
      params.push(
        JSON.stringify(readings.map((r) => ({ i: r.id, t: r.ts, d: r.deviceId }))),
        ...jsonFolded(folded),
      );
    }
    const { rows } = await client.query<{ inserted: number; ids: string[] | null }>({
      name: `processing-apply-${method}`,
      text: STATEMENTS[method].apply,
      values: params,
    });
    const { inserted, ids } = rows[0];
    if (inserted === readings.length) return { added: inserted, latest: folded.latest };
    if (inserted === 0) return { added: 0, latest: [] };

    // Some readings were processed before (re-published upstream): fold only the new ones.
    const isNew = new Set(ids);
    const refolded = foldReadings(readings.filter((r) => isNew.has(r.id)));
    if (method === 'copy') {
      await client.query('DELETE FROM staging_batch WHERE k > 0');
      await copyInto(client, 'staging_batch', STAGING_COLUMNS, stagingRows(false, refolded));
      await client.query({ name: 'processing-upsert-copy', text: STATEMENTS.copy.upsert });
    } else {
      await client.query({
        name: 'processing-upsert-json',
        text: STATEMENTS.json.upsert,
        values: jsonFolded(refolded),
      });
    }
    return { added: inserted, latest: refolded.latest };
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
