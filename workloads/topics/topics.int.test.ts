// The topics job against the real local Kafka broker: the reconciliation through kafkajs' admin,
// and the job's process (exit codes, one JSON log line per topic).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createKafka } from '../shared/kafka';
import { silentLogger, testKafkaSettings } from '../shared/testing';
import { parseTopicSpecs, reconcileTopics } from './topics';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');
const admin = createKafka(testKafkaSettings('topics-it'), silentLogger()).admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

async function partitions(topic: string): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]!.partitions.length;
}

describe('topics job on a real broker', () => {
  it('creates, keeps, grows and reports drift, idempotently', async () => {
    const a = `topics-it-a-${randomUUID()}`;
    const b = `topics-it-b-${randomUUID()}`;
    expect(await reconcileTopics(admin, parseTopicSpecs(`${a}:3:1,${b}:2:1`))).toEqual([
      { topic: a, action: 'created', partitions: 3 },
      { topic: b, action: 'created', partitions: 2 },
    ]);
    expect(await partitions(a)).toBe(3);
    expect(await reconcileTopics(admin, parseTopicSpecs(`${a}:3:1,${b}:2:1`))).toEqual([
      { topic: a, action: 'unchanged', partitions: 3 },
      { topic: b, action: 'unchanged', partitions: 2 },
    ]);
    expect(await reconcileTopics(admin, parseTopicSpecs(`${a}:5:1,${b}:1:1`))).toEqual([
      { topic: a, action: 'partitions-added', from: 3, to: 5 },
      {
        topic: b,
        action: 'drift',
        reason:
          'has 2 partitions, declared 1: Kafka cannot remove partitions; raise the declaration',
      },
    ]);
    expect(await partitions(a)).toBe(5);
    expect(await partitions(b)).toBe(2);
  });

  function job(env: Record<string, string>) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'workloads/topics/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('runs as a process: exit 0 with one log line per topic, 2 on bad configuration', () => {
    // The contract's topics exist on the engine (1 replica); the job declares them as they are.
    const contract = 'telemetry.raw:6:1,telemetry.analyzed:6:1,alerts:3:1,telemetry.deadletter:1:1';
    const ok = job({ KAFKA_TOPICS: contract });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const lines = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { topic: string; action: string });
    expect(lines.map((l) => [l.topic, l.action])).toEqual([
      ['telemetry.raw', 'unchanged'],
      ['telemetry.analyzed', 'unchanged'],
      ['alerts', 'unchanged'],
      ['telemetry.deadletter', 'unchanged'],
    ]);

    const bad = job({ KAFKA_TOPICS: 'telemetry.raw:six:1' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      'KAFKA_TOPICS="telemetry.raw:six:1": topic "telemetry.raw": partitions "six"',
    );
  });
});
