import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCosmos } from './cosmos';
import { startKafka } from './kafka';
import { freePort } from './process';
import { startPostgres } from './postgres';
import { startRedis } from './redis';
import type { EngineContext, RunningEngine } from './types';

export { CONTRACT_TOPICS, kafkaVersion } from './kafka';
export { STAND_IN_COSMOS_KEY, standInCosmosClient } from './cosmos';
export type { RunningEngine } from './types';

/** The engines, in the order they are reported. */
export type EngineName = 'kafka' | 'postgres' | 'redis' | 'cosmos';

/** Options for {@link startEngines}. */
export interface StartEnginesOptions {
  /**
   * Folder for every engine's data, config and logs (one subfolder each). Kept after stop().
   * @default - a new folder under the OS temp dir, removed on stop()
   */
  readonly baseDir?: string;
  /**
   * Loopback ports to listen on. A port given here must be free (the start fails otherwise);
   * use {@link preferFreePorts} to fall back to any free port.
   * @default - any free port for each engine
   */
  readonly ports?: Partial<Record<EngineName, number>>;
  /**
   * Stop the engines when this process gets SIGINT or SIGTERM, then re-raise the signal.
   * `npm run local` turns this off because it stops its services first.
   * @default true
   */
  readonly handleSignals?: boolean;
  /** Progress messages. @default - console.log with an `engines:` prefix */
  readonly log?: (message: string) => void;
}

/** Running engines: the contract's environment variables and how to stop them all. */
export interface Engines {
  /** KAFKA_BROKERS, DATABASE_URL, REDIS_URL, COSMOS_ENDPOINT, COSMOS_KEY, COSMOS_CREATE_IF_MISSING. */
  readonly env: Record<string, string>;
  /** The engines themselves (pids and log files). */
  readonly engines: readonly RunningEngine[];
  /** The folder holding their data and logs. */
  readonly dir: string;
  /** Milliseconds from the call until all four were ready. */
  readonly startMs: number;
  /** Stops every engine (in parallel) and removes a temporary base folder. Idempotent. */
  stop(): Promise<void>;
}

const starters: Record<EngineName, (ctx: EngineContext) => Promise<RunningEngine>> = {
  kafka: startKafka,
  postgres: startPostgres,
  redis: startRedis,
  cosmos: startCosmos,
};

const ENGINE_NAMES: readonly EngineName[] = ['kafka', 'postgres', 'redis', 'cosmos'];

/**
 * Starts Kafka (KRaft), PostgreSQL, Redis and the Cosmos DB stand-in on free 127.0.0.1 ports,
 * in parallel, and resolves once each one really answers (topics created, `select 1`, PING,
 * database-account read). If any engine fails, the ones already up are stopped before this
 * rejects, and the error carries the tail of the failing engine's log.
 *
 * @example
 * const engines = await startEngines();
 * Object.assign(process.env, engines.env);
 * // … run things against KAFKA_BROKERS, DATABASE_URL, REDIS_URL, COSMOS_ENDPOINT …
 * await engines.stop();
 */
export async function startEngines(opts: StartEnginesOptions = {}): Promise<Engines> {
  const started = Date.now();
  const log = opts.log ?? ((m: string) => console.log(`engines: ${m}`));
  const temporary = opts.baseDir === undefined;
  const dir = opts.baseDir ?? mkdtempSync(join(tmpdir(), 'iot-engines-'));
  mkdirSync(dir, { recursive: true });
  // PostgreSQL runs as a non-root user when we are root: it must be able to traverse down to
  // its own (0700) data folder, but needs to read nothing else here.
  chmodSync(dir, 0o711);

  const running: RunningEngine[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (removeDir: boolean): Promise<void> => {
    stopping ??= (async () => {
      removeSignalHandlers();
      await Promise.allSettled(running.map((e) => e.stop()));
      if (removeDir && process.env.KEEP_ENGINE_DIRS !== '1') {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping engines`);
    void stopAll(temporary).finally(() => process.kill(process.pid, signal));
  };
  const removeSignalHandlers = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  if (opts.handleSignals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  log(`starting kafka, postgres, redis, cosmos in ${dir}`);
  const results = await Promise.allSettled(
    ENGINE_NAMES.map(async (name) => {
      const engineDir = join(dir, name);
      mkdirSync(engineDir, { recursive: true, mode: 0o711 });
      chmodSync(engineDir, 0o711);
      const engine = await startWithRetry(name, engineDir, opts.ports?.[name]);
      running.push(engine);
      log(`${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${engine.pid})`);
      return engine;
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    // Keep the folder: its logs are the evidence. Everything that did start is stopped.
    await stopAll(false);
    const reasons = failed.map((f) => (f.reason instanceof Error ? f.reason.message : f.reason));
    throw new Error(`engines failed to start (logs kept in ${dir}):\n${reasons.join('\n\n')}`);
  }

  const engines = ENGINE_NAMES.map((n) => running.find((e) => e.name === n)!);
  const env = Object.assign({}, ...engines.map((e) => e.env)) as Record<string, string>;
  const startMs = Date.now() - started;
  log(`all ready in ${(startMs / 1000).toFixed(1)} s`);
  return { env, engines, dir, startMs, stop: () => stopAll(temporary) };
}

/**
 * Starts one engine; with no fixed port, retries once in a fresh folder, because another
 * process can take the port between our probe and the engine's bind.
 */
async function startWithRetry(
  name: EngineName,
  engineDir: string,
  port: number | undefined,
): Promise<RunningEngine> {
  try {
    return await starters[name]({ dir: engineDir, port });
  } catch (err) {
    if (port !== undefined) throw err;
    const retryDir = `${engineDir}-retry`;
    mkdirSync(retryDir, { recursive: true, mode: 0o711 });
    chmodSync(retryDir, 0o711);
    return starters[name]({ dir: retryDir });
  }
}

/**
 * Like `ports`, but each port is only a preference: taken ones are replaced by free ones.
 * For `npm run local`, where stable ports are convenient but not essential.
 */
export async function preferFreePorts(
  preferred: Partial<Record<EngineName, number>>,
): Promise<Partial<Record<EngineName, number>>> {
  const out: Partial<Record<EngineName, number>> = {};
  const taken = new Set<number>();
  for (const name of ENGINE_NAMES) {
    const want = preferred[name];
    if (want === undefined) continue;
    let port = await freePort(want);
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    out[name] = port;
  }
  return out;
}
