import { parseAlert, parseAnalyzed } from './parse';

const analyzed = {
  id: 'abc',
  deviceId: 'd1',
  ts: '2026-11-27T10:00:00.000Z',
  metrics: { temp: 21.5 },
  receivedAt: '2026-11-27T10:00:00.100Z',
  features: { temp: { mean: 21, std: 1, z: 0.5, ewma: 21.2, n: 10 } },
  score: 0.5,
  anomalous: false,
  analyzedAt: '2026-11-27T10:00:00.200Z',
};

const alert = {
  alertId: 'a1',
  deviceId: 'd1',
  rule: 'threshold.high',
  metric: 'temp',
  state: 'open',
  severity: 'critical',
  value: 99,
  threshold: 80,
  score: 7,
  episodeStart: '2026-11-27T10:00:00.000Z',
  ts: '2026-11-27T10:00:00.000Z',
  readingId: 'abc',
  message: 'temp 99 above 80',
};

describe('parseAnalyzed', () => {
  it('accepts a contract message from a Buffer', () => {
    const p = parseAnalyzed(Buffer.from(JSON.stringify(analyzed)));
    expect(p).toEqual({ ok: true, value: analyzed });
  });

  it.each([
    [null, 'empty value (tombstone)'],
    ['{nope', 'value is not JSON'],
    ['[1]', 'value is not a JSON object'],
    [JSON.stringify({ ...analyzed, id: '' }), 'id is missing'],
    [JSON.stringify({ ...analyzed, ts: 'yesterday' }), 'ts is not a timestamp'],
    [
      JSON.stringify({ ...analyzed, metrics: { temp: 'hot' } }),
      'metrics.temp is not a finite number',
    ],
    [JSON.stringify({ ...analyzed, score: null }), 'score is not a finite number'],
  ])('rejects %s with the reason', (value, reason) => {
    expect(parseAnalyzed(value)).toEqual({ ok: false, reason });
  });
});

describe('parseAlert', () => {
  it('accepts a contract alert, threshold optional', () => {
    expect(parseAlert(JSON.stringify(alert)).ok).toBe(true);
    const { threshold: _t, ...withoutThreshold } = alert;
    expect(parseAlert(JSON.stringify(withoutThreshold)).ok).toBe(true);
  });

  it.each([
    [{ state: 'closed' }, "state is not 'open' or 'resolved'"],
    [{ severity: 'info' }, "severity is not 'warning' or 'critical'"],
    [{ alertId: 7 }, 'alertId is missing'],
    [{ episodeStart: 'x' }, 'episodeStart is not a timestamp'],
    [{ threshold: 'high' }, 'threshold is not a finite number'],
  ])('rejects %o', (patch, reason) => {
    expect(parseAlert(JSON.stringify({ ...alert, ...patch }))).toEqual({ ok: false, reason });
  });
});
