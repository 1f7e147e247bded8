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
