/** A query or path parameter the API refused, and why; answered as 400. */
export class ParamError extends Error {
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`invalid parameter '${parameter}': ${reason}`);
    this.name = 'ParamError';
  }
}

/** Device ids as the reading schema allows them. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Limits of the API's parameters; exported so docs and tests quote one source. */
export const API_LIMITS = {
  /** Longest history range one request may ask for. */
  maxHistoryRangeMs: 7 * 24 * 3600 * 1000,
  /** History range when `from` is absent. */
  defaultHistoryRangeMs: 3600 * 1000,
  /** How far back `/api/alerts` looks when `since` is absent. */
  defaultAlertsSinceMs: 24 * 3600 * 1000,
  defaultAlertsLimit: 100,
  maxAlertsLimit: 1000,
  defaultDevicesLimit: 500,
  maxDevicesLimit: 5000,
} as const;

function single(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new ParamError(name, 'must be given once, as a string');
  return raw;
}

/** A device id path parameter. */
export function parseDeviceId(raw: unknown): string {
  const v = single('id', raw);
  if (v === undefined || !DEVICE_ID_PATTERN.test(v)) {
    throw new ParamError('id', `must match ${DEVICE_ID_PATTERN} (got ${JSON.stringify(v ?? '')})`);
  }
  return v;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 instant (or epoch milliseconds); undefined when absent. */
export function parseInstant(name: string, raw: unknown): Date | undefined {
  const v = single(name, raw);
  if (v === undefined || v === '') return undefined;
  const ms = /^\d{1,15}$/.test(v) ? Number(v) : RFC3339.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ParamError(
      name,
      `must be an RFC 3339 timestamp or epoch milliseconds (got ${JSON.stringify(v)})`,
    );
  }
  return new Date(ms);
}

/** An integer in [min, max]; the default when absent. */
export function parseLimit(name: string, raw: unknown, def: number, max: number): number {
  const v = single(name, raw);
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) {
    throw new ParamError(name, `must be an integer from 1 to ${max} (got ${JSON.stringify(v)})`);
  }
  return n;
}

/** The `from`/`to` window of a history request: `to` defaults to now, `from` to an hour before. */
export function parseHistoryRange(
  query: Record<string, unknown>,
  nowMs: number = Date.now(),
): { from: Date; to: Date } {
  const to = parseInstant('to', query.to) ?? new Date(nowMs);
  const from =
    parseInstant('from', query.from) ?? new Date(to.getTime() - API_LIMITS.defaultHistoryRangeMs);
  if (from.getTime() >= to.getTime()) {
    throw new ParamError('from', `must be before to (${to.toISOString()})`);
  }
  if (to.getTime() - from.getTime() > API_LIMITS.maxHistoryRangeMs) {
    throw new ParamError(
      'from',
      `the range from..to must be at most ${API_LIMITS.maxHistoryRangeMs / 3_600_000} hours`,
    );
  }
  return { from, to };
}

/** The parameters of `GET /api/alerts`. */
export function parseAlertsQuery(
  query: Record<string, unknown>,
  nowMs: number = Date.now(),
): { since: Date; limit: number; deviceId?: string } {
  const since =
    parseInstant('since', query.since) ?? new Date(nowMs - API_LIMITS.defaultAlertsSinceMs);
  const limit = parseLimit(
    'limit',
    query.limit,
    API_LIMITS.defaultAlertsLimit,
    API_LIMITS.maxAlertsLimit,
  );
  const rawDevice = single('deviceId', query.deviceId);
  if (rawDevice !== undefined && !DEVICE_ID_PATTERN.test(rawDevice)) {
    throw new ParamError(
      'deviceId',
      `must match ${DEVICE_ID_PATTERN} (got ${JSON.stringify(rawDevice)})`,
    );
  }
  return rawDevice === undefined ? { since, limit } : { since, limit, deviceId: rawDevice };
}
