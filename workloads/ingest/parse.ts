/**
 * The ingest request body → readings step, free of HTTP framework types so express (app.ts) and
 * the raw node:http baseline (scripts/bench-ingest.ts) run exactly the same parsing and validation.
 */
import { readingIdOfNormalised } from '../shared/ids';
import { parseReading } from '../shared/schema';
import type { ReadingInput, ValidationIssue } from '../shared/schema';
import type { Reading } from '../shared/messages';

/** Media types ingest accepts for `POST /v1/telemetry`. */
export const JSON_TYPE = 'application/json';
/** Newline-delimited JSON: one reading per line. */
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'] as const;

/** One rejected item of a batch: where it was and every reason. */
export interface RejectedItem {
  /** Zero-based position among the request's items (array index, or non-blank NDJSON line). */
  readonly index: number;
  /** One-based line number, for NDJSON bodies. */
  readonly line?: number;
  readonly issues: readonly ValidationIssue[];
}

/** A request-level rejection: status and JSON body to answer with. */
export interface BodyError {
  readonly status: 400 | 413 | 415;
  readonly body: { readonly error: string; readonly [k: string]: unknown };
}

/** The outcome of parsing a body: valid readings (normalised) and the rejected items. */
export interface ParsedBody {
  readonly valid: readonly ReadingInput[];
  readonly rejected: readonly RejectedItem[];
}

/** Limits applied while parsing. */
export interface ParseLimits {
  /** Max items (readings) per request. */
  readonly maxItems: number;
  /** Server clock for the timestamp checks. */
  readonly nowMs?: number;
}

/** Which body format a Content-Type selects, or undefined for an unsupported one. */
export function bodyFormat(contentType: string | undefined): 'json' | 'ndjson' | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (charset && !['utf-8', 'utf8', '"utf-8"'].includes(charset)) return undefined;
  if (type === JSON_TYPE) return 'json';
  if ((NDJSON_TYPES as readonly string[]).includes(type)) return 'ndjson';
  return undefined;
}

/** The 415 answer for a Content-Type that is not JSON or NDJSON. */
export function unsupportedType(contentType: string | undefined): BodyError {
  return {
    status: 415,
    body: {
      error: `unsupported content type ${JSON.stringify(contentType ?? '')}; send application/json (one reading or an array) or application/x-ndjson (one reading per line), UTF-8`,
    },
  };
}

/** The 413 answer for a body over the byte limit. */
export function bodyTooLarge(maxBodyBytes: number): BodyError {
  return {
    status: 413,
    body: { error: `request body exceeds the limit of ${maxBodyBytes} bytes; split the batch` },
  };
}

/**
 * Parses a UTF-8 body in the given format into valid readings and rejected items, or a
 * request-level error: malformed JSON (400, with the NDJSON line), not a reading or array (400),
 * no items (400), too many items (413), or nothing valid (400 listing every item).
 */
export function parseTelemetryBody(
  text: string,
  format: 'json' | 'ndjson',
  limits: ParseLimits,
): ParsedBody | BodyError {
  const items: { item: unknown; line?: number }[] = [];
  const rejected: RejectedItem[] = [];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return {
        status: 400,
        body: { error: `malformed JSON: ${(error as Error).message}` },
      };
    }
    if (Array.isArray(parsed)) {
      if (parsed.length > limits.maxItems) return tooManyItems(parsed.length, limits.maxItems);
      for (const item of parsed) items.push({ item });
    } else if (typeof parsed === 'object' && parsed !== null) {
      items.push({ item: parsed });
    } else {
      return {
        status: 400,
        body: { error: 'body must be a reading object or an array of readings' },
      };
    }
  } else {
    const lines = text.split('\n');
    let count = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
      if (line.trim() === '') continue;
      if (++count > limits.maxItems) {
        return tooManyItems(lines.filter((l) => l.trim() !== '').length, limits.maxItems);
      }
      try {
        items.push({ item: JSON.parse(line), line: i + 1 });
      } catch (error) {
        // A corrupt line is one bad item, like an invalid reading: the rest of the batch stands.
        rejected.push({
          index: count - 1,
          line: i + 1,
          issues: [
            { path: '', reason: `malformed JSON on line ${i + 1}: ${(error as Error).message}` },
          ],
        });
        items.push({ item: SKIP, line: i + 1 });
      }
    }
  }
  if (items.length === 0) {
    return { status: 400, body: { error: 'no readings in the request body' } };
  }
  const valid: ReadingInput[] = [];
  items.forEach(({ item, line }, index) => {
    if (item === SKIP) return;
    const result = parseReading(item, { nowMs: limits.nowMs });
    if (result.ok) valid.push(result.reading);
    else rejected.push({ index, ...(line !== undefined ? { line } : {}), issues: result.issues });
  });
  rejected.sort((a, b) => a.index - b.index);
  if (valid.length === 0) {
    return {
      status: 400,
      body: {
        error: 'no valid readings',
        accepted: 0,
        rejected: rejected.length,
        rejectedItems: rejected,
      },
    };
  }
  return { valid, rejected };
}

const SKIP = Symbol('malformed line');

function tooManyItems(count: number, max: number): BodyError {
  return {
    status: 413,
    body: { error: `request has ${count} readings; at most ${max} per request, split the batch` },
  };
}

/** Whether a parse outcome is a request-level error. */
export function isBodyError(result: ParsedBody | BodyError): result is BodyError {
  return 'status' in result;
}

/** Stamps valid readings with their deterministic id and the time ingest received them. */
export function toReadings(valid: readonly ReadingInput[], receivedAt: string): Reading[] {
  // parseReading already normalised ts, so the id skips re-parsing it.
  return valid.map((r) => ({ id: readingIdOfNormalised(r), ...r, receivedAt }));
}
