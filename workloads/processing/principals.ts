/**
 * The web app's PostgreSQL principal. Processing is the server's only Entra administrator, so it
 * creates the web identity's role (bound to the identity's object id) and grants it read access
 * to what the dashboard reads. Roles are server-wide and Azure's `pgaadauth_*` functions exist
 * only in the `postgres` maintenance database, so the role is created there and the grants are
 * made in the application database. Everything is idempotent and runs on every start.
 */
import { escapeIdentifier } from 'pg';
import type { Pool, PoolClient } from 'pg';

/** The tables the web app reads (see workloads/web/queries.ts); it writes none. */
export const WEB_READ_TABLES = ['devices', 'metric_minute', 'alerts'] as const;

/** Key of the advisory lock that serialises principal creation across processing replicas. */
export const PRINCIPAL_LOCK_KEY = 0x10_7d_a7b;

/** An Entra principal that gets a read-only PostgreSQL role. */
export interface DatabaseReader {
  /** Role name: the identity's name, which is the user name it connects with. */
  readonly roleName: string;
  /** Object (principal) id of the identity, so the role is bound to exactly this principal. */
  readonly objectId: string;
}

/** A parameterised statement. */
export interface Statement {
  readonly text: string;
  readonly values?: readonly unknown[];
}

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;

/** Checks a reader's fields; the role name also ends up quoted in GRANT statements. */
export function checkReader(reader: DatabaseReader): DatabaseReader {
  if (!ROLE_NAME.test(reader.roleName)) {
    throw new Error(
      `database reader role name '${reader.roleName}' must be 1-63 letters, digits, '.', '_' or '-'`,
    );
  }
  if (!OBJECT_ID.test(reader.objectId)) {
    throw new Error(`database reader object id '${reader.objectId}' must be a GUID`);
  }
  return reader;
}

/**
 * Statements for the `postgres` maintenance database: under a transaction-scoped advisory lock,
 * create the role with `pgaadauth_create_principal_with_oid` (object type `service`: a managed
 * identity; not an admin; no MFA) unless it exists. The last statement is sent only after the
 * catalog check found the function, so plain PostgreSQL never sees it.
 */
export function createPrincipalStatements(reader: DatabaseReader): Statement[] {
  checkReader(reader);
  return [
    { text: 'SELECT pg_advisory_xact_lock($1)', values: [PRINCIPAL_LOCK_KEY] },
    {
      text: 'SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists',
      values: [reader.roleName],
    },
    {
      text: "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'pgaadauth_create_principal_with_oid') AS available",
    },
    {
      text: "SELECT * FROM pgaadauth_create_principal_with_oid($1, $2, 'service', false, false)",
      values: [reader.roleName, reader.objectId],
    },
  ];
}

/** Grants in the application database: connect, use the schema, read the web's tables. */
export function readerGrantStatements(reader: DatabaseReader, database: string): Statement[] {
  checkReader(reader);
  if (!DATABASE_NAME.test(database)) {
    throw new Error(`database name '${database}' must be 1-63 letters, digits, '_' or '-'`);
  }
  const role = escapeIdentifier(reader.roleName);
  return [
    { text: `GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${role}` },
    { text: `GRANT USAGE ON SCHEMA public TO ${role}` },
    { text: `GRANT SELECT ON TABLE ${WEB_READ_TABLES.join(', ')} TO ${role}` },
  ];
}

/** `postgres://…/<db>?…` with the database replaced by `postgres` (where pgaadauth_* live). */
export function maintenanceConnectionString(connectionString: string): string {
  const u = new URL(connectionString);
  u.pathname = '/postgres';
  return u.toString();
}

/** The application database a connection string names. */
export function databaseOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ''));
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/**
 * Makes sure `reader` has a role and read access. `maintenance` is a pool on the same server's
 * `postgres` database (connected as the Entra administrator); `app` is the application pool.
 * Returns whether the role was created now. On a server without `pgaadauth_*` (plain
 * PostgreSQL) a missing role is an error naming what to do, never a silent skip.
 */
export async function ensureDatabaseReader(
  app: Pool,
  maintenance: Pool,
  reader: DatabaseReader,
  database: string,
): Promise<{ created: boolean }> {
  const [lock, exists, available, create] = createPrincipalStatements(reader);
  const client = await maintenance.connect();
  let created = false;
  try {
    await inTransaction(client, async () => {
      await client.query(lock.text, lock.values as unknown[]);
      const found = await client.query<{ exists: boolean }>(
        exists.text,
        exists.values as unknown[],
      );
      if (found.rows[0]?.exists) return;
      const fn = await client.query<{ available: boolean }>(available.text);
      if (!fn.rows[0]?.available) {
        throw new Error(
          `role '${reader.roleName}' does not exist and this server has no pgaadauth_create_principal_with_oid ` +
            '(not Azure Database for PostgreSQL with Entra authentication): create the role yourself, ' +
            'or unset WEB_DATABASE_PRINCIPAL_NAME and WEB_DATABASE_PRINCIPAL_OBJECT_ID',
        );
      }
      await client.query(create.text, create.values as unknown[]);
      created = true;
    });
  } finally {
    client.release();
  }
  for (const g of readerGrantStatements(reader, database)) await app.query(g.text);
  return { created };
}
