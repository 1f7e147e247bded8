import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { failure, freePort, spawnManaged, waitUntilReady } from './process';
import type { EngineContext, RunningEngine } from './types';

/** The topics of the message contract, with their partition counts. */
/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64 without padding (22 chars), never
 * starting with '-', which the storage tool's argument parser would read as an option (Kafka's
 * own Uuid.randomUuid draws again for the same reason). One id in 64 used to fail the start.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export const CONTRACT_TOPICS: readonly { readonly topic: string; readonly partitions: number }[] = [
  { topic: 'telemetry.raw', partitions: 6 },
  { topic: 'telemetry.analyzed', partitions: 6 },
  { topic: 'alerts', partitions: 3 },
  { topic: 'telemetry.deadletter', partitions: 1 },
];

const execFileAsync = promisify(execFile);
const repoRoot = resolve(__dirname, '..', '..');
const pomFile = join(repoRoot, 'scripts', 'engines', 'kafka', 'pom.xml');

/** The Kafka version the committed pom pins (3.9.x: kafkajs 2.2.4 cannot talk to 4.x). */
export function kafkaVersion(): string {
  const v = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomFile, 'utf8'))?.[1];
  if (!v) throw new Error(`kafka: no <kafka.version> in ${pomFile}`);
  return v;
}

/**
 * JVM options of the broker; ENGINES_KAFKA_JVM_OPTS (space-separated) replaces them.
 * A small heap is plenty for a single node with test traffic; SerialGC keeps footprint and
 * thread count down on a 2-core machine; C1 only (TieredStopAtLevel=1) starts the broker
 * faster when the cores are busy (measured: all engines ready in 8-13 s instead of 13-19 s at
 * load 10) at a throughput cost that local rates never reach.
 */
export function brokerJvmOptions(): string[] {
  const custom = process.env.ENGINES_KAFKA_JVM_OPTS?.trim();
  if (custom) return custom.split(/\s+/);
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
  ];
}

/** The folder with the broker's jars, fetched first (install.mjs) when it is not there yet. */
export function kafkaLibs(): string {
  const dir = join(repoRoot, '.cache', 'kafka', kafkaVersion());
  if (!existsSync(join(dir, 'complete'))) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'engines', 'install.mjs')], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('kafka: scripts/engines/install.mjs failed');
  }
  return join(dir, 'libs');
}

function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * A single-node KRaft broker (broker and controller in one JVM) on loopback, PLAINTEXT.
 * Auto topic creation is off so a misspelt topic fails loudly instead of appearing silently;
 * the contract topics are created here. Internal topics get few partitions, and the consumer
 * group and transaction coordinators are warmed up before this resolves, so the first consumer
 * or idempotent producer of a test does not wait for them to load.
 */
export async function startKafka(ctx: EngineContext): Promise<RunningEngine> {
  const libs = kafkaLibs();
  const port = ctx.port ?? (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataDir = join(ctx.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(ctx.dir, 'kafka.log');
  const serverProps = join(ctx.dir, 'server.properties');
  const log4jProps = join(ctx.dir, 'log4j.properties');
  // The JVM's own output (crashes, classpath errors) lands here; the broker logs to logFile.
  const stdoutLog = join(ctx.dir, 'kafka.stdout.log');

  writeFileSync(
    serverProps,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=6',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=6',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      // Event Hubs caps requests below 1 MB; keeping Kafka's default 1 MB limit here means
      // the workloads meet a similar ceiling locally.
      'message.max.bytes=1048588',
      '',
    ].join('\n'),
  );
  // Kafka 3.9 logs through log4j 1.x (reload4j); everything goes to one file in ctx.dir.
  writeFileSync(
    log4jProps,
    [
      'log4j.rootLogger=INFO, file',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.org.apache.kafka.controller=WARN',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${logFile}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );

  const classpath = `${libs}/*`;
  const log4j = `-Dlog4j.configuration=file:${log4jProps}`;
  const clusterId = kafkaClusterId();
  // Asynchronous, so the other engines' readiness probes keep running meanwhile.
  try {
    await execFileAsync(javaBinary(), [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      log4j,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      serverProps,
    ]);
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `kafka: formatting storage failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }

  const spawnBroker = () =>
    spawnManaged({
      name: 'kafka',
      command: javaBinary(),
      args: [
        ...brokerJvmOptions(),
        '-Djava.awt.headless=true',
        log4j,
        '-cp',
        classpath,
        'kafka.Kafka',
        serverProps,
      ],
      logFile: stdoutLog,
      cwd: ctx.dir,
    });
  let proc = spawnBroker();

  const brokers = `127.0.0.1:${port}`;
  const kafka = new Kafka({
    clientId: 'engines',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  const stop = async () => {
    // The broker does a controlled shutdown on SIGTERM; with throwaway data there is nothing
    // to protect after a few seconds.
    await proc.stop('SIGTERM', 8000);
  };
  try {
    await waitUntilReady(
      proc,
      async () =>
        existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Kafka Server started'),
      60_000,
      logFile,
    );
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: CONTRACT_TOPICS.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: 1,
      })),
    });
    // Creates __consumer_offsets (find-coordinator auto-creates it) and waits for it to load.
    // While it loads, kafkajs may see a coordinator of -1 and fail with a non-retriable
    // "Broker -1 not found in the cached metadata": each warm-up step is retried until it works.
    await retryFor(30_000, 'consumer group coordinator', () =>
      admin.fetchOffsets({ groupId: 'engines-warmup', topics: [CONTRACT_TOPICS[0].topic] }),
    );
    // Creates __transaction_state and gets a producer id; nothing is written to any topic.
    await retryFor(30_000, 'transaction coordinator', async () => {
      const producer = kafka.producer({
        transactionalId: 'engines-warmup',
        idempotent: true,
        maxInFlightRequests: 1,
      });
      try {
        await producer.connect();
        const tx = await producer.transaction();
        await tx.abort();
      } finally {
        await producer.disconnect();
      }
    });
  } catch (err) {
    await admin.disconnect().catch(() => undefined);
    await stop();
    throw failure('kafka', err, logFile, stdoutLog);
  }
  await admin.disconnect();

  /**
   * Stops the broker and starts it again on the same storage and ports (a restart test),
   * running `whileDown` in between: resolves once it logged its start again. Topics, data and
   * committed offsets survive.
   */
  const restart = async (whileDown?: () => Promise<void>): Promise<void> => {
    await stop();
    await whileDown?.();
    const starts = (readFileSync(logFile, 'utf8').match(/Kafka Server started/g) ?? []).length;
    proc = spawnBroker();
    await waitUntilReady(
      proc,
      async () =>
        (readFileSync(logFile, 'utf8').match(/Kafka Server started/g) ?? []).length > starts,
      60_000,
      logFile,
    );
  };

  return {
    name: 'kafka',
    env: { KAFKA_BROKERS: brokers },
    get pid() {
      return proc.pid;
    },
    logFile,
    stop,
    restart,
  };
}

/** Runs `step` until it succeeds or `ms` pass; the last error names the step. */
async function retryFor<T>(ms: number, what: string, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (Date.now() > deadline) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`${what} not ready after ${ms} ms: ${msg}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
