/**
 * One consumed batch of `telemetry.raw` → the messages to produce: analyzed readings, alert
 * transitions and dead letters. Pure apart from the detector's state, so it is unit-tested
 * without Kafka; server.ts produces the result and only then lets the consumer commit.
 */
import type { Detector } from './detector';
import type { ConsumedMessage, OutgoingMessage } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { DeadLetter, Reading } from '../shared/messages';
import { parseReading } from '../shared/schema';

/** A `telemetry.raw` value checked against the contract, or the reason it is not one. */
export type RawParse = { ok: true; reading: Reading } | { ok: false; reason: string };

/**
 * Checks a decoded `telemetry.raw` value: the reading schema (ingest already validated it, but a
 * topic has other producers and bugs) plus `id` and `receivedAt`. The future-skew check is off:
 * a replayed stream may legitimately be old or, after a clock fix, ahead.
 */
export function parseRawReading(value: unknown): RawParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'value is not a JSON object' };
  }
  const { id, receivedAt, ...input } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) {
    return { ok: false, reason: 'invalid reading: /id must be 32 lowercase hex characters' };
  }
  if (typeof receivedAt !== 'string' || !Number.isFinite(Date.parse(receivedAt))) {
    return { ok: false, reason: 'invalid reading: /receivedAt must be a timestamp' };
  }
  const parsed = parseReading(input, { nowMs: Number.MAX_SAFE_INTEGER / 2 });
  if (!parsed.ok) {
    return {
      ok: false,
      reason: `invalid reading: ${parsed.issues.map((i) => `${i.path || '/'} ${i.reason}`).join('; ')}`,
    };
  }
  return { ok: true, reading: { id, ...parsed.reading, receivedAt } };
}

/** What a batch yields, grouped by destination topic. */
export interface BatchOutput {
  readonly analyzed: OutgoingMessage[];
  readonly alerts: OutgoingMessage[];
  readonly deadLetters: OutgoingMessage[];
  /** Readings dropped as duplicates of ones already analyzed. */
  readonly duplicates: number;
}

/** Runs each message through the detector in offset order; bad messages become dead letters. */
export function analyzeBatch(
  detector: Detector,
  messages: readonly ConsumedMessage[],
  now: () => number = Date.now,
): BatchOutput {
  const out: BatchOutput = { analyzed: [], alerts: [], deadLetters: [], duplicates: 0 };
  let duplicates = 0;
  for (const message of messages) {
    const text = message.value?.toString('utf8') ?? null;
    let reason: string | undefined;
    let reading: Reading | undefined;
    if (text === null) {
      reason = 'empty value (tombstone)';
    } else {
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch (error) {
        reason = `value is not JSON: ${(error as Error).message}`;
      }
      if (reason === undefined) {
        const parsed = parseRawReading(decoded);
        if (parsed.ok) reading = parsed.reading;
        else reason = parsed.reason;
      }
    }
    if (!reading) {
      const deadLetter: DeadLetter = {
        reason: reason ?? 'unknown',
        source: { topic: message.topic, partition: message.partition, offset: message.offset },
        key: message.key,
        value: text,
        at: new Date(now()).toISOString(),
      };
      out.deadLetters.push({ key: message.key, value: deadLetter });
      continue;
    }
    const result = detector.process(reading);
    if (!result.analyzed) {
      duplicates++;
      continue;
    }
    out.analyzed.push({ key: reading.deviceId, value: result.analyzed });
    for (const alert of result.alerts) out.alerts.push({ key: alert.deviceId, value: alert });
  }
  return { ...out, duplicates };
}

/** The produce request for a batch's output (empty topics left out). */
export function outputBatches(output: BatchOutput) {
  return [
    { topic: TOPICS.analyzed, messages: output.analyzed },
    { topic: TOPICS.alerts, messages: output.alerts },
    { topic: TOPICS.deadLetter, messages: output.deadLetters },
  ].filter((b) => b.messages.length > 0);
}
