/**
 * Runs the lakehouse job (data-science/) on real Spark for the integration tests: spark-submit from
 * the venv that scripts/engines/install.mjs builds, the jars it fetched, and the local settings in
 * data-science/spark-local.conf. Test helper only.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(__dirname, '..', '..');
/** The venv's python and spark-submit, and the jars folder (scripts/engines/spark.mjs). */
export const venvPython = join(root, '.cache', 'python', 'spark', 'bin', 'python');
const sparkSubmitBin = join(root, '.cache', 'python', 'spark', 'bin', 'spark-submit');
const jarsDir = join(root, '.cache', 'spark', 'jars');

/** Throws a clear error when the install step has not run. */
export function assertSparkInstalled(): void {
  for (const p of [venvPython, sparkSubmitBin, join(jarsDir, '.complete')]) {
    if (!existsSync(p)) {
      throw new Error(`${p} is missing: run node scripts/engines/install.mjs (npm test does)`);
    }
  }
}

/** The environment spark-submit needs: the venv's python for the driver, loopback only. */
export function sparkEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYSPARK_PYTHON: venvPython,
    PYSPARK_DRIVER_PYTHON: venvPython,
    SPARK_LOCAL_IP: '127.0.0.1',
    PYTHONUNBUFFERED: '1',
    TZ: 'UTC',
  };
}

/** One JSON log line of the job (see data-science/jobs/lakehouse/job.py `log`). */
export interface JobEvent {
  readonly event: string;
  readonly stream?: string;
  readonly batch?: number;
  readonly input_rows?: number;
  readonly [key: string]: unknown;
}

/** A running spark-submit: its parsed stdout events, stderr tail and exit. */
export class SparkRun {
  readonly events: JobEvent[] = [];
  readonly startedAt = Date.now();
  private stderr = '';
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  private readonly child: ChildProcess;

  constructor(script: string, args: readonly string[], extraConf: Record<string, string> = {}) {
    const jars = readdirSync(jarsDir)
      .filter((f) => f.endsWith('.jar'))
      .sort()
      .map((f) => join(jarsDir, f));
    const conf = Object.entries(extraConf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
    // Its own process group, so a kill reaches the JVM and the Python driver it started.
    this.child = spawn(
      sparkSubmitBin,
      [
        '--properties-file',
        'data-science/spark-local.conf',
        '--jars',
        jars.join(','),
        ...conf,
        script,
        ...args,
      ],
      { cwd: root, env: sparkEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.events.push(JSON.parse(line) as JobEvent);
        } catch {
          continue;
        }
      }
      for (const l of this.listeners) l();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.exited = new Promise((resolveExit) => {
      this.child.on('exit', (code, signal) => {
        for (const l of this.listeners) l();
        resolveExit({ code, signal, ms: Date.now() - this.startedAt });
      });
    });
  }

  /** The last part of Spark's stderr, for failure messages. */
  stderrTail(): string {
    return this.stderr.split('\n').slice(-40).join('\n');
  }

  /** Resolves when `predicate` holds over the events so far; rejects if the job exits first. */
  waitFor(predicate: (events: readonly JobEvent[]) => boolean, what: string): Promise<void> {
    return new Promise((resolveWait, reject) => {
      const check = () => {
        if (predicate(this.events)) {
          this.listeners.delete(check);
          resolveWait();
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.listeners.delete(check);
          reject(new Error(`job exited before ${what}:\n${this.stderrTail()}`));
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The exit code once the process has ended (null when a signal ended it), else undefined. */
  exitedCode(): number | null | undefined {
    if (this.child.exitCode !== null) return this.child.exitCode;
    return this.child.signalCode !== null ? null : undefined;
  }

  /** SIGKILL to the whole process group: the JVM and the Python driver die at once. */
  kill9(): void {
    if (this.exitedCode() !== undefined) return;
    process.kill(-this.child.pid!, 'SIGKILL');
  }

  /** Input rows of the batches a stream committed (a `batch` line follows each commit). */
  committedRows(stream: string): number {
    return this.events
      .filter((e) => e.event === 'batch' && e.stream === stream)
      .reduce((sum, e) => sum + (e.input_rows ?? 0), 0);
  }

  /** Batches a stream committed. */
  committedBatches(stream: string): number {
    return this.events.filter((e) => e.event === 'batch' && e.stream === stream).length;
  }
}

/** Runs spark-submit to completion and returns its run (events, exit). */
export async function sparkSubmit(
  script: string,
  args: readonly string[],
  extraConf: Record<string, string> = {},
): Promise<{ run: SparkRun; code: number | null; ms: number }> {
  const run = new SparkRun(script, args, extraConf);
  const { code, ms } = await run.exited;
  return { run, code, ms };
}
