import { hash } from 'node:crypto';

/** Length in hex characters of every id derived here (128 bits: collisions are not a concern). */
export const ID_HEX_LENGTH = 32;

function sha256Prefix(text: string): string {
  // One-shot `crypto.hash` (Node ≥ 20.12): about half the CPU of createHash().update().digest().
  return hash('sha256', text, 'hex').slice(0, ID_HEX_LENGTH);
}

/**
 * Normalises an RFC 3339 timestamp to ISO 8601 UTC with milliseconds (`2026-11-27T10:00:00.000Z`).
 * Two spellings of one instant (`+01:00` vs `Z`, with or without fraction) map to one string, so
 * they derive one id. Sub-millisecond digits are dropped: JavaScript dates carry milliseconds.
 * @throws RangeError when the text is not a parseable instant.
 */
export function normaliseTs(ts: string): string {
  const ms = Date.parse(ts);
  if (!Number.isFinite(ms)) throw new RangeError(`not a timestamp: ${JSON.stringify(ts)}`);
  return new Date(ms).toISOString();
}

/**
 * The deterministic reading id of the message contract: first 32 hex characters of
 * sha256(`${deviceId}\n${normalised ts}\n${seq ?? ''}`). A replayed reading gets the same id, which
 * makes the Cosmos upsert and every downstream sink idempotent.
 */
export function readingId(reading: { deviceId: string; ts: string; seq?: number }): string {
  return readingIdOfNormalised({ ...reading, ts: normaliseTs(reading.ts) });
}

/**
 * {@link readingId} for a reading whose `ts` is already normalised (as `parseReading` returns it):
 * skips re-parsing the timestamp on the ingest hot path. Same result for such input.
 */
export function readingIdOfNormalised(reading: {
  deviceId: string;
  ts: string;
  seq?: number;
}): string {
  return sha256Prefix(`${reading.deviceId}\n${reading.ts}\n${reading.seq ?? ''}`);
}

/**
 * The deterministic alert id of the message contract: first 32 hex characters of
 * sha256(`${deviceId}\n${rule}\n${metric}\n${episodeStart}`). The open and the resolve of one
 * episode share it; consumers dedupe on (alertId, state).
 */
export function alertId(alert: {
  deviceId: string;
  rule: string;
  metric: string;
  episodeStart: string;
}): string {
  return sha256Prefix(`${alert.deviceId}\n${alert.rule}\n${alert.metric}\n${alert.episodeStart}`);
}
