import type { Pool } from 'pg';

/** Tables partitioned by day, with the column they are partitioned on. */
export const PARTITIONED_TABLES = [
  { table: 'processed_readings', column: 'ts' },
  { table: 'metric_minute', column: 'minute' },
  { table: 'alerts', column: 'ts' },
] as const;

/** Advisory lock key for partition maintenance, distinct from the migration lock. */
export const PARTITION_LOCK_KEY = 0x10_7d_a7b;

/** UTC calendar days from `now - behindDays` to `now + aheadDays`, as YYYY-MM-DD. */
export function partitionDays(now: Date, behindDays: number, aheadDays: number): string[] {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days: string[] = [];
  for (let d = -behindDays; d <= aheadDays; d++) {
    days.push(new Date(start + d * 86_400_000).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Creates the day partitions around `now` for every partitioned table (rows outside them land
 * in each table's default partition, so nothing is ever rejected). Only one replica does it at
 * a time: the others skip instead of queueing behind the lock. Returns how many it created, or
 * null when another replica held the lock.
 */
export async function ensurePartitions(
  pool: Pool,
  now: Date = new Date(),
  behindDays = 1,
  aheadDays = 3,
): Promise<number | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [PARTITION_LOCK_KEY],
    );
    if (!rows[0].locked) {
      await client.query('ROLLBACK');
      return null;
    }
    let created = 0;
    for (const day of partitionDays(now, behindDays, aheadDays)) {
      for (const { table, column } of PARTITIONED_TABLES) {
        const r = await client.query<{ created: boolean }>(
          'SELECT iot_ensure_day_partition($1, $2, $3::date) AS created',
          [table, column, day],
        );
        if (r.rows[0].created) created++;
      }
    }
    await client.query('COMMIT');
    return created;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
