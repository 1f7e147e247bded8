/**
 * Throughput of the lakehouse job on this machine: readings per second from Kafka into the Delta
 * tables (bronze, then silver and gold), one available-now run over readings produced first.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 npx tsx test/data-science/lakehouse-bench.ts [--readings 20000]
 *
 * Prints one JSON line: readings, the job's own processing seconds (its `start` to `stop` log
 * lines: JVM start-up excluded, table set-up included), readings/s, the process's total
 * seconds and the load averages before and after. Needs `node scripts/engines/install.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readingId } from '../../workloads/shared/ids';
import { KafkaProducer, createKafka } from '../../workloads/shared/kafka';
import { silentLogger, testKafkaSettings } from '../../workloads/shared/testing';
import { assertSparkInstalled, root, sparkSubmit, venvPython } from './spark';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--readings');
  const count = i > 0 ? Number(process.argv[i + 1]) : 20_000;
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
    throw new Error(`--readings ${process.argv[i + 1]} must be an integer from 1 to 10000000`);
  }
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set');
  assertSparkInstalled();
  const run = randomUUID().slice(0, 8);
  const readingsTopic = `lakehouse-bench-readings-${run}`;
  const alertsTopic = `lakehouse-bench-alerts-${run}`;
  const settings = testKafkaSettings('lakehouse-bench');
  const kafka = createKafka(settings, silentLogger());
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: readingsTopic, numPartitions: 6, replicationFactor: 1 },
      { topic: alertsTopic, numPartitions: 3, replicationFactor: 1 },
    ],
  });
  await admin.disconnect();
  const producer = await KafkaProducer.connect(kafka, settings);
  const start = Date.UTC(2026, 11, 1, 10);
  for (let from = 0; from < count; from += 2000) {
    const messages = [];
    for (let n = from; n < Math.min(count, from + 2000); n++) {
      const deviceId = `bench-${run}-${n % 100}`;
      const ts = new Date(start + n * 50).toISOString();
      const value = {
        id: readingId({ deviceId, ts, seq: n }),
        deviceId,
        ts,
        seq: n,
        metrics: { temp: 20 + (n % 17) * 0.5, hum: 40 + (n % 13) },
        receivedAt: ts,
        features: { temp: { mean: 24, std: 2, z: 0.5, ewma: 24.1, n: 10 } },
        score: 0.5,
        anomalous: n % 97 === 0,
        analyzedAt: ts,
      };
      messages.push({ key: deviceId, value });
    }
    await producer.send([{ topic: readingsTopic, messages }]);
  }
  await producer.disconnect();

  const dir = mkdtempSync(join(tmpdir(), 'lakehouse-bench-'));
  const loadBefore = loadavg();
  try {
    const {
      run: job,
      code,
      ms,
    } = await sparkSubmit('data-science/jobs/telemetry_lakehouse.py', [
      '--kafka-brokers',
      process.env.KAFKA_BROKERS,
      '--readings-topic',
      readingsTopic,
      '--alerts-topic',
      alertsTopic,
      '--lakehouse-path',
      join(dir, 'lakehouse'),
      '--trigger',
      'available-now',
    ]);
    if (code !== 0) throw new Error(`job exited ${code}:\n${job.stderrTail()}`);
    const time = (event: string) =>
      Date.parse(String(job.events.find((e) => e.event === event)?.time));
    const seconds = (time('stop') - time('start')) / 1000;
    // The tables, not the job's log lines, say what arrived (delta-rs reader, no JVM).
    const dump = spawnSync(
      venvPython,
      ['data-science/tools/dump_tables.py', join(dir, 'lakehouse'), 'silver'],
      { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    const silverRows = dump.stdout.trim().split('\n').filter(Boolean).length;
    if (silverRows !== count) throw new Error(`silver holds ${silverRows} rows, sent ${count}`);
    console.log(
      JSON.stringify({
        readings: count,
        jobSeconds: seconds,
        readingsPerSecond: Math.round(count / seconds),
        processSeconds: ms / 1000,
        loadBefore: loadBefore.map((l) => Number(l.toFixed(2))),
        loadAfter: loadavg().map((l) => Number(l.toFixed(2))),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
