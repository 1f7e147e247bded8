import { randomUUID } from 'node:crypto';
import { HecIndex, HecReceiver, splitConcatenatedJson } from './hec-receiver';

// The test double's own contract (documented HEC behaviour), so the forwarder's tests rest on
// a receiver that answers as Splunk documents, not as the forwarder happens to expect.
const TOKEN = '11111111-2222-3333-4444-555555555555';
let hec: HecReceiver;
let url: string;
const channel = randomUUID();

beforeEach(async () => {
  hec = new HecReceiver({
    tokens: {
      [TOKEN]: { acks: true, indexes: ['iot'] },
      noacks: { acks: false },
      off: { disabled: true },
    },
    indexDelayMs: 1000,
  });
  url = await hec.start();
});
afterEach(() => hec.stop());

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const auth = (token = TOKEN) => ({
  authorization: `Splunk ${token}`,
  'x-splunk-request-channel': channel,
});
/** Polls `done` (timers lag on a loaded machine: no fixed sleeps). */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const ev = (event: unknown, extra: object = {}) => JSON.stringify({ event, ...extra });

describe('HEC receiver test double', () => {
  it.each([
    [{}, 401, { text: 'Token is required', code: 2 }],
    [{ authorization: `Bearer ${TOKEN}` }, 401, { text: 'Invalid authorization', code: 3 }],
    [{ authorization: 'Splunk nope' }, 403, { text: 'Invalid token', code: 4 }],
    [{ authorization: 'Splunk off' }, 403, { text: 'Token disabled', code: 1 }],
    [{ authorization: `Splunk ${TOKEN}` }, 400, { text: 'Data channel is missing', code: 10 }],
    [
      { authorization: `Splunk ${TOKEN}`, 'x-splunk-request-channel': 'abc' },
      400,
      { text: 'Invalid data channel', code: 11 },
    ],
  ])('answers %j with %i', async (headers, status, body) => {
    expect(await post('/services/collector/event', ev('x'), headers)).toEqual({ status, body });
  });

  it('takes concatenated events, answers an ackId per channel, acknowledges once indexed', async () => {
    const r1 = await post(
      '/services/collector/event',
      `${ev('a')}${ev('b')}\n ${ev({ c: 1 })}`,
      auth(),
    );
    const r2 = await post('/services/collector/event', ev('d'), auth());
    expect([r1, r2]).toEqual([
      { status: 200, body: { text: 'Success', code: 0, ackId: 0 } },
      { status: 200, body: { text: 'Success', code: 0, ackId: 1 } },
    ]);
    expect(
      await post('/services/collector/ack', JSON.stringify({ acks: [0, 1, 7] }), auth()),
    ).toEqual({
      status: 200,
      body: { acks: { '0': false, '1': false, '7': false } },
    });
    await until(() => hec.index.events.length >= 4);
    expect(
      (await post('/services/collector/ack', JSON.stringify({ acks: [0, 1, 7] }), auth())).body,
    ).toEqual({
      acks: { '0': true, '1': true, '7': false },
    });
    expect(hec.index.events.map((e) => e.event)).toEqual(['a', 'b', { c: 1 }, 'd']);
  });

  it('names the first invalid event and keeps the ones before it', async () => {
    const body = [ev('ok'), JSON.stringify({ time: 1 }), ev('after')].join('');
    expect(await post('/services/collector/event', body, auth())).toEqual({
      status: 400,
      body: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 },
    });
    expect(
      (await post('/services/collector/event', `${ev('ok')}${ev('  ')}`, auth())).body,
    ).toEqual({
      text: 'Event field cannot be blank',
      code: 13,
      'invalid-event-number': 1,
    });
    expect(
      (await post('/services/collector/event', ev('x', { fields: { a: { b: 1 } } }), auth())).body,
    ).toMatchObject({
      code: 15,
      'invalid-event-number': 0,
    });
    expect(
      (await post('/services/collector/event', ev('x', { index: 'main' }), auth())).body,
    ).toMatchObject({
      text: 'Incorrect index',
      code: 7,
    });
    expect(
      (await post('/services/collector/event', `${ev('ok')}{"event":`, auth())).body,
    ).toMatchObject({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 1,
    });
    expect((await post('/services/collector/event', ' ', auth())).body).toEqual({
      text: 'No data',
      code: 5,
    });
    await until(() => hec.index.events.length >= 3);
    expect(hec.index.events.map((e) => e.event)).toEqual(['ok', 'ok', 'ok']);
  });

  it('refuses acks for a token without them, and needs no channel there', async () => {
    expect(
      await post('/services/collector/event', ev('a'), { authorization: 'Splunk noacks' }),
    ).toEqual({
      status: 200,
      body: { text: 'Success', code: 0 },
    });
    expect(
      await post('/services/collector/ack', '{"acks":[0]}', {
        authorization: 'Splunk noacks',
        'x-splunk-request-channel': channel,
      }),
    ).toEqual({ status: 400, body: { text: 'ACK is disabled', code: 14 } });
  });

  it('answers 413 over max_content_length', async () => {
    const small = new HecReceiver({ tokens: { [TOKEN]: {} }, maxContentLength: 100 });
    const u = await small.start();
    const res = await fetch(`${u}/services/collector/event`, {
      method: 'POST',
      body: ev('x'.repeat(200)),
      headers: auth(),
    });
    expect(res.status).toBe(413);
    await small.stop();
  });

  it('loses what it had not indexed when killed; the index outlives it', async () => {
    const index = new HecIndex();
    const slow = new HecReceiver({ tokens: { [TOKEN]: {} }, index, indexDelayMs: 10_000 });
    const u = await slow.start();
    await fetch(`${u}/services/collector/event`, {
      method: 'POST',
      body: ev('lost'),
      headers: auth(),
    });
    await slow.stop();
    const again = new HecReceiver({ tokens: { [TOKEN]: {} }, index, indexDelayMs: 0 });
    const u2 = await again.start(slow.port);
    expect(u2).toBe(u);
    const ack = await fetch(`${u2}/services/collector/ack`, {
      method: 'POST',
      body: '{"acks":[0]}',
      headers: auth(),
    });
    expect(await ack.json()).toEqual({ acks: { '0': false } });
    await again.stop();
    expect(index.events).toEqual([]);
  });
});

describe('splitConcatenatedJson', () => {
  it('splits objects with braces and quotes inside strings', () => {
    expect(splitConcatenatedJson('{"a":"}{\\""}{"b":{"c":1}}\n{}')).toEqual({
      texts: ['{"a":"}{\\""}', '{"b":{"c":1}}', '{}'],
    });
  });
  it('reports the first text that is not an object', () => {
    expect(splitConcatenatedJson('{}[1]')).toEqual({ texts: ['{}'], badAt: 1 });
  });
});
