import type { ConsumedMessage } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import { epochSeconds, toHecEvent } from './events';

const target = {
  index: 'iot',
  source: 'iot-streaming-platform',
  readingSourcetype: 'iot:telemetry:analyzed',
  alertSourcetype: 'iot:alert',
};
const id = 'a'.repeat(32);
const alertId = 'b'.repeat(32);

function record(topic: string, value: unknown): ConsumedMessage {
  return {
    topic,
    partition: 2,
    offset: '41',
    key: 'dev-1',
    value:
      value === null
        ? null
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: '0',
    headers: {},
  };
}

const reading = {
  id,
  deviceId: 'dev-1',
  ts: '2026-12-02T05:00:00.123Z',
  seq: 7,
  metrics: { temperature: 21.5 },
  receivedAt: '2026-12-02T05:00:00.200Z',
  features: { temperature: { mean: 21, std: 0.5, z: 1, ewma: 21.1, n: 40 } },
  score: 1,
  anomalous: false,
  analyzedAt: '2026-12-02T05:00:00.300Z',
};
const alert = {
  alertId,
  deviceId: 'dev-1',
  rule: 'threshold.high',
  metric: 'temperature',
  state: 'open',
  severity: 'critical',
  value: 55,
  threshold: 50,
  score: 9,
  episodeStart: '2026-12-02T05:00:01.000Z',
  ts: '2026-12-02T05:00:01.000Z',
  readingId: id,
  message: 'temperature 55 above 50',
};

describe('toHecEvent', () => {
  it('maps an analysed reading to the documented envelope, value unchanged', () => {
    const out = toHecEvent(record(TOPICS.analyzed, reading), target);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.event).toEqual({
      time: 1796187600.123,
      host: 'dev-1',
      source: 'iot-streaming-platform',
      sourcetype: 'iot:telemetry:analyzed',
      index: 'iot',
      event: reading,
      fields: { event_id: id, kind: 'reading', anomalous: 'false' },
    });
    expect(out.eventId).toBe(id);
    expect(JSON.parse(out.json)).toEqual(out.event);
    expect(out.bytes).toBe(Buffer.byteLength(out.json));
    // epoch seconds with milliseconds, printed without float noise
    expect(out.json).toContain('"time":1796187600.123,');
  });

  it('maps an alert transition with its own sourcetype and an event id per episode and state', () => {
    const open = toHecEvent(record(TOPICS.alerts, alert), target);
    const resolved = toHecEvent(
      record(TOPICS.alerts, { ...alert, state: 'resolved', ts: '2026-12-02T05:01:00Z' }),
      target,
    );
    expect(open.ok && resolved.ok).toBe(true);
    if (!open.ok || !resolved.ok) return;
    expect(open.event).toEqual({
      time: 1796187601,
      host: 'dev-1',
      source: 'iot-streaming-platform',
      sourcetype: 'iot:alert',
      index: 'iot',
      event: alert,
      fields: {
        event_id: `${alertId}:open`,
        kind: 'alert',
        alert_id: alertId,
        state: 'open',
        severity: 'critical',
        rule: 'threshold.high',
        metric: 'temperature',
      },
    });
    expect(resolved.eventId).toBe(`${alertId}:resolved`);
    expect(resolved.event.time).toBe(1796187660);
  });

  it('gives the same record the same event (a resend is a duplicate Splunk can dedupe)', () => {
    const a = toHecEvent(record(TOPICS.analyzed, { ...reading, anomalous: true }), target);
    const b = toHecEvent(
      { ...record(TOPICS.analyzed, { ...reading, anomalous: true }), offset: '99' },
      target,
    );
    expect(a).toEqual(b);
    expect(a.ok && a.event.fields.anomalous).toBe('true');
  });

  it.each([
    [TOPICS.analyzed, null, 'empty value (tombstone)'],
    [TOPICS.analyzed, 'garbage {', /^value is not JSON/],
    [TOPICS.analyzed, [1], 'value is not a JSON object'],
    [
      TOPICS.analyzed,
      { ...reading, id: 'x' },
      'invalid analyzed reading: /id must be 32 lowercase hex characters',
    ],
    [
      TOPICS.analyzed,
      { ...reading, deviceId: ' ' },
      'invalid analyzed reading: /deviceId must be a non-empty string',
    ],
    [
      TOPICS.analyzed,
      { ...reading, ts: 'yesterday' },
      'invalid analyzed reading: /ts must be a timestamp',
    ],
    [
      TOPICS.alerts,
      { ...alert, alertId: 7 },
      'invalid alert: /alertId must be 32 lowercase hex characters',
    ],
    [
      TOPICS.alerts,
      { ...alert, state: 'closed' },
      'invalid alert: /state must be open or resolved',
    ],
    [
      TOPICS.alerts,
      { ...alert, severity: '' },
      'invalid alert: /severity must be a non-empty string',
    ],
    [TOPICS.alerts, { ...alert, ts: 5 }, 'invalid alert: /ts must be a timestamp'],
    [TOPICS.raw, reading, 'topic telemetry.raw is not forwarded to Splunk'],
  ])('refuses %s %j: %s', (topic, value, reason) => {
    const out = toHecEvent(record(topic, value), target);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    if (typeof reason === 'string') expect(out.reason).toBe(reason);
    else expect(out.reason).toMatch(reason);
  });
});

describe('epochSeconds', () => {
  it.each([
    ['2026-12-02T05:00:00Z', 1796187600],
    ['2026-12-02T06:00:00.001+01:00', 1796187600.001],
    ['2026-12-02T05:00:00.999Z', 1796187600.999],
  ])('%s → %d', (ts, s) => expect(epochSeconds(ts)).toBe(s));

  it.each([undefined, 12, 'not a time'])('%j → undefined', (ts) =>
    expect(epochSeconds(ts)).toBeUndefined(),
  );
});
