import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

/** One migration file: `NNN_name.sql` in the migrations folder. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of the file, recorded so an edited, already-applied migration is caught. */
  readonly checksum: string;
}

/** A migration already recorded in `schema_migrations`. */
export interface AppliedMigration {
  readonly version: number;
  readonly checksum: string;
}

/** The folder this service's migrations ship in. */
export const MIGRATIONS_DIR = join(__dirname, 'migrations');

/** Key of the session advisory lock that serialises migrators across replicas. */
export const MIGRATION_LOCK_KEY = 0x10_7d_a7a; // "iot data", any constant shared by all replicas

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/**
 * Parses and orders migration files by their numeric prefix. Rejects names that do not match
 * `NNN_name.sql` and duplicate versions, because either would make the order ambiguous.
 */
export function parseMigrations(files: ReadonlyArray<{ file: string; sql: string }>): Migration[] {
  const migrations = files.map(({ file, sql }) => {
    const m = FILE_PATTERN.exec(file);
    if (!m) {
      throw new Error(`migration file name '${file}' does not match NNN_name.sql`);
    }
    return {
      version: Number(m[1]),
      name: m[2],
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(
        `migration version ${migrations[i].version} is used twice ('${migrations[i - 1].name}', '${migrations[i].name}')`,
      );
    }
  }
  return migrations;
}

/**
 * The migrations still to apply, in order. An applied migration whose file changed, or one
 * recorded in the database but missing from the folder, is an error: the schema would no
 * longer be what the files say.
 */
export function pendingMigrations(
  available: readonly Migration[],
  applied: readonly AppliedMigration[],
): Migration[] {
  const byVersion = new Map(available.map((m) => [m.version, m]));
  for (const a of applied) {
    const m = byVersion.get(a.version);
    if (!m) {
      throw new Error(`migration ${a.version} is applied but its file is missing`);
    }
    if (m.checksum !== a.checksum) {
      throw new Error(`migration ${a.version}_${m.name} changed after it was applied`);
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return available.filter((m) => !done.has(m.version));
}

/** Reads the migration files of a folder. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => ({ file, sql: readFileSync(join(dir, file), 'utf8') }));
  return parseMigrations(files);
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so
 * that replicas starting together apply each migration exactly once. Returns the versions it
 * applied (empty when the schema was current).
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<AppliedMigration>(
        'SELECT version, checksum FROM schema_migrations ORDER BY version',
      );
      const todo = pendingMigrations(migrations, rows);
      for (const m of todo) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [m.version, m.name, m.checksum],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      return todo.map((m) => m.version);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
