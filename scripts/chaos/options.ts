/**
 * The command line of `npm run chaos` (scripts/chaos.ts), parsed against the exact shapes allowed:
 * anything else is a {@link UsageError}, which the CLI turns into exit code 2.
 */
import { parseArgs } from 'node:util';
import { ALL_FAULTS, isFaultName } from './schedule';
import type { FaultName } from './schedule';

/** What one chaos run does. */
export interface ChaosOptions {
  /**
   * Readings to send (each with its own reading id). With the default rate, sending lasts about 3
   * minutes: long enough for the eight faults, one after the other, to all fall while readings
   * flow, and few enough for the Cosmos stand-in to be listed in seconds (ADR 0018).
   * @default 15000
   */
  readonly readings: number;
  /**
   * Readings per second the sender aims at (steady rate; batches every 100 ms).
   * @default 80
   */
  readonly ratePerSecond: number;
  /**
   * Seed of the readings' values, their devices and the order of the faults.
   * @default - a random seed, printed so the run can be repeated
   */
  readonly seed: number;
  /**
   * File that receives the machine-readable report (JSON).
   * @default - no file
   */
  readonly out?: string;
  /**
   * Print the JSON report on stdout instead of the text report (progress goes to stderr).
   * @default false
   */
  readonly json: boolean;
  /**
   * The faults, each injected once, spread through the sending phase.
   * @default - every service killed once and every engine restarted once
   */
  readonly faults: readonly FaultName[];
  /**
   * Devices the readings are spread over.
   * @default 20
   */
  readonly devices: number;
  /**
   * How long to wait, after the last reading was accepted, for every sink to hold it, in ms.
   * @default 120000
   */
  readonly drainTimeoutMs: number;
}

/** A bad command line (the CLI exits 2 with this message and the usage). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The usage text. */
export const USAGE = `usage: npm run chaos -- [--readings N] [--rate R] [--seed S] [--out FILE] [--json]
                        [--faults LIST] [--devices N] [--drain-timeout SECONDS]
  --readings N        readings to send, 1-1000000 (default 15000)
  --rate R            readings per second, 1-5000 (default 80)
  --seed S            integer 0-4294967295 (default: random, printed)
  --out FILE          also write the JSON report to FILE
  --json              print the JSON report instead of the text report
  --faults LIST       comma-separated subset of ${ALL_FAULTS.join(',')} (default: all)
  --devices N         devices, 1-10000 (default 20)
  --drain-timeout S   seconds to wait for the sinks after sending, 1-3600 (default 120)
exit 0: nothing lost or duplicated; 1: something lost or duplicated, or the run failed; 2: bad arguments`;

function integer(name: string, raw: string | undefined, min: number, max: number, dflt: number) {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}=${raw}: must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * Parses the arguments after `npm run chaos --`. Returns `'help'` for `--help`.
 * @throws UsageError on an unknown option, a missing or malformed value, or a value out of range.
 */
export function parseChaosArgs(
  argv: readonly string[],
  randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 32),
): ChaosOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        readings: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        faults: { type: 'string' },
        devices: { type: 'string' },
        'drain-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  let faults: FaultName[] = [...ALL_FAULTS];
  if (values.faults !== undefined) {
    const names = values.faults.split(',').map((f) => f.trim());
    const bad = names.filter((f) => !isFaultName(f));
    if (names.length === 0 || bad.length > 0 || values.faults.trim() === '') {
      throw new UsageError(
        `--faults=${values.faults}: ${bad.length > 0 ? `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}; ` : ''}` +
          `allowed: a comma-separated list of ${ALL_FAULTS.join(', ')}`,
      );
    }
    if (new Set(names).size !== names.length) {
      throw new UsageError(`--faults=${values.faults}: each fault may be named once`);
    }
    faults = names as FaultName[];
  }
  if (values.out !== undefined && values.out.trim() === '') {
    throw new UsageError('--out: must be a file path');
  }
  return {
    readings: integer('readings', values.readings, 1, 1_000_000, 15_000),
    ratePerSecond: integer('rate', values.rate, 1, 5000, 80),
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1, randomSeed()),
    ...(values.out !== undefined ? { out: values.out } : {}),
    json: values.json,
    faults,
    devices: integer('devices', values.devices, 1, 10_000, 20),
    drainTimeoutMs: integer('drain-timeout', values['drain-timeout'], 1, 3600, 120) * 1000,
  };
}
