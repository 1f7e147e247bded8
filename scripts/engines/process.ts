import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** How to start one engine process. */
export interface SpawnOptions {
  /** A short name used in error messages (`kafka`, `postgres`, …). */
  readonly name: string;
  /** The executable. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** File that receives the process's stdout and stderr (appended). */
  readonly logFile: string;
  /** Working directory. @default - the current directory */
  readonly cwd?: string;
  /** Environment. @default - this process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user id (PostgreSQL refuses root). @default - this process's user */
  readonly uid?: number;
  /** Run with this group id. @default - this process's group */
  readonly gid?: number;
  /**
   * Also receive each output line (e.g. to show it prefixed in a terminal); it still goes to
   * `logFile` too. @default - output goes to `logFile` only
   */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** A child process that leads its own process group, so stopping it reaches its children too. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly whenExited: Promise<number | string>;
  /**
   * Sends `signal` to the leader, waits up to `graceMs`, then SIGKILLs the whole group.
   * Resolves once the leader has exited; safe to call more than once.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Every group still running, so an abrupt exit of this process can kill them synchronously:
 * engines must never outlive the test run or `npm run local` that started them.
 */
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that can still be done.
  process.on('exit', () => {
    for (const p of live) killGroup(p.pid, 'SIGKILL');
  });
}

/** Starts a process in a new process group with its output going to `logFile`. */
export function spawnManaged(opts: SpawnOptions): ManagedProcess {
  installExitHook();
  const fd = openSync(opts.logFile, 'a');
  let child;
  try {
    child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      // detached: the child leads a new process group (and session), so one kill(-pid)
      // reaches the JVM's or postmaster's own children, and a Ctrl-C in the terminal reaches
      // only us: we decide the order in which things stop.
      detached: true,
      stdio: opts.onLine ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      uid: opts.uid,
      gid: opts.gid,
    });
  } finally {
    if (!opts.onLine) closeSync(fd);
  }
  if (opts.onLine) {
    const onLine = opts.onLine;
    const out = createWriteStream('', { fd, flags: 'a' });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (!source) continue;
      source.pipe(out, { end: false });
      createInterface({ input: source, crlfDelay: Infinity }).on('line', (l) => onLine(l, stream));
    }
    child.once('close', () => out.end());
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${opts.name}: could not start ${opts.command} (is it installed?)`);
  }
  let exited = false;
  const whenExited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      live.delete(managed);
      // The leader is gone; make sure nothing it started lingers in its group.
      killGroup(pid, 'SIGKILL');
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', () => {
      exited = true;
      live.delete(managed);
      resolve('spawn-error');
    });
  });
  const managed: ManagedProcess = {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    get exited() {
      return exited;
    },
    whenExited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (exited) return;
      // The graceful signal goes to the leader only: a postmaster or JVM shuts its own
      // children down in order. SIGKILL after the grace period takes the whole group.
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await whenExited;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  // A piped child must keep the event loop alive while we relay its output.
  if (!opts.onLine) child.unref();
  return managed;
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/**
 * Polls `probe` until it resolves truthy. Fails fast, with the tail of the engine's log, when
 * the process exits or `timeoutMs` passes.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  logFile = proc.logFile,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (proc.exited) {
      throw new Error(
        `${proc.name} exited while starting; last lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    try {
      // A probe can hang for good, e.g. when another program owns the port and accepts the
      // connection but never answers: each attempt gets its own deadline.
      if ((await withTimeout(probe(), PROBE_TIMEOUT_MS)) && !proc.exited) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last probe error: ${lastError.message})` : '';
      throw new Error(
        `${proc.name} not ready after ${timeoutMs} ms${why}; last lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** How long one readiness probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`probe timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

/**
 * A loopback port that is free right now: `preferred` when it is, else a random one below the
 * kernel's ephemeral range (32768-60999 here), else one the kernel picks. Below that range no
 * outgoing connection's local port can take it between this check and the engine's bind;
 * the remaining race (another process picking the same port) is why callers retry a start.
 */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred !== undefined) {
    const got = await tryListen(preferred);
    if (got !== undefined) return got;
  }
  for (let i = 0; i < 20; i++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const got = await tryListen(candidate);
    if (got !== undefined) return got;
  }
  const got = await tryListen(0);
  if (got === undefined) throw new Error('no free loopback port');
  return got;
}

/** Whether a port on 127.0.0.1 is free now. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await tryListen(port)) !== undefined;
}

/**
 * An error for a failed start that names the engine and carries the tail of its logs, unless
 * the cause already does (waitUntilReady's errors include it).
 */
export function failure(name: string, err: unknown, ...logFiles: string[]): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (msg.includes('last lines of')) return new Error(`${name}: ${msg}`);
  const logs = logFiles.map((f) => `last lines of ${f}:\n${tail(f)}`).join('\n');
  return new Error(`${name}: not ready: ${msg}\n${logs}`);
}
