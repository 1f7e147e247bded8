import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, spawnManaged, tail, waitUntilReady } from '../../scripts/engines/process';
import type { ManagedProcess } from '../../scripts/engines/process';

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..');

/** A workload running as its own process, the way it runs in a container. */
export interface ServiceHandle {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly proc: ManagedProcess;
  readonly logFile: string;
  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: a crash, nothing flushed or committed. */
  kill(): Promise<void>;
  /** Last lines of the service's log. */
  logs(lines?: number): string;
}

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Folder for the log file. */
  readonly logDir: string;
  /**
   * How long to wait for `/readyz` to answer 200.
   * @default 60000
   */
  readonly readyTimeoutMs?: number;
  /** Log file name (default `<name>.log`), e.g. to keep a restarted service's logs apart. */
  readonly logName?: string;
  /**
   * Run the compiled JavaScript (`dist/workloads/<name>/server.js`, built by
   * `npx tsc -p workloads/tsconfig.build.json`) with these node options, as the images do, instead
   * of the TypeScript through the tsx loader. The benchmarks use it.
   * @default - the TypeScript source through tsx
   */
  readonly compiled?: { readonly nodeArgs?: readonly string[] };
}

/**
 * Starts `workloads/<name>/server.ts` as a child process (node with the tsx loader, one process,
 * so a signal or an RSS reading reaches the service itself), with `env` over this process's
 * environment and a free PORT unless env sets one, and waits until `/readyz` answers 200.
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  options: StartServiceOptions,
): Promise<ServiceHandle> {
  mkdirSync(options.logDir, { recursive: true });
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const logFile = join(options.logDir, options.logName ?? `${name}.log`);
  const proc = spawnManaged({
    name,
    command: process.execPath,
    args: options.compiled
      ? [
          ...(options.compiled.nodeArgs ?? []),
          // e.g. ANALYSIS_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile one service
          ...(process.env[`${name.toUpperCase()}_NODE_ARGS`] ?? '').split(' ').filter(Boolean),
          join(ROOT, 'dist', 'workloads', name, 'server.js'),
        ]
      : ['--import', 'tsx', join(ROOT, 'workloads', name, 'server.ts')],
    cwd: ROOT,
    logFile,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      proc,
      async () => (await fetch(`${url}/readyz`)).status === 200,
      options.readyTimeoutMs ?? 60_000,
    );
  } catch (err) {
    // Not ready in time: don't leave it running behind the failed test.
    await proc.stop('SIGKILL', 0);
    throw err;
  }
  return {
    name,
    port,
    url,
    proc,
    logFile,
    stop: (graceMs = 15_000) => proc.stop('SIGTERM', graceMs),
    kill: () => proc.stop('SIGKILL', 0),
    logs: (lines = 40) => tail(logFile, lines),
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** RSS of a process in bytes, from /proc (Linux), or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
