import type { TokenCredential } from '@azure/identity';
import { Pool } from 'pg';
import type { PoolConfig } from 'pg';
import type { Logger } from 'pino';
import { int, oneOf, url } from './config';

/** Scope of Entra ID access tokens for Azure Database for PostgreSQL Flexible Server. */
export const POSTGRES_ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

/** The PostgreSQL settings every service that uses the database reads from its environment. */
export const postgresConfigSpec = {
  /** `postgres://user[:password]@host:port/db[?sslmode=require]`; secret, redacted in errors. */
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'], secret: true }),
  /** `password` (the URL as is) or `entra` (a token of the workload identity per connection). */
  DATABASE_AUTH: oneOf(['password', 'entra'] as const, { default: 'password' }),
  /** Pool size; at least 2 so a health probe never waits behind a batch. */
  DATABASE_POOL_MAX: int({ default: 10, min: 2, max: 100 }),
};

/** Options of {@link createPgPool}. */
export interface PgPoolOptions {
  /** `postgres://user[:password]@host:port/db[?sslmode=require]`. */
  readonly connectionString: string;
  /**
   * `password` uses the URL as is (local, or a secret from Key Vault); `entra` fetches a
   * short-lived Entra ID token as the password for each new connection (the workload's managed
   * identity on Azure; the URL's user is the Entra principal name).
   * @default 'password'
   */
  readonly auth?: 'password' | 'entra';
  /** Credential for `entra`, e.g. `new DefaultAzureCredential()`; required with `entra`. */
  readonly credential?: TokenCredential;
  /**
   * Pool size.
   * @default 10
   */
  readonly max?: number;
  /** `application_name` shown in pg_stat_activity, so an operator sees which service holds a connection. */
  readonly applicationName: string;
  /**
   * Per-statement timeout in ms, so a stuck query fails instead of holding a batch forever.
   * @default 30000
   */
  readonly statementTimeoutMs?: number;
}

/**
 * The one PostgreSQL pool of a process. Errors of idle clients (server restart, network drop)
 * are reported to `onIdleError` instead of crashing the process: pg emits them on the pool.
 */
export function createPgPool(options: PgPoolOptions, onIdleError?: (err: Error) => void): Pool {
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  };
  if (options.auth === 'entra') {
    const credential = options.credential;
    if (!credential) throw new Error("createPgPool: auth 'entra' needs a credential");
    // pg calls this for each new connection; @azure/identity caches and refreshes the token.
    config.password = async () => {
      const token = await credential.getToken(POSTGRES_ENTRA_SCOPE);
      if (!token) throw new Error('no Entra ID token for PostgreSQL');
      return token.token;
    };
  }
  const pool = new Pool(config);
  pool.on('error', (err) => onIdleError?.(err));
  // pg-pool listens for errors only while a client is idle: a client checked out (a
  // transaction between two statements) that loses its server (57P01 on a restart, a dropped
  // socket) would emit 'error' with no listener and crash the process. Every client gets a
  // permanent listener; the failing statement still rejects, and the pool discards the client
  // on release because it is no longer queryable.
  pool.on('connect', (client) => {
    client.on('error', (err) => onIdleError?.(err));
  });
  return pool;
}

/** SQLSTATE classes and codes that mean "the server or the connection went away", not "bad SQL". */
const CONNECTION_SQLSTATES = new Set([
  '57P01', // admin_shutdown (fast shutdown, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovering)
  '53300', // too_many_connections
]);

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an error means the database is unreachable for now (restart, failover, network),
 * so the same work can be retried unchanged once it is back: SQLSTATE class 08 (connection
 * exception), 57P01-57P03, 53300, socket errors, and the errors pg raises itself when a
 * connection ends or cannot be made in time.
 */
export function isPostgresConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || CONNECTION_SQLSTATES.has(code) || CONNECTION_ERRNOS.has(code)) {
      return true;
    }
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/i.test(
    err.message,
  );
}

/** Readiness check for a pool: a round trip to the server. */
export async function pingPostgres(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** The settings {@link postgresConfigSpec} reads. */
export interface PostgresConfig {
  readonly DATABASE_URL: string;
  readonly DATABASE_AUTH: 'password' | 'entra';
  readonly DATABASE_POOL_MAX: number;
}

/** The service's one pool, from its checked configuration; idle-client errors are logged. */
export function createPgPoolFromConfig(
  config: PostgresConfig,
  applicationName: string,
  credential: TokenCredential | undefined,
  logger: Logger,
): Pool {
  return createPgPool(
    {
      connectionString: config.DATABASE_URL,
      auth: config.DATABASE_AUTH,
      credential,
      max: config.DATABASE_POOL_MAX,
      applicationName,
    },
    (err) => logger.warn({ err }, 'postgres idle client error'),
  );
}
