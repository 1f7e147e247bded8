import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HecIndex, HecReceiver } from '../../test/doubles/hec-receiver';
import type { IndexedEvent } from '../../test/doubles/hec-receiver';
import { alertId, readingId } from '../shared/ids';
import { KafkaProducer, createKafka } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { AlertMessage, AnalyzedReading, DeadLetter } from '../shared/messages';
import { TopicCollector, silentLogger, testKafkaSettings } from '../shared/testing';

// The forwarder process (server.ts) against the real local Kafka broker and the HEC receiver
// TEST DOUBLE (test/doubles/hec-receiver.ts): Splunk itself cannot run here.
jest.setTimeout(180_000);

const root = join(__dirname, '..', '..');
const TOKEN = randomUUID();
const children: ChildProcess[] = [];
const receivers: HecReceiver[] = [];
let producer: KafkaProducer;
let collector: TopicCollector;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function receiver(index: HecIndex, port = 0): Promise<HecReceiver> {
  const r = new HecReceiver({
    tokens: { [TOKEN]: { acks: true, indexes: ['iot'] } },
    index,
    indexDelayMs: 100,
    maxContentLength: 20_000,
  });
  receivers.push(r);
  await r.start(port);
  return r;
}

interface Forwarder {
  proc: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<number | null>;
}

