import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import readingSchemaJson from './reading.schema.json';

/** The published JSON Schema (draft 2020-12) of a reading; also served in ingest's OpenAPI document. */
export const readingSchema = readingSchemaJson;

/** A reading as a device sends it (see `reading.schema.json`). */
export interface ReadingInput {
  /** Stable device identifier, 1-128 characters of `[A-Za-z0-9._:-]`. */
  readonly deviceId: string;
  /** Measurement instant; after parsing always ISO 8601 UTC with milliseconds. */
  readonly ts: string;
  /** Optional per-device sequence number (non-negative safe integer). */
  readonly seq?: number;
  /** Finite values by metric name, 1-64 of them. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** One reason an item is not a valid reading. */
export interface ValidationIssue {
  /** JSON Pointer into the item (`''` is the item itself, `/metrics/temp` a metric). */
  readonly path: string;
  /** Human-readable reason, lower case. */
  readonly reason: string;
}

/** Outcome of {@link parseReading}: a normalised reading, or every issue found. */
export type ParseResult =
  | { readonly ok: true; readonly reading: ReadingInput }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Limits checked beyond the JSON Schema; exposed so tests and docs quote one source. */
export const READING_LIMITS = {
  /** Earliest accepted measurement instant: anything before is a device with an unset clock. */
  minTs: '2000-01-01T00:00:00.000Z',
  /** How far ahead of the server clock a reading may be stamped (clock skew allowance). */
  maxFutureSkewMs: 24 * 60 * 60 * 1000,
} as const;

/** Options of {@link parseReading}. */
export interface ParseOptions {
  /**
   * The server clock, for the future-skew check.
   * @default - Date.now()
   */
  readonly nowMs?: number;
}

// Compiled once per process: compiling per request costs more than validating. strictNumbers is
// off so Infinity/NaN reach our own check, which gives the clearer "must be a finite number".
const ajv = new Ajv2020({ allErrors: true, strict: true, strictNumbers: false });
addFormats(ajv, ['date-time']);
const validateSchema = ajv.compile<ReadingInput>(readingSchemaJson);

function describe(error: ErrorObject): ValidationIssue {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${error.instancePath}/${String(p.missingProperty)}`, reason: 'is required' };
    case 'additionalProperties':
      return {
        path: `${error.instancePath}/${String(p.additionalProperty)}`,
        reason: 'is not an allowed property (allowed: deviceId, ts, seq, metrics)',
      };
    case 'type':
      return { path: error.instancePath, reason: `must be ${String(p.type)}` };
    case 'format':
      return {
        path: error.instancePath,
        reason: 'must be an RFC 3339 timestamp with a time zone, e.g. 2026-11-27T10:00:00.000Z',
      };
    case 'pattern':
      return error.instancePath === '/deviceId'
        ? { path: error.instancePath, reason: 'may only contain letters, digits and . _ : -' }
        : { path: error.instancePath, reason: `must match ${String(p.pattern)}` };
    case 'propertyNames':
      return { path: error.instancePath, reason: 'has an invalid metric name' };
    case 'minLength':
    case 'maxLength':
      return {
        path: error.instancePath,
        reason: `must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters`,
      };
    case 'minProperties':
    case 'maxProperties':
      return {
        path: error.instancePath,
        reason: `must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(p.limit)} metrics`,
      };
    case 'minimum':
    case 'maximum':
      return {
        path: error.instancePath,
        reason: `must be ${String(p.comparison)} ${String(p.limit)}`,
      };
    default:
      return { path: error.instancePath, reason: error.message ?? error.keyword };
  }
}

/** {@link READING_LIMITS}.minTs in epoch milliseconds, parsed once. */
const MIN_TS_MS = Date.parse(READING_LIMITS.minTs);

/**
 * Parses one untrusted item into a {@link ReadingInput}: JSON Schema first (compiled once), then
 * what JSON Schema cannot say — finite numbers (`1e999` parses to Infinity), a real calendar
 * instant within sane bounds. Returns every issue with a path and a reason, never throws.
 * The returned reading has `ts` normalised, so callers never validate it again.
 */
export function parseReading(item: unknown, options: ParseOptions = {}): ParseResult {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return {
      ok: false,
      issues: [{ path: '', reason: `must be a JSON object, got ${kindOf(item)}` }],
    };
  }
  const issues: ValidationIssue[] = [];
  if (!validateSchema(item)) {
    const seen = new Set<string>();
    for (const error of validateSchema.errors ?? []) {
      // propertyNames reports both the name and the wrapper error; keep one line per path+reason.
      if (error.keyword === 'propertyNames') continue;
      const issue =
        error.propertyName !== undefined
          ? {
              path: `${error.instancePath}/${escapePointer(error.propertyName)}`,
              reason: `is not a valid metric name: it ${describe(error).reason}`,
            }
          : describe(error);
      const key = `${issue.path}\u0000${issue.reason}`;
      if (!seen.has(key)) {
        seen.add(key);
        issues.push(issue);
      }
    }
  }
  const candidate = item as Record<string, unknown>;
  const metrics = candidate.metrics;
  if (typeof metrics === 'object' && metrics !== null && !Array.isArray(metrics)) {
    for (const name of Object.keys(metrics)) {
      const value = (metrics as Record<string, unknown>)[name];
      if (typeof value === 'number' && !Number.isFinite(value)) {
        issues.push({ path: `/metrics/${escapePointer(name)}`, reason: 'must be a finite number' });
      }
    }
  }
  let ts: string | undefined;
  if (typeof candidate.ts === 'string' && !issues.some((i) => i.path === '/ts')) {
    const ms = Date.parse(candidate.ts);
    const nowMs = options.nowMs ?? Date.now();
    if (!Number.isFinite(ms)) {
      issues.push({ path: '/ts', reason: 'is not a real instant (leap seconds are not accepted)' });
    } else if (ms < MIN_TS_MS) {
      issues.push({ path: '/ts', reason: `must not be before ${READING_LIMITS.minTs}` });
    } else if (ms > nowMs + READING_LIMITS.maxFutureSkewMs) {
      issues.push({ path: '/ts', reason: 'must not be more than 24 hours in the future' });
    } else {
      ts = new Date(ms).toISOString(); // = normaliseTs, without parsing twice
    }
  }
  if (issues.length > 0 || ts === undefined) return { ok: false, issues };
  const reading: ReadingInput =
    candidate.seq !== undefined
      ? {
          deviceId: candidate.deviceId as string,
          ts,
          seq: candidate.seq as number,
          metrics: candidate.metrics as Record<string, number>,
        }
      : {
          deviceId: candidate.deviceId as string,
          ts,
          metrics: candidate.metrics as Record<string, number>,
        };
  return { ok: true, reading };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
