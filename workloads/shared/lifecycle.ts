import type { Logger } from 'pino';

/** One step of graceful shutdown, run in order. */
export interface ShutdownStep {
  /** Name for the logs, e.g. `stop consumer`. */
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  readonly logger: Logger;
  /**
   * Steps in order: stop taking work, drain in-flight, flush, commit, disconnect.
   * Read at shutdown time, so steps may be added after install.
   */
  readonly steps: ShutdownStep[];
  /**
   * Hard limit for the whole sequence; past it the process exits 1. Keep it below the pod's
   * terminationGracePeriodSeconds (30 s by default) so we exit before SIGKILL.
   * @default 25000
   */
  readonly timeoutMs?: number;
  /**
   * Signals that start shutdown.
   * @default ['SIGTERM', 'SIGINT']
   */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * How to exit; tests pass a spy.
   * @default process.exit
   */
  readonly exit?: (code: number) => void;
}

/** Handle returned by {@link installShutdown}. */
export interface Shutdown {
  /** Starts shutdown programmatically (e.g. a consumer crashed); exit code 1 when `failed`. */
  readonly trigger: (reason: string, failed?: boolean) => Promise<void>;
  /** Whether shutdown has begun. */
  readonly started: () => boolean;
}

/**
 * Graceful shutdown: the first SIGTERM/SIGINT runs the steps in order and exits 0 (1 if a step
 * failed or the deadline passed); a second signal exits 1 at once, for the operator who means it.
 */
export function installShutdown(options: ShutdownOptions): Shutdown {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 25_000;
  let running: Promise<void> | undefined;

  const trigger = (reason: string, failed = false): Promise<void> => {
    if (running) return running;
    running = (async () => {
      logger.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown deadline passed, exiting');
        exit(1);
      }, timeoutMs);
      deadline.unref();
      let ok = !failed;
      for (const step of options.steps) {
        const start = Date.now();
        try {
          await step.run();
          logger.info({ step: step.name, ms: Date.now() - start }, 'shutdown step done');
        } catch (error) {
          ok = false;
          logger.error({ step: step.name, err: error }, 'shutdown step failed');
        }
      }
      clearTimeout(deadline);
      logger.info({ ok }, 'shutdown complete');
      exit(ok ? 0 : 1);
    })();
    return running;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      if (running) {
        logger.warn({ signal }, 'second signal, forcing exit');
        exit(1);
        return;
      }
      void trigger(signal);
    });
  }
  return { trigger, started: () => running !== undefined };
}