function spawnForwarder(env: Record<string, string>): Forwarder & { port: number } {
  const output: string[] = [];
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'workloads/splunk-forwarder/server.ts'],
    {
      cwd: root,
      env: { ...process.env, HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(proc);
  proc.stdout!.on('data', (c) => output.push(String(c)));
  proc.stderr!.on('data', (c) => output.push(String(c)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, port: Number(env.PORT ?? 0), output, exited };
}

async function startForwarder(hecUrl: string): Promise<Forwarder> {
  const port = await freePort();
  const f = spawnForwarder({
    PORT: String(port),
    CONSUMER_GROUP: `splunk-it-${randomUUID()}`,
    SPLUNK_HEC_URL: hecUrl,
    SPLUNK_HEC_TOKEN: TOKEN,
    SPLUNK_INDEX: 'iot',
    SPLUNK_BATCH_MAX_EVENTS: '50',
    SPLUNK_BATCH_MAX_BYTES: '16000',
    SPLUNK_BATCH_LINGER_MS: '50',
    SPLUNK_ACK_POLL_MS: '50',
    SPLUNK_ACK_TIMEOUT_MS: '2000',
    SPLUNK_RETRY_INITIAL_MS: '50',
    SPLUNK_RETRY_MAX_MS: '500',
    SPLUNK_REQUEST_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'info',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (f.proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`splunk-forwarder did not become ready:\n${f.output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { ...f, port };
}

/** Waits until `done()` holds; on timeout the error carries the forwarder's log, if given. */
async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  what: string,
  f?: Forwarder,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      const log = f ? `; forwarder output:\n${f.output.join('')}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const start = Date.parse('2026-12-02T05:00:00.000Z');
function analyzed(
  deviceId: string,
  seq: number,
  extra: Partial<AnalyzedReading> = {},
): AnalyzedReading {
  const r = {
    deviceId,
    ts: new Date(start + seq * 1000 + 7).toISOString(),
    seq,
    metrics: { temperature: 20 + seq },
  };
  return {
    id: readingId(r),
    ...r,
    receivedAt: new Date().toISOString(),
    features: { temperature: { mean: 20, std: 1, z: 0.5, ewma: 20.1, n: seq + 1 } },
    score: 0.5,
    anomalous: false,
    analyzedAt: new Date().toISOString(),
    ...extra,
  };
}
function alert(deviceId: string): AlertMessage {
  const episodeStart = new Date(start + 5000).toISOString();
  return {
    alertId: alertId({ deviceId, rule: 'threshold.high', metric: 'temperature', episodeStart }),
    deviceId,
    rule: 'threshold.high',
    metric: 'temperature',
    state: 'open',
    severity: 'critical',
    value: 55,
    threshold: 50,
    score: 9,
    episodeStart,
    ts: episodeStart,
    readingId: 'c'.repeat(32),
    message: 'temperature 55 above 50',
  };
}

const of = (index: HecIndex, device: string) => index.events.filter((e) => e.host === device);
const deadLettersOf = (device: string) =>
  collector.values<DeadLetter>(TOPICS.deadLetter, (d) => d.key === device);

beforeAll(async () => {
  const settings = testKafkaSettings('splunk-it');
  producer = await KafkaProducer.connect(createKafka(settings, silentLogger()), settings);
  collector = await new TopicCollector([TOPICS.deadLetter]).start();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const r of receivers) await r.stop();
  await collector?.stop();
  await producer?.disconnect();
});

describe('splunk-forwarder against Kafka and the HEC receiver test double', () => {
  it('sends readings and alerts in the exact HEC shape, dead-letters poison, exits 0 on SIGTERM', async () => {
    const index = new HecIndex();
    const hec = await receiver(index);
    const f = await startForwarder(hec.url);
    const device = `spl-${randomUUID()}`;
    const reading = analyzed(device, 1, { anomalous: true });
    const open = alert(device);
    // 30 kB: valid for the forwarder, over the receiver's max_content_length (HEC answers 413)
    const huge = analyzed(device, 2, {
      metrics: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`m${i}`, i])),
    });
    await producer.send([
      {
        topic: TOPICS.analyzed,
        messages: [
          { key: device, value: reading },
          { key: device, value: 'garbage {' },
          { key: device, value: huge },
        ],
      },
      { topic: TOPICS.alerts, messages: [{ key: device, value: open }] },
    ]);

    await waitFor(() => of(index, device).length >= 2, 60_000, 'reading and alert in the index', f);
    const byKind = (kind: string) => of(index, device).find((e) => e.fields?.kind === kind)!;
    expect(byKind('reading')).toEqual({
      time: (start + 1000 + 7) / 1000,
      host: device,
      source: 'iot-streaming-platform',
      sourcetype: 'iot:telemetry:analyzed',
      index: 'iot',
      event: reading,
      fields: { event_id: reading.id, kind: 'reading', anomalous: 'true' },
      channel: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(byKind('alert')).toEqual({
      time: (start + 5000) / 1000,
      host: device,
      source: 'iot-streaming-platform',
      sourcetype: 'iot:alert',
      index: 'iot',
      event: open,
      fields: {
        event_id: `${open.alertId}:open`,
        kind: 'alert',
        alert_id: open.alertId,
        state: 'open',
        severity: 'critical',
        rule: 'threshold.high',
        metric: 'temperature',
      },
      channel: byKind('reading').channel,
    });
    // every request carried the token and the channel
    expect(hec.requests.every((r) => r.headers.authorization === `Splunk ${TOKEN}`)).toBe(true);

    await waitFor(() => deadLettersOf(device).length >= 2, 60_000, 'two dead letters', f);
    const letters = deadLettersOf(device);
    expect(letters).toHaveLength(2);
    const notJson = letters.find((d) => d.value === 'garbage {')!;
    expect(notJson).toMatchObject({ source: { topic: TOPICS.analyzed }, key: device });
    expect(notJson.reason).toMatch(/^value is not JSON/);
    const tooLarge = letters.find((d) => d.value !== 'garbage {')!;
    expect(JSON.parse(tooLarge.value!)).toEqual(huge);
    expect(tooLarge.reason).toMatch(/^hec rejected the request as too large: 413/);
    expect(of(index, device).some((e) => (e.event as AnalyzedReading).id === huge.id)).toBe(false);

    f.proc.kill('SIGTERM');
    expect(await f.exited).toBe(0);
    expect(f.output.join('')).toContain('shutdown complete');
  });

  it('loses nothing when the receiver is killed mid-run and restarted; duplicates carry the same event id', async () => {
    const index = new HecIndex();
    const first = await receiver(index);
    const f = await startForwarder(first.url);
    const device = `spl-kill-${randomUUID()}`;
    const total = 400;
    const sent: AnalyzedReading[] = [];
    const producing = (async () => {
      for (let seq = 0; seq < total; seq += 20) {
        const chunk = Array.from({ length: 20 }, (_, i) => analyzed(device, seq + i));
        sent.push(...chunk);
        await producer.send([
          { topic: TOPICS.analyzed, messages: chunk.map((r) => ({ key: device, value: r })) },
        ]);
        await new Promise((r) => setTimeout(r, 75));
      }
    })();

    await waitFor(() => of(index, device).length >= 60, 60_000, 'the first events');
    await first.stop(); // killed: connections dropped, batches not yet indexed lost
    const downAt = of(index, device).length;
    // while HEC is away the forwarder says so
    await waitFor(
      () => f.output.join('').includes('hec attempt failed; retrying'),
      30_000,
      'a retry',
    );
    const ready = await fetch(`http://127.0.0.1:${f.port}/readyz`);
    expect(ready.status).toBe(503);
    expect(
      ((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks['splunk-hec'].ok,
    ).toBe(false);
    await new Promise((r) => setTimeout(r, 2000));
    const second = await receiver(index, first.port);
    await producing;

    const ids = () => new Set(of(index, device).map((e) => e.fields?.event_id));
    await waitFor(
      () => sent.every((r) => ids().has(r.id)),
      90_000,
      'every reading in the index',
      f,
    );
    expect(downAt).toBeLessThan(total);
    expect(second.requests.length).toBeGreaterThan(0);
    // at least once: every record arrived; any duplicate is the same event with the same id
    const copies = new Map<string, IndexedEvent[]>();
    for (const e of of(index, device)) {
      const id = e.fields!.event_id as string;
      copies.set(id, [...(copies.get(id) ?? []), e]);
    }
    expect(copies.size).toBe(total);
    for (const [id, events] of copies) {
      const { channel: _c, ...one } = events[0];
      for (const e of events) {
        const { channel: _d, ...other } = e;
        expect(other).toEqual(one);
        expect((e.event as AnalyzedReading).id).toBe(id);
      }
    }
    expect(await fetch(`http://127.0.0.1:${f.port}/readyz`).then((r) => r.status)).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${f.port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^splunk_hec_retries_total\{service="splunk-forwarder"\} [1-9]/m);
    f.proc.kill('SIGTERM');
    expect(await f.exited).toBe(0);
  });

  it('exits 2 naming each bad variable', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        {
          SPLUNK_HEC_URL: 'http://hec.splunk.contoso.com:8088',
          KAFKA_MODE: 'hdinsight',
          SPLUNK_HEC_TOKEN_FILE: '/nonexistent',
        },
        /SPLUNK_HEC_URL="http:\/\/hec\.splunk\.contoso\.com:8088": must be an https:\/\/ URL[^]*SPLUNK_HEC_TOKEN_FILE="\/nonexistent": cannot be read/,
      ],
      [
        {
          SPLUNK_HEC_URL: 'https://hec.splunk.contoso.com',
          SPLUNK_HEC_TOKEN: 'x',
          SPLUNK_INDEX: 'Main Index',
        },
        /SPLUNK_INDEX="Main Index": must be a string matching/,
      ],
      [{ SPLUNK_HEC_TOKEN: 'x' }, /SPLUNK_HEC_URL=<unset>: is required/],
    ];
    // started together: each spends most of its time loading tsx
    const runs = cases.map(([env]) => spawnForwarder({ PORT: '0', SPLUNK_INDEX: 'iot', ...env }));
    const codes = await Promise.all(runs.map((f) => f.exited));
    expect(codes).toEqual([2, 2, 2]);
    for (const [i, f] of runs.entries()) {
      expect(f.output.join('')).toMatch(/^invalid configuration:/);
      expect(f.output.join('')).toMatch(cases[i][1]);
    }
  });
});
