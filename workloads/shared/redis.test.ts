import { REDIS_KEYS, compareStreamIds, isStreamId } from './redis';

describe('compareStreamIds', () => {
  it('orders by milliseconds, then sequence, numerically rather than as text', () => {
    const ids = ['1700000000000-10', '1700000000000-2', '999-0', '1700000000001-0'];
    expect([...ids].sort(compareStreamIds)).toEqual([
      '999-0',
      '1700000000000-2',
      '1700000000000-10',
      '1700000000001-0',
    ]);
    expect(compareStreamIds('5-1', '5-1')).toBe(0);
    expect(compareStreamIds('5', '5-0')).toBe(0);
  });
});

describe('isStreamId', () => {
  it.each(['0-0', '1764237600123-7', '1764237600123'])('accepts %s', (id) => {
    expect(isStreamId(id)).toBe(true);
  });

  it.each(['', '$', '+', '1-2-3', 'abc', '12-', '1'.repeat(21)])('refuses %s', (id) => {
    expect(isStreamId(id)).toBe(false);
  });
});

describe('REDIS_KEYS', () => {
  it('keeps the stream and its dedupe set in one cluster slot (same hash tag)', () => {
    // Redis hashes only the {…} part when present: both keys must hash "alerts:stream".
    expect(REDIS_KEYS.alertsStream).toBe('alerts:stream');
    expect(REDIS_KEYS.alertsNotified.startsWith('{alerts:stream}')).toBe(true);
  });
});
