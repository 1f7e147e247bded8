import { Detector } from './detector';
import { analyzeBatch, outputBatches, parseRawReading } from './pipeline';
import { readingId } from '../shared/ids';
import type { ConsumedMessage } from '../shared/kafka';
import type { AnalyzedReading, DeadLetter } from '../shared/messages';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
let offset = 0;
function message(value: string | null, key: string | null = 'dev-1'): ConsumedMessage {
  return {
    topic: 'telemetry.raw',
    partition: 2,
    offset: String(offset++),
    key,
    value: value === null ? null : Buffer.from(value),
    timestamp: String(NOW),
    headers: {},
  };
}
function raw(i: number, t: number, deviceId = 'dev-1') {
  const ts = new Date(NOW - 3_600_000 + i * 1000).toISOString();
  return JSON.stringify({
    id: readingId({ deviceId, ts }),
    deviceId,
    ts,
    metrics: { t },
    receivedAt: ts,
  });
}

describe('parseRawReading', () => {
  it('accepts a contract reading', () => {
    const parsed = parseRawReading(JSON.parse(raw(0, 1)));
    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['a non-object', 5, /not a JSON object/],
    [
      'a missing id',
      { deviceId: 'd', ts: '2026-11-27T10:00:00Z', metrics: { t: 1 }, receivedAt: 'x' },
      /\/id/,
    ],
    [
      'an invalid reading',
      {
        id: 'a'.repeat(32),
        deviceId: 'd',
        ts: 'noon',
        metrics: { t: 1 },
        receivedAt: '2026-11-27T10:00:00Z',
      },
      /invalid reading: \/ts/,
    ],
  ])('rejects %s with a reason', (_n, value, reason) => {
    const parsed = parseRawReading(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('analyzeBatch', () => {
  it('analyzes readings, emits alert transitions and dead-letters garbage, in order', () => {
    const detector = new Detector({ thresholds: { t: { high: 100 } }, now: () => NOW });
    const garbage = message('not json {', 'dev-1');
    const messages = [
      message(raw(0, 20)),
      garbage,
      message(null),
      message(raw(1, 150)),
      message(raw(1, 150)), // redelivered duplicate
      message(JSON.stringify({ deviceId: 'dev-1' })),
    ];
    const out = analyzeBatch(detector, messages, () => NOW);
    expect(out.analyzed.map((m) => (m.value as AnalyzedReading).metrics.t)).toEqual([20, 150]);
    expect(out.analyzed.every((m) => m.key === 'dev-1')).toBe(true);
    expect(out.alerts.map((m) => (m.value as { rule: string; state: string }).state)).toEqual([
      'open',
    ]);
    expect(out.duplicates).toBe(1);
    const deadLetters = out.deadLetters.map((m) => m.value as DeadLetter);
    expect(deadLetters).toEqual([
      {
        reason: expect.stringMatching(/^value is not JSON/),
        source: { topic: 'telemetry.raw', partition: 2, offset: garbage.offset },
        key: 'dev-1',
        value: 'not json {',
        at: new Date(NOW).toISOString(),
      },
      expect.objectContaining({ reason: 'empty value (tombstone)', value: null }),
      expect.objectContaining({ reason: expect.stringMatching(/^invalid reading/) }),
    ]);
    expect(outputBatches(out).map((b) => [b.topic, b.messages.length])).toEqual([
      ['telemetry.analyzed', 2],
      ['alerts', 1],
      ['telemetry.deadletter', 3],
    ]);
  });
});
