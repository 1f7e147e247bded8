import fc from 'fast-check';
import {
  API_LIMITS,
  ParamError,
  parseAlertsQuery,
  parseDeviceId,
  parseHistoryRange,
  parseInstant,
  parseLimit,
} from './params';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');

function paramError(fn: () => unknown): { parameter: string; reason: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParamError) return { parameter: err.parameter, reason: err.reason };
    throw err;
  }
  throw new Error('expected a ParamError');
}

describe('parseHistoryRange', () => {
  it('defaults to the hour before now', () => {
    const { from, to } = parseHistoryRange({}, NOW);
    expect(to.toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(from.toISOString()).toBe('2026-11-27T11:00:00.000Z');
  });

  it('accepts RFC 3339 with offsets and epoch milliseconds', () => {
    const { from, to } = parseHistoryRange(
      { from: '2026-11-27T10:00:00+01:00', to: String(Date.parse('2026-11-27T10:00:00Z')) },
      NOW,
    );
    expect(from.toISOString()).toBe('2026-11-27T09:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-27T10:00:00.000Z');
  });

  it.each([
    [{ from: 'yesterday' }, 'from', /RFC 3339/],
    [{ to: '2026-13-45' }, 'to', /RFC 3339/],
    [{ from: ['2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z'] }, 'from', /given once/],
    [{ from: '2026-11-27T12:00:00Z', to: '2026-11-27T11:00:00Z' }, 'from', /before to/],
    [{ from: '2026-11-01T00:00:00Z', to: '2026-11-27T00:00:00Z' }, 'from', /at most 168 hours/],
  ])('rejects %o naming %s', (query, parameter, reason) => {
    const e = paramError(() => parseHistoryRange(query, NOW));
    expect(e.parameter).toBe(parameter);
    expect(e.reason).toMatch(reason);
  });
});

describe('parseAlertsQuery', () => {
  it('defaults to the last 24 hours and the default limit', () => {
    const q = parseAlertsQuery({}, NOW);
    expect(q.since.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(q.limit).toBe(API_LIMITS.defaultAlertsLimit);
    expect(q).not.toHaveProperty('deviceId');
  });

  it.each([
    [{ since: 'soon' }, 'since'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '5.5' }, 'limit'],
    [{ deviceId: 'bad id!' }, 'deviceId'],
  ])('rejects %o naming %s', (query, parameter) => {
    expect(paramError(() => parseAlertsQuery(query, NOW)).parameter).toBe(parameter);
  });
});

describe('single parameters', () => {
  it('device ids follow the reading schema', () => {
    expect(parseDeviceId('pump-07:a.b_c')).toBe('pump-07:a.b_c');
    expect(paramError(() => parseDeviceId('x'.repeat(129))).parameter).toBe('id');
    expect(paramError(() => parseDeviceId('a/b')).parameter).toBe('id');
  });

  it('absent values fall back to defaults', () => {
    expect(parseInstant('since', undefined)).toBeUndefined();
    expect(parseInstant('since', '')).toBeUndefined();
    expect(parseLimit('limit', undefined, 7, 10)).toBe(7);
    expect(parseLimit('limit', '10', 7, 10)).toBe(10);
  });
});

// Any value a query parser can hand over (absent, a string, repeated → array, nested → object):
// each parser returns a well-formed answer or throws a ParamError naming its parameter — never
// another exception, which the app would answer with a 500.
describe('parameter parsers: property-based', () => {
  const raw = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 30 }),
    fc.constantFrom('', '0', '1', '5000', '5001', '1e3', '-1', '01', ' 1', '0x10', 'NaN'),
    fc.constantFrom('constructor', '__proto__', 'toString', '%ZZ', '2026-02-30T00:00:00Z'),
    fc.integer({ min: 0, max: 2 ** 53 }).map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  );
  const query = fc.record(
    { from: raw, to: raw, since: raw, limit: raw, deviceId: raw },
    { requiredKeys: [] },
  );
  const known = new Set(['id', 'from', 'to', 'since', 'limit', 'deviceId']);

  function outcome(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ParamError);
      expect(known.has((err as ParamError).parameter)).toBe(true);
      return undefined;
    }
  }

  it('parseDeviceId returns an id the schema allows or throws a ParamError', () => {
    fc.assert(
      fc.property(raw, (v) => {
        const id = outcome(() => parseDeviceId(v));
        if (id !== undefined) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseHistoryRange returns a bounded range or throws a ParamError', () => {
    fc.assert(
      fc.property(query, (q) => {
        const range = outcome(() => parseHistoryRange(q, NOW)) as
          | { from: Date; to: Date }
          | undefined;
        if (!range) return;
        const span = range.to.getTime() - range.from.getTime();
        expect(span).toBeGreaterThan(0);
        expect(span).toBeLessThanOrEqual(API_LIMITS.maxHistoryRangeMs);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseAlertsQuery returns a valid instant and limit or throws a ParamError', () => {
    fc.assert(
      fc.property(query, (q) => {
        const parsed = outcome(() => parseAlertsQuery(q, NOW)) as
          | ReturnType<typeof parseAlertsQuery>
          | undefined;
        if (!parsed) return;
        expect(Number.isFinite(parsed.since.getTime())).toBe(true);
        expect(Number.isInteger(parsed.limit)).toBe(true);
        expect(parsed.limit).toBeGreaterThanOrEqual(1);
        expect(parsed.limit).toBeLessThanOrEqual(API_LIMITS.maxAlertsLimit);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseLimit and parseInstant never throw anything but a ParamError', () => {
    fc.assert(
      fc.property(raw, (v) => {
        outcome(() => parseLimit('limit', v, 10, 100));
        const at = outcome(() => parseInstant('since', v)) as Date | undefined;
        if (at) expect(Number.isFinite(at.getTime())).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
