import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readingId } from '../shared/ids';
import { KafkaProducer, createKafka } from '../shared/kafka';
import { TOPICS } from '../shared/messages';
import type { AlertMessage, AnalyzedReading, DeadLetter, Reading } from '../shared/messages';
import { TopicCollector, silentLogger, testKafkaSettings } from '../shared/testing';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');
const group = `analysis-it-${randomUUID()}`;
const device = `an-${randomUUID()}`;
let producer: KafkaProducer;
const children: ChildProcess[] = [];
let collector: TopicCollector;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts the real analysis process (server.ts) with its own consumer group. */
async function startAnalysis(): Promise<{ proc: ChildProcess; port: number; output: string[] }> {
  const port = await freePort();
  const output: string[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'workloads/analysis/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CONSUMER_GROUP: group },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  proc.stdout!.on('data', (c) => output.push(String(c)));
  proc.stderr!.on('data', (c) => output.push(String(c)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`analysis did not become ready:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, port, output };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exited;
}

let seq = 0;
const start = Date.now() - 3_600_000;
function reading(temperature: number): Reading {
  const ts = new Date(start + seq * 1000).toISOString();
  const r = { deviceId: device, ts, seq: seq++, metrics: { temperature, humidity: 45 } };
  return { id: readingId(r), ...r, receivedAt: new Date().toISOString() };
}
const noise = (i: number) => 20 + 0.2 * Math.sin(i * 1.7);

beforeAll(async () => {
  const settings = testKafkaSettings('analysis-it');
  producer = await KafkaProducer.connect(createKafka(settings, silentLogger()), settings);
  collector = await new TopicCollector([TOPICS.analyzed, TOPICS.alerts, TOPICS.deadLetter]).start();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await collector?.stop();
  await producer?.disconnect();
});

const mine = <T extends { deviceId?: string }>(topic: string) =>
  collector.values<T>(topic, (v) => v.deviceId === device);

describe('analysis service against Kafka', () => {
  it('turns a spike into an open alert, dead-letters garbage, resolves after a restart, exits 0', async () => {
    const first = await startAnalysis();
    const series = [...Array.from({ length: 40 }, (_, i) => reading(noise(i))), reading(45)];
    await producer.send([
      { topic: TOPICS.raw, messages: series.map((r) => ({ key: device, value: r })) },
      { topic: TOPICS.raw, messages: [{ key: device, value: 'garbage {' }] },
    ]);

    await collector.waitFor(
      () => mine<AlertMessage>(TOPICS.alerts).length >= 1,
      30_000,
      'open alert',
    );
    const [open] = mine<AlertMessage>(TOPICS.alerts);
    expect(open).toMatchObject({ rule: 'zscore', metric: 'temperature', state: 'open', value: 45 });
    expect(open.episodeStart).toBe(series[40].ts);
    expect(open.readingId).toBe(series[40].id);

    await collector.waitFor(() => mine<AnalyzedReading>(TOPICS.analyzed).length >= 41);
    const analyzed = mine<AnalyzedReading>(TOPICS.analyzed);
    expect(analyzed.find((a) => a.id === series[40].id)).toMatchObject({ anomalous: true });
    expect(analyzed.find((a) => a.id === series[40].id)!.score).toBeGreaterThan(4);

    await collector.waitFor(
      () => collector.values<DeadLetter>(TOPICS.deadLetter, (d) => d.key === device).length >= 1,
      30_000,
      'dead letter',
    );
    const [deadLetter] = collector.values<DeadLetter>(TOPICS.deadLetter, (d) => d.key === device);
    expect(deadLetter).toMatchObject({ value: 'garbage {', source: { topic: TOPICS.raw } });
    expect(deadLetter.reason).toMatch(/^value is not JSON/);

    expect(await stop(first.proc)).toBe(0);
    expect(first.output.join('')).toContain('shutdown complete');

    // The episode was opened before the restart; only rebuilt state can resolve it.
    const second = await startAnalysis();
    const rebuilt = second.output
      .join('')
      .split('\n')
      .find((l) => l.includes('state rebuilt from stream'));
    expect(JSON.parse(rebuilt ?? '{}')).toMatchObject({
      complete: true,
      devices: expect.any(Number),
    });
    expect(JSON.parse(rebuilt!).messages).toBeGreaterThanOrEqual(42);
    await producer.send([
      { topic: TOPICS.raw, messages: [{ key: device, value: reading(noise(99)) }] },
    ]);
    await collector.waitFor(
      () => mine<AlertMessage>(TOPICS.alerts).some((a) => a.state === 'resolved'),
      30_000,
      'resolve after restart',
    );
    const resolved = mine<AlertMessage>(TOPICS.alerts).find((a) => a.state === 'resolved')!;
    expect(resolved.alertId).toBe(open.alertId);
    // Nothing was analyzed twice across the restart.
    const ids = mine<AnalyzedReading>(TOPICS.analyzed).map((a) => a.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(await stop(second.proc)).toBe(0);
  });
});
