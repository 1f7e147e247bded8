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
