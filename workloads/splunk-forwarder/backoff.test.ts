import { MAX_RETRY_AFTER_MS, backoffDelayMs, retryAfterMs, sleep } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles per attempt up to the cap, half fixed and half jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, 100, 1000, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, 100, 1000, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelayMs(1000, 100, 1000, () => 0.5)).toBe(750);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-02T06:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    ['Wed, 02 Dec 2026 06:00:30 GMT', 30_000],
    ['Wed, 02 Dec 2026 05:00:00 GMT', 0],
    ['999999', MAX_RETRY_AFTER_MS],
  ])('%s → %d ms', (h, ms) => expect(retryAfterMs(h, now)).toBe(ms));
  it.each([null, undefined, '', 'soon', '-3'])('%j → undefined', (h) =>
    expect(retryAfterMs(h, now)).toBeUndefined(),
  );
});

describe('sleep', () => {
  it('ends early when the signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await p;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
