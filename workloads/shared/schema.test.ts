import { parseReading, readingSchema } from './schema';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const good = { deviceId: 'dev-1', ts: '2026-11-27T10:00:00Z', metrics: { temperature: 21.5 } };

function issuesOf(item: unknown) {
  const result = parseReading(item, { nowMs: NOW });
  if (result.ok) throw new Error('expected invalid');
  return result.issues;
}

describe('parseReading', () => {
  it('accepts a minimal reading and normalises ts to ISO UTC with milliseconds', () => {
    const result = parseReading(
      { deviceId: 'a:b.c_d-1', ts: '2026-11-27T11:00:00+01:00', seq: 3, metrics: { t: -1, h: 0 } },
      { nowMs: NOW },
    );
    expect(result).toEqual({
      ok: true,
      reading: {
        deviceId: 'a:b.c_d-1',
        ts: '2026-11-27T10:00:00.000Z',
        seq: 3,
        metrics: { t: -1, h: 0 },
      },
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object item', 42, '', /must be a JSON object, got a number/],
    ['an array item', [good], '', /got an array/],
    ['null', null, '', /got null/],
    ['a missing deviceId', { ts: good.ts, metrics: good.metrics }, '/deviceId', /is required/],
    ['an empty deviceId', { ...good, deviceId: '' }, '/deviceId', /at least 1 characters/],
    ['a too long deviceId', { ...good, deviceId: 'x'.repeat(129) }, '/deviceId', /at most 128/],
    ['a deviceId with spaces', { ...good, deviceId: 'dev 1' }, '/deviceId', /letters, digits/],
    ['a numeric deviceId', { ...good, deviceId: 7 }, '/deviceId', /must be string/],
    ['a missing ts', { deviceId: 'd', metrics: good.metrics }, '/ts', /is required/],
    ['a ts without zone', { ...good, ts: '2026-11-27T10:00:00' }, '/ts', /RFC 3339/],
    ['a date-only ts', { ...good, ts: '2026-11-27' }, '/ts', /RFC 3339/],
    ['an impossible date', { ...good, ts: '2026-02-30T10:00:00Z' }, '/ts', /RFC 3339/],
    ['an epoch number ts', { ...good, ts: 1764237600000 }, '/ts', /must be string/],
    ['a ts before 2000', { ...good, ts: '1970-01-01T00:00:00Z' }, '/ts', /before 2000/],
    ['a ts far in the future', { ...good, ts: '2026-11-29T12:00:00Z' }, '/ts', /future/],
    ['a leap second', { ...good, ts: '2026-12-31T23:59:60Z' }, '/ts', /real instant/],
    ['a fractional seq', { ...good, seq: 1.5 }, '/seq', /must be integer/],
    ['a negative seq', { ...good, seq: -1 }, '/seq', /must be >= 0/],
    ['a string seq', { ...good, seq: '1' }, '/seq', /must be integer/],
    ['missing metrics', { deviceId: 'd', ts: good.ts }, '/metrics', /is required/],
    ['empty metrics', { ...good, metrics: {} }, '/metrics', /at least 1 metrics/],
    [
      'too many metrics',
      { ...good, metrics: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i])) },
      '/metrics',
      /at most 64 metrics/,
    ],
    ['a string metric value', { ...good, metrics: { t: '21' } }, '/metrics/t', /must be number/],
    ['a null metric value', { ...good, metrics: { t: null } }, '/metrics/t', /must be number/],
    ['an infinite metric value', { ...good, metrics: { t: Infinity } }, '/metrics/t', /finite/],
    ['a NaN metric value', { ...good, metrics: { t: NaN } }, '/metrics/t', /finite/],
    ['a bad metric name', { ...good, metrics: { '9lives': 1 } }, '/metrics/9lives', /metric name/],
    [
      'a too long metric name',
      { ...good, metrics: { ['m'.repeat(65)]: 1 } },
      `/metrics/${'m'.repeat(65)}`,
      /metric name/,
    ],
    ['an unknown property', { ...good, extra: 1 }, '/extra', /not an allowed property/],
  ])('rejects %s with a path and a reason', (_name, item, path, reason) => {
    const issues = issuesOf(item);
    expect(issues).toContainEqual({ path, reason: expect.stringMatching(reason) });
  });

  it('reports every issue of an item, not just the first', () => {
    const issues = issuesOf({ deviceId: '', ts: 'yesterday', metrics: { t: '1' } });
    expect([...new Set(issues.map((i) => i.path))].sort()).toEqual([
      '/deviceId',
      '/metrics/t',
      '/ts',
    ]);
  });

  it('treats 1e999 (parsed to Infinity by JSON.parse) as not finite', () => {
    const item = JSON.parse('{"deviceId":"d","ts":"2026-11-27T10:00:00Z","metrics":{"t":1e999}}');
    expect(issuesOf(item)).toEqual([{ path: '/metrics/t', reason: 'must be a finite number' }]);
  });

  it('publishes a draft 2020-12 schema with the documented limits', () => {
    expect(readingSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(readingSchema.properties.deviceId.maxLength).toBe(128);
    expect(readingSchema.properties.metrics.maxProperties).toBe(64);
  });
});
