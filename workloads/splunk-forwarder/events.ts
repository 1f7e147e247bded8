/**
 * One consumed record → one HTTP Event Collector event, or the reason it cannot be one. Pure, so
 * the exact shape Splunk receives is unit-tested without Kafka or HTTP.
 */
import type { ConsumedMessage } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { AlertMessage, AnalyzedReading } from '../shared/messages';

/**
 * The HEC event envelope the forwarder sends (`/services/collector/event`, one JSON object per
 * event, batches concatenated). `fields` are indexed fields: flat, string values only.
 */
export interface HecEvent {
  /** Event time in epoch seconds with millisecond precision (the reading's or alert's `ts`). */
  readonly time: number;
  /** The device the reading or alert is about. */
  readonly host: string;
  readonly source: string;
  readonly sourcetype: string;
  readonly index: string;
  /** The Kafka record's value, unchanged (an AnalyzedReading or an AlertMessage). */
  readonly event: AnalyzedReading | AlertMessage;
  /** Indexed fields (searchable as `field::value`, no search-time extraction needed). */
  readonly fields: Readonly<Record<string, string>>;
}

/** Where the events go: index, source and one sourcetype per record kind. */
export interface EventTarget {
  readonly index: string;
  readonly source: string;
  readonly readingSourcetype: string;
  readonly alertSourcetype: string;
}

/** A record that maps to an event: the event, its serialized form, and its id. */
export interface MappedEvent {
  readonly ok: true;
  readonly event: HecEvent;
  /** `JSON.stringify(event)`: what goes into the request body. */
  readonly json: string;
  /** UTF-8 bytes of `json`. */
  readonly bytes: number;
  /** The deterministic event id (also `fields.event_id`). */
  readonly eventId: string;
}

/** A record that does not map, and why (the dead letter's reason). */
export interface UnmappableRecord {
  readonly ok: false;
  readonly reason: string;
}

const HEX32 = /^[0-9a-f]{32}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Epoch seconds with millisecond precision, or undefined for a string that is no instant. */
export function epochSeconds(ts: unknown): number | undefined {
  if (typeof ts !== 'string') return undefined;
  const ms = Date.parse(ts);
  if (!Number.isFinite(ms)) return undefined;
  // integer milliseconds / 1000: JSON prints e.g. 1733130000.123, never 1733130000.1230001
  return Math.round(ms) / 1000;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/**
 * Maps one record of `telemetry.analyzed` or `alerts` to a HEC event.
 *
 * - readings: `event_id` = the reading id (`readingId`), `kind=reading`, `anomalous`;
 * - alerts: `event_id` = `<alertId>:<state>` (an episode's open and resolve are two events),
 *   `kind=alert`, `alert_id`, `state`, `severity`, `rule`, `metric`.
 *
 * The event id is what a search dedupes on (`| dedup event_id`): a record sent twice (a
 * batch resent after a lost acknowledgement, or produced twice upstream) carries the same one.
 */
export function toHecEvent(
  message: ConsumedMessage,
  target: EventTarget,
): MappedEvent | UnmappableRecord {
  if (message.value === null) return { ok: false, reason: 'empty value (tombstone)' };
  let value: unknown;
  try {
    value = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, reason: 'value is not a JSON object' };
  let event: HecEvent;
  if (message.topic === TOPICS.analyzed) {
    const time = epochSeconds(value.ts);
    if (typeof value.id !== 'string' || !HEX32.test(value.id)) {
      return {
        ok: false,
        reason: 'invalid analyzed reading: /id must be 32 lowercase hex characters',
      };
    }
    if (!nonEmpty(value.deviceId)) {
      return {
        ok: false,
        reason: 'invalid analyzed reading: /deviceId must be a non-empty string',
      };
    }
    if (time === undefined)
      return { ok: false, reason: 'invalid analyzed reading: /ts must be a timestamp' };
    event = {
      time,
      host: value.deviceId,
      source: target.source,
      sourcetype: target.readingSourcetype,
      index: target.index,
      event: value as unknown as AnalyzedReading,
      fields: {
        event_id: value.id,
        kind: 'reading',
        anomalous: value.anomalous === true ? 'true' : 'false',
      },
    };
  } else if (message.topic === TOPICS.alerts) {
    const time = epochSeconds(value.ts);
    if (typeof value.alertId !== 'string' || !HEX32.test(value.alertId)) {
      return { ok: false, reason: 'invalid alert: /alertId must be 32 lowercase hex characters' };
    }
    if (!nonEmpty(value.deviceId))
      return { ok: false, reason: 'invalid alert: /deviceId must be a non-empty string' };
    if (value.state !== 'open' && value.state !== 'resolved') {
      return { ok: false, reason: 'invalid alert: /state must be open or resolved' };
    }
    if (time === undefined) return { ok: false, reason: 'invalid alert: /ts must be a timestamp' };
    for (const k of ['severity', 'rule', 'metric'] as const) {
      if (!nonEmpty(value[k]))
        return { ok: false, reason: `invalid alert: /${k} must be a non-empty string` };
    }
    event = {
      time,
      host: value.deviceId,
      source: target.source,
      sourcetype: target.alertSourcetype,
      index: target.index,
      event: value as unknown as AlertMessage,
      fields: {
        event_id: `${value.alertId}:${value.state}`,
        kind: 'alert',
        alert_id: value.alertId,
        state: value.state,
        severity: value.severity as string,
        rule: value.rule as string,
        metric: value.metric as string,
      },
    };
  } else {
    return { ok: false, reason: `topic ${message.topic} is not forwarded to Splunk` };
  }
  const json = JSON.stringify(event);
  return { ok: true, event, json, bytes: Buffer.byteLength(json), eventId: event.fields.event_id };
}
