import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, written as `service` on every line. */
  readonly service: string;
  /**
   * Minimum level.
   * @default 'info'
   */
  readonly level?: string;
  /**
   * Where lines go; tests pass a stream to read them back.
   * @default - stdout, synchronously
   */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * A pino JSON logger: one line per event on stdout, ISO timestamps, `level` as a label so log
 * queries in Azure Monitor read `"level":"error"` rather than 50.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // pino's default destination writes stdout synchronously, so nothing is lost on process.exit.
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
