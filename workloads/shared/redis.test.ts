import { REDIS_KEYS, compareStreamIds, isRedisConnectionError, isStreamId } from './redis';

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

describe('isRedisConnectionError', () => {
  const err = (message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), extra);

  it('recognises what ioredis reports while Redis is away', () => {
    expect(isRedisConnectionError(err('Connection is closed.'))).toBe(true);
    expect(
      isRedisConnectionError(
        err('Reached the max retries per request limit (which is 2).', {
          name: 'MaxRetriesPerRequestError',
        }),
      ),
    ).toBe(true);
    expect(isRedisConnectionError(err('connect ECONNREFUSED', { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isRedisConnectionError(err('LOADING Redis is loading the dataset in memory'))).toBe(
      true,
    );
  });

  it('leaves command errors alone', () => {
    expect(
      isRedisConnectionError(err('WRONGTYPE Operation against a key holding the wrong kind')),
    ).toBe(false);
    expect(isRedisConnectionError('Connection is closed.')).toBe(false);
  });
});
