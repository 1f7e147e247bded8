import fc from 'fast-check';
import { bodyFormat, isBodyError, parseTelemetryBody, toReadings } from './parse';
import type { BodyError, ParsedBody } from './parse';
import { readingId } from '../shared/ids';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const limits = { maxItems: 3, nowMs: NOW };
const r = (deviceId: string, t = 1) => ({ deviceId, ts: '2026-11-27T10:00:00Z', metrics: { t } });

function ok(result: ParsedBody | BodyError): ParsedBody {
  if (isBodyError(result)) throw new Error(`expected readings, got ${JSON.stringify(result)}`);
  return result;
}
function err(result: ParsedBody | BodyError): BodyError {
  if (!isBodyError(result)) throw new Error('expected an error');
  return result;
}

describe('bodyFormat', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON;charset=UTF-8', 'json'],
    ['application/x-ndjson', 'ndjson'],
    ['application/ndjson; charset=utf-8', 'ndjson'],
    ['text/plain', undefined],
    ['application/json; charset=latin1', undefined],
    [undefined, undefined],
  ])('maps %s to %s', (contentType, format) => {
    expect(bodyFormat(contentType)).toBe(format);
  });
});

describe('parseTelemetryBody', () => {
  it('takes one reading object', () => {
    expect(ok(parseTelemetryBody(JSON.stringify(r('a')), 'json', limits)).valid).toHaveLength(1);
  });

  it('takes an array and lists the invalid items with index, path and reason', () => {
    const body = JSON.stringify([r('a'), { ...r('b'), ts: 'noon' }, r('c')]);
    const result = ok(parseTelemetryBody(body, 'json', limits));
    expect(result.valid.map((v) => v.deviceId)).toEqual(['a', 'c']);
    expect(result.rejected).toEqual([
      { index: 1, issues: [{ path: '/ts', reason: expect.stringContaining('RFC 3339') }] },
    ]);
  });

  it('takes NDJSON, skipping blank lines and CRLF, and names the line of a malformed one', () => {
    const body = `${JSON.stringify(r('a'))}\r\n\n{"deviceId": "b",\n${JSON.stringify(r('c'))}\n`;
    const result = ok(parseTelemetryBody(body, 'ndjson', limits));
    expect(result.valid.map((v) => v.deviceId)).toEqual(['a', 'c']);
    expect(result.rejected).toEqual([
      {
        index: 1,
        line: 3,
        issues: [{ path: '', reason: expect.stringMatching(/^malformed JSON on line 3: /) }],
      },
    ]);
  });

  it('answers 400 naming the problem for malformed JSON', () => {
    const e = err(parseTelemetryBody('{"deviceId": ', 'json', limits));
    expect(e.status).toBe(400);
    expect(e.body.error).toMatch(/^malformed JSON: /);
  });

  it.each([
    ['a bare number', '42', /reading object or an array/],
    ['an empty array', '[]', /no readings/],
  ])('answers 400 for %s', (_name, body, message) => {
    const e = err(parseTelemetryBody(body, 'json', limits));
    expect(e.status).toBe(400);
    expect(e.body.error).toMatch(message);
  });

  it('answers 400 for an empty NDJSON body', () => {
    expect(err(parseTelemetryBody('\n\n', 'ndjson', limits)).status).toBe(400);
  });

  it('answers 400 listing every item when nothing is valid', () => {
    const e = err(parseTelemetryBody(JSON.stringify([{}, r('')]), 'json', limits));
    expect(e.status).toBe(400);
    expect(e.body).toMatchObject({ error: 'no valid readings', accepted: 0, rejected: 2 });
    expect((e.body.rejectedItems as { index: number }[]).map((i) => i.index)).toEqual([0, 1]);
  });

  it('answers 413 when a request has more items than allowed, array or NDJSON', () => {
    const items = [r('a'), r('b'), r('c'), r('d')];
    const a = err(parseTelemetryBody(JSON.stringify(items), 'json', limits));
    expect(a).toEqual({
      status: 413,
      body: { error: 'request has 4 readings; at most 3 per request, split the batch' },
    });
    const n = err(
      parseTelemetryBody(items.map((i) => JSON.stringify(i)).join('\n'), 'ndjson', limits),
    );
    expect(n.status).toBe(413);
  });
});

