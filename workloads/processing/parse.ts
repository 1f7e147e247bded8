import type { AlertMessage, AnalyzedReading } from '../shared/messages';

/** Outcome of parsing one Kafka value: the message, or why it cannot be processed. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInstant(v: unknown): v is string {
  return typeof v === 'string' && Number.isFinite(Date.parse(v));
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function json(value: Buffer | string | null): Parsed<Record<string, unknown>> {
  if (value === null) return { ok: false, reason: 'empty value (tombstone)' };
  let body: unknown;
  try {
    body = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'value is not JSON' };
  }
  return isObject(body)
    ? { ok: true, value: body }
    : { ok: false, reason: 'value is not a JSON object' };
}

/**
 * Parses a `telemetry.analyzed` value, checking only what processing relies on (ids, instants,
 * finite metric values, score): analysis already validated the rest upstream.
 */
export function parseAnalyzed(value: Buffer | string | null): Parsed<AnalyzedReading> {
  const j = json(value);
  if (!j.ok) return j;
  const m = j.value;
  if (typeof m.id !== 'string' || m.id.length === 0) return { ok: false, reason: 'id is missing' };
  if (typeof m.deviceId !== 'string' || m.deviceId.length === 0)
    return { ok: false, reason: 'deviceId is missing' };
  if (!isInstant(m.ts)) return { ok: false, reason: 'ts is not a timestamp' };
  if (!isObject(m.metrics)) return { ok: false, reason: 'metrics is not an object' };
  for (const [name, v] of Object.entries(m.metrics)) {
    if (!isFiniteNumber(v)) return { ok: false, reason: `metrics.${name} is not a finite number` };
  }
  if (!isFiniteNumber(m.score)) return { ok: false, reason: 'score is not a finite number' };
  if (typeof m.anomalous !== 'boolean') return { ok: false, reason: 'anomalous is not a boolean' };
  return { ok: true, value: m as unknown as AnalyzedReading };
}

/** Parses an `alerts` value, checking every field the alerts table stores. */
export function parseAlert(value: Buffer | string | null): Parsed<AlertMessage> {
  const j = json(value);
  if (!j.ok) return j;
  const a = j.value;
  for (const k of ['alertId', 'deviceId', 'rule', 'metric', 'readingId'] as const) {
    if (typeof a[k] !== 'string' || (a[k] as string).length === 0)
      return { ok: false, reason: `${k} is missing` };
  }
  if (typeof a.message !== 'string') return { ok: false, reason: 'message is missing' };
  if (a.state !== 'open' && a.state !== 'resolved')
    return { ok: false, reason: "state is not 'open' or 'resolved'" };
  if (a.severity !== 'warning' && a.severity !== 'critical')
    return { ok: false, reason: "severity is not 'warning' or 'critical'" };
  if (!isFiniteNumber(a.value)) return { ok: false, reason: 'value is not a finite number' };
  if (!isFiniteNumber(a.score)) return { ok: false, reason: 'score is not a finite number' };
  if (a.threshold !== undefined && a.threshold !== null && !isFiniteNumber(a.threshold))
    return { ok: false, reason: 'threshold is not a finite number' };
  if (!isInstant(a.ts)) return { ok: false, reason: 'ts is not a timestamp' };
  if (!isInstant(a.episodeStart)) return { ok: false, reason: 'episodeStart is not a timestamp' };
  return { ok: true, value: a as unknown as AlertMessage };
}
