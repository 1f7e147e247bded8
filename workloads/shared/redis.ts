import type { TokenCredential } from '@azure/identity';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { oneOf, str, url } from './config';

/** Scope of Entra ID access tokens for Azure Managed Redis / Azure Cache for Redis. */
export const REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

/**
 * Redis key names shared by processing (writer) and web (reader): one place, so the two cannot
 * drift. Keys that a Lua script touches together carry the `{alerts:stream}` hash tag so they
 * live in one cluster slot (Azure Managed Redis runs clustered).
 */
export const REDIS_KEYS = {
  /** Hash of the latest reading of a device: ts, tsMs, readingId, metrics (JSON), score, anomalous. */
  deviceLatest: (deviceId: string) => `device:${deviceId}:latest`,
  /** Sorted set of device ids scored by last-seen reading time (epoch ms). */
  devicesLastSeen: 'devices:lastseen',
  /** Sorted set of recent alert transitions (JSON), scored by transition time (epoch ms). */
  alertsRecent: 'alerts:recent',
  /** Stream of alert notifications; field `alert` holds the alert JSON. */
  alertsStream: 'alerts:stream',
  /** Sorted set of `${alertId}/${state}` already put on the stream, scored by when (epoch ms). */
  alertsNotified: '{alerts:stream}:notified',
} as const;

/** Options of {@link createRedis}. */
export interface RedisClientOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  readonly url: string;
  /**
   * `password` uses the URL as is; `entra` authenticates with an Entra ID token as the password
   * and `username` (the principal's object id), re-authenticating before the token expires.
   * @default 'password'
   */
  readonly auth?: 'password' | 'entra';
  /** Credential for `entra`. */
  readonly credential?: TokenCredential;
  /** Object id of the principal, the Redis username for `entra`. */
  readonly username?: string;
  /** Connection name shown by CLIENT LIST. */
  readonly connectionName: string;
  /** Extra ioredis options (tests shorten timeouts). */
  readonly extra?: RedisOptions;
  /** Told when a token refresh fails (the old token keeps working until it expires). */
  readonly onAuthError?: (err: Error) => void;
}

/** The Redis settings every service that uses the cache reads from its environment. */
export const redisConfigSpec = {
  /** `redis://` locally, `rediss://host:10000` on Azure Managed Redis; secret, redacted in errors. */
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], secret: true }),
  /** `password` (from the URL) or `entra` (a token of the workload identity). */
  REDIS_AUTH: oneOf(['password', 'entra'] as const, { default: 'password' }),
  /** User name for `entra`: the identity's object id. */
  REDIS_USERNAME: str({ optional: true }),
};

/**
 * A Redis client. Commands issued while disconnected queue only briefly (`maxRetriesPerRequest`
 * 2): callers must see failures, not hang, so readiness and the outbox retry can do their job.
 */
export async function createRedis(options: RedisClientOptions): Promise<Redis> {
  const base: RedisOptions = {
    connectionName: options.connectionName,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options.extra,
  };
  if (options.auth !== 'entra') return new Redis(options.url, base);

  const { credential, username } = options;
  if (!credential || !username) {
    throw new Error("createRedis: auth 'entra' needs a credential and a username (object id)");
  }
  const token = await credential.getToken(REDIS_ENTRA_SCOPE);
  if (!token) throw new Error('no Entra ID token for Redis');
  const redis = new Redis(options.url, { ...base, username, password: token.token });
  // Tokens live about an hour; re-AUTH on the open connection and keep the new one for reconnects.
  const refresh = setInterval(
    () => {
      credential
        .getToken(REDIS_ENTRA_SCOPE)
        .then(async (t) => {
          if (!t) throw new Error('no Entra ID token for Redis');
          redis.options.password = t.token;
          await redis.auth(username, t.token);
        })
        .catch((err: Error) => options.onAuthError?.(err));
    },
    10 * 60 * 1000,
  );
  refresh.unref();
  redis.once('end', () => clearInterval(refresh));
  return redis;
}

/** Readiness check for a client: a PING that must answer. */
export async function pingRedis(redis: Redis): Promise<void> {
  const pong = await redis.ping();
  if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
}

/**
 * Whether an error means Redis is unreachable for now (restart, network), as ioredis reports
 * it: socket error codes, a closed connection, or a command that ran out of retries.
 */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)
  ) {
    return true;
  }
  return /Connection is closed|max retries per request|Stream isn't writeable|LOADING /i.test(
    err.message,
  );
}

/** Compares two stream ids (`ms-seq`): negative, zero or positive like a sort comparator. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const dm = BigInt(am) - BigInt(bm);
  if (dm !== 0n) return dm < 0n ? -1 : 1;
  const ds = BigInt(as) - BigInt(bs);
  return ds === 0n ? 0 : ds < 0n ? -1 : 1;
}

/** Whether a string is a valid stream id (`ms-seq` or `ms`). */
export function isStreamId(id: string): boolean {
  return /^\d{1,20}(-\d{1,20})?$/.test(id);
}

/** The settings {@link redisConfigSpec} reads. */
export interface RedisConfig {
  readonly REDIS_URL: string;
  readonly REDIS_AUTH: 'password' | 'entra';
  readonly REDIS_USERNAME?: string;
}

/** Client options from the service's checked configuration, less the connection name. */
export function redisOptionsFromConfig(
  config: RedisConfig,
  credential: TokenCredential | undefined,
  logger: Logger,
): Omit<RedisClientOptions, 'connectionName'> {
  return {
    url: config.REDIS_URL,
    auth: config.REDIS_AUTH,
    credential,
    username: config.REDIS_USERNAME,
    onAuthError: (err: Error) => logger.error({ err }, 'redis token refresh failed'),
  };
}