describe('toReadings', () => {
  it('adds the deterministic id and receivedAt', () => {
    const [reading] = toReadings(
      [{ deviceId: 'a', ts: '2026-11-27T10:00:00.000Z', metrics: { t: 1 } }],
      '2026-11-27T12:00:00.000Z',
    );
    expect(reading).toEqual({
      id: readingId({ deviceId: 'a', ts: '2026-11-27T10:00:00.000Z' }),
      deviceId: 'a',
      ts: '2026-11-27T10:00:00.000Z',
      metrics: { t: 1 },
      receivedAt: '2026-11-27T12:00:00.000Z',
    });
  });
});

/** Names that collide with what every plain JavaScript object inherits. */
const OBJECT_INTERNALS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

describe('names that collide with object internals', () => {
  it('accepts them as device ids and metric names and keeps every one as an own key', () => {
    // JSON text, not an object literal: a literal's __proto__ would set the prototype.
    const metrics = `{${OBJECT_INTERNALS.map((m, i) => `"${m}":${i}`).join(',')}}`;
    const body = OBJECT_INTERNALS.map(
      (id) => `{"deviceId":"${id}","ts":"2026-11-27T10:00:00Z","metrics":${metrics}}`,
    ).join('\n');
    const result = ok(parseTelemetryBody(body, 'ndjson', { maxItems: 10, nowMs: NOW }));
    expect(result.rejected).toEqual([]);
    expect(result.valid.map((v) => v.deviceId)).toEqual(OBJECT_INTERNALS);
    for (const reading of toReadings(result.valid, '2026-11-27T12:00:00.000Z')) {
      expect(Object.keys(reading.metrics)).toEqual(OBJECT_INTERNALS);
      expect(Object.getPrototypeOf(reading.metrics)).toBe(Object.prototype);
      // What goes to Kafka and Cosmos still carries every metric.
      expect(Object.keys(JSON.parse(JSON.stringify(reading)).metrics)).toEqual(OBJECT_INTERNALS);
    }
  });
});

// Any body in either format: a ParsedBody with at least one valid reading, or a 400/413 — never
// an exception. The arbitraries mix random text, random JSON and near-valid readings, so both the
// JSON layer and the schema layer are exercised.
describe('parseTelemetryBody: property-based', () => {
  const name = fc.oneof(
    fc.constantFrom(...OBJECT_INTERNALS, 'temp', 'a.b-c', '', '1x', 'x'.repeat(65)),
    fc.string({ maxLength: 8 }),
  );
  const value = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(1e308, -0, '1', null, true, [], {}),
  );
  const nearReading = fc.record(
    {
      deviceId: fc.oneof(name, fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/)),
      ts: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('2026-11-27T10:00:00Z', '2026-02-30T00:00:00Z', '1999-12-31T23:59:59Z', ''),
        fc.string({ maxLength: 30 }),
      ),
      seq: fc.oneof(fc.nat(), fc.integer(), fc.double()),
      metrics: fc.oneof(
        fc.dictionary(name, value, { maxKeys: 5 }),
        fc.array(value, { maxLength: 2 }),
        value,
      ),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const item = fc.oneof({ weight: 3, arbitrary: nearReading }, fc.jsonValue({ maxDepth: 2 }));
  const jsonBody = fc.oneof(
    fc.array(item, { maxLength: 6 }).map((items) => JSON.stringify(items)),
    item.map((i) => JSON.stringify(i) ?? 'null'),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
  const ndjsonBody = fc.oneof(
    fc
      .array(
        fc.oneof(
          item.map((i) => JSON.stringify(i) ?? ''),
          fc.string({ maxLength: 20 }),
        ),
        {
          maxLength: 6,
        },
      )
      .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol))),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  const property = (body: string, format: 'json' | 'ndjson') => {
    const result = parseTelemetryBody(body, format, { maxItems: 5, nowMs: NOW });
    if (isBodyError(result)) {
      expect([400, 413]).toContain(result.status);
      expect(typeof result.body.error).toBe('string');
    } else {
      expect(result.valid.length).toBeGreaterThan(0);
      for (const r of result.valid) expect(Number.isFinite(Date.parse(r.ts))).toBe(true);
      for (const rejected of result.rejected) expect(rejected.issues.length).toBeGreaterThan(0);
    }
  };

  it('answers any JSON body with readings or a 4xx, never an exception', () => {
    fc.assert(
      fc.property(jsonBody, (body) => property(body, 'json')),
      { numRuns: 1000 },
    );
  });

  it('answers any NDJSON body with readings or a 4xx, never an exception', () => {
    fc.assert(
      fc.property(ndjsonBody, (body) => property(body, 'ndjson')),
      { numRuns: 1000 },
    );
  });
});
