/**
 * PostgreSQL `COPY … FROM STDIN` in text format, for the sink's staging tables (ADR 0017):
 * encoding rows, and streaming them through a pooled client with pg-copy-streams.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A value of one COPY column: null is SQL NULL; objects are written as JSON. */
export type CopyValue = string | number | boolean | null | object;

/**
 * One field in COPY's text format: `\N` for null, `t`/`f` for booleans, and backslash,
 * newline, carriage return and tab escaped (the delimiter and row separator), so any string
 * round-trips. Numbers as JavaScript prints them; `Infinity`, `-Infinity` and `NaN` are also
 * PostgreSQL's spelling for `float8` (a sum of squares of large finite readings overflows to
 * `Infinity`, and must not make the batch fail forever).
 */
export function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\\\n\r\t]/.test(s)
    ? s.replace(/[\\\n\r\t]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
      )
    : s;
}

/** Rows in COPY text format, in chunks of about 64 KiB (one per yield). */
export function* copyText(rows: Iterable<readonly CopyValue[]>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row.map(copyField).join('\t') + '\n';
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** COPYs rows into `table (columns)` on the client (inside its current transaction). */
export async function copyInto(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyText(rows)), stream);
}
