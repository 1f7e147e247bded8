import { createHash } from 'node:crypto';
import { alertId, normaliseTs, readingId, readingIdOfNormalised } from './ids';

describe('readingId', () => {
  it('is the first 32 hex chars of sha256(deviceId \\n normalised ts \\n seq)', () => {
    const expected = createHash('sha256')
      .update('dev-1\n2026-11-27T10:00:00.000Z\n7')
      .digest('hex')
      .slice(0, 32);
    expect(readingId({ deviceId: 'dev-1', ts: '2026-11-27T10:00:00Z', seq: 7 })).toBe(expected);
  });

  it('uses an empty seq segment when seq is absent', () => {
    const expected = createHash('sha256')
      .update('dev-1\n2026-11-27T10:00:00.000Z\n')
      .digest('hex')
      .slice(0, 32);
    expect(readingId({ deviceId: 'dev-1', ts: '2026-11-27T10:00:00.000Z' })).toBe(expected);
  });

  it('gives one id to two spellings of one instant', () => {
    expect(readingId({ deviceId: 'd', ts: '2026-11-27T11:00:00+01:00' })).toBe(
      readingId({ deviceId: 'd', ts: '2026-11-27T10:00:00.000Z' }),
    );
  });

  it('distinguishes seq 0 from no seq, and different devices', () => {
    const ts = '2026-11-27T10:00:00Z';
    const ids = new Set([
      readingId({ deviceId: 'd', ts }),
      readingId({ deviceId: 'd', ts, seq: 0 }),
      readingId({ deviceId: 'e', ts }),
    ]);
    expect(ids.size).toBe(3);
  });

  it('gives the same id from an already normalised reading', () => {
    const r = { deviceId: 'd', ts: '2026-11-27T10:00:00.000Z', seq: 4 };
    expect(readingIdOfNormalised(r)).toBe(readingId({ ...r, ts: '2026-11-27T11:00:00+01:00' }));
  });

  it('throws on an unparseable timestamp', () => {
    expect(() => normaliseTs('not a date')).toThrow(RangeError);
  });
});

describe('alertId', () => {
  it('is sha256 of deviceId, rule, metric and episodeStart joined by newlines', () => {
    const a = {
      deviceId: 'd',
      rule: 'zscore',
      metric: 't',
      episodeStart: '2026-11-27T10:00:00.000Z',
    };
    const expected = createHash('sha256')
      .update('d\nzscore\nt\n2026-11-27T10:00:00.000Z')
      .digest('hex')
      .slice(0, 32);
    expect(alertId(a)).toBe(expected);
    expect(alertId({ ...a, episodeStart: '2026-11-27T10:00:01.000Z' })).not.toBe(expected);
  });
});
