/**
 * Keeps one child process running for `npm run local`: a child that exits while not being
 * stopped is started again after a capped exponential backoff (1 s, 2 s, 4 s … 30 s), and the
 * backoff starts over once a run stayed up long enough (a minute). Every exit and restart is
 * logged. `stop()` ends supervision first, then stops the current child, so a stop never races
 * a restart.
 */
import type { ManagedProcess } from './engines/process';

/** When to restart; see {@link restartDelayMs}. */
export interface BackoffPolicy {
  /**
   * Delay before the first restart, in ms.
   * @default 1000
   */
  readonly initialMs?: number;
  /**
   * Longest delay between restarts, in ms.
   * @default 30000
   */
  readonly maxMs?: number;
  /**
   * A run that lasted at least this long resets the backoff to `initialMs`, in ms.
   * @default 60000
   */
  readonly resetAfterMs?: number;
}

/** The delay before restart number `failures + 1` of a run of quick failures. */
export function restartDelayMs(failures: number, policy: BackoffPolicy = {}): number {
  const initial = policy.initialMs ?? 1000;
  const max = policy.maxMs ?? 30_000;
  return Math.min(max, initial * 2 ** Math.min(Math.max(failures, 0), 30));
}

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Name used in log lines. */
  readonly name: string;
  /** Starts the child (called once at start and once per restart). */
  readonly spawn: () => ManagedProcess;
  /** Where log lines go. @default console.log */
  readonly log?: (line: string) => void;
  readonly backoff?: BackoffPolicy;
  /** Called with each new child after a restart (e.g. to wait for its readiness). */
  readonly onRestart?: (proc: ManagedProcess, restarts: number) => void;
}

/** One supervised child process. */
export class Supervisor {
  private proc: ManagedProcess;
  private startedAt = Date.now();
  private failures = 0;
  private restartCount = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.proc = this.launch();
  }

  /** The child running now (a new one after each restart). */
  get current(): ManagedProcess {
    return this.proc;
  }

  /** How many times the child was restarted. */
  get restarts(): number {
    return this.restartCount;
  }

  private launch(): ManagedProcess {
    const proc = this.options.spawn();
    this.startedAt = Date.now();
    void proc.whenExited.then((code) => this.exited(proc, code));
    return proc;
  }

  private exited(proc: ManagedProcess, code: number | string): void {
    if (this.stopping || proc !== this.proc) return;
    const policy = this.options.backoff ?? {};
    const upMs = Date.now() - this.startedAt;
    if (upMs >= (policy.resetAfterMs ?? 60_000)) this.failures = 0;
    const delay = restartDelayMs(this.failures, policy);
    this.failures++;
    this.log(
      `local: ${this.options.name} exited unexpectedly (${code}) after ${(upMs / 1000).toFixed(1)} s; ` +
        `restarting in ${(delay / 1000).toFixed(1)} s`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopping) return;
      this.restartCount++;
      this.proc = this.launch();
      this.log(
        `local: ${this.options.name} restarted (pid ${this.proc.pid}, restart ${this.restartCount})`,
      );
      this.options.onRestart?.(this.proc, this.restartCount);
    }, delay);
  }

  /** Stops supervising, then stops the current child (see ManagedProcess.stop). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<number | string> {
    this.stopping = true;
    clearTimeout(this.timer);
    const proc = this.proc;
    await proc.stop(signal, graceMs);
    return proc.whenExited;
  }
}
