import { int, json, num, port, str } from '../shared/config';
import { kafkaConfigSpec } from '../shared/kafka';
import type { ThresholdRule } from './detector';

/** Threshold rules for the simulator's metrics; override with ANALYSIS_THRESHOLDS. */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, ThresholdRule>> = {
  temperature: { high: 50, low: -20, hysteresis: 2, severity: 'critical' },
  humidity: { high: 95, low: 5, hysteresis: 2, severity: 'warning' },
  vibration: { high: 1.5, hysteresis: 0.2, severity: 'critical' },
};

/** Checks an ANALYSIS_THRESHOLDS value: `{metric: {high?, low?, hysteresis?, severity?}}`. */
export function parseThresholds(value: unknown): Record<string, ThresholdRule> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('expected an object of metric name to rule');
  }
  // Keys are operator input: a Map, then fromEntries (own properties), so a metric named
  // __proto__ or constructor is a rule like any other instead of replacing the prototype.
  const out = new Map<string, ThresholdRule>();
  for (const [metric, rule] of Object.entries(value as Record<string, unknown>)) {
    if (typeof rule !== 'object' || rule === null) throw new Error(`${metric}: expected an object`);
    const { high, low, hysteresis, severity, ...rest } = rule as Record<string, unknown>;
    if (Object.keys(rest).length > 0) {
      throw new Error(
        `${metric}: unknown key ${Object.keys(rest)[0]} (allowed: high, low, hysteresis, severity)`,
      );
    }
    for (const [k, v] of Object.entries({ high, low, hysteresis })) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`${metric}.${k}: expected a finite number`);
      }
    }
    if (high === undefined && low === undefined) throw new Error(`${metric}: needs high or low`);
    if (hysteresis !== undefined && (hysteresis as number) < 0) {
      throw new Error(`${metric}.hysteresis: must not be negative`);
    }
    if (severity !== undefined && severity !== 'warning' && severity !== 'critical') {
      throw new Error(`${metric}.severity: expected warning or critical`);
    }
    out.set(metric, rule as ThresholdRule);
  }
  return Object.fromEntries(out);
}

/** Analysis' environment. */
export const analysisConfigSpec = {
  /** Port of /livez, /readyz, /metrics (no other HTTP API). */
  PORT: port({ default: 8081 }),
  HOST: str({ default: '0.0.0.0' }),
  LOG_LEVEL: str({ default: 'info', pattern: /^(fatal|error|warn|info|debug|trace|silent)$/ }),
  CONSUMER_GROUP: str({ default: 'analysis' }),
  ANALYSIS_WINDOW: int({ default: 60, min: 30, max: 10_000 }),
  ANALYSIS_WARMUP: int({ default: 30, min: 3, max: 30 }),
  ANALYSIS_Z_OPEN: num({ default: 4, min: 1, max: 100 }),
  ANALYSIS_Z_RESOLVE: num({ default: 2, min: 0, max: 100 }),
  ANALYSIS_Z_CRITICAL: num({ default: 8, min: 1, max: 1000 }),
  ANALYSIS_CONSECUTIVE: int({ default: 1, min: 1, max: 100 }),
  ANALYSIS_EWMA_ALPHA: num({ default: 0.1, min: 0.001, max: 1 }),
  ANALYSIS_THRESHOLDS: json({
    default: DEFAULT_THRESHOLDS as Record<string, ThresholdRule>,
    validate: parseThresholds,
    describe: 'JSON {"metric":{"high":n,"low":n,"hysteresis":n,"severity":"warning|critical"}}',
  }),
  /**
   * Devices whose state is kept (least recently seen evicted beyond it). About 12 KiB each with
   * three metrics and the default window: 10,000 fit the images' 192 MiB old space with room to
   * spare (ADR 0020); raise it together with `--max-old-space-size` and the pod's memory limit.
   */
  ANALYSIS_MAX_DEVICES: int({ default: 10_000, min: 1, max: 10_000_000 }),
  /**
   * Heap in use, as a fraction of V8's limit, above which the least recently seen fifth of the
   * devices is evicted (at most every 10 s): a fleet larger than the heap was sized for loses
   * warm-up state, logged and counted, instead of crashing the process out of memory.
   */
  ANALYSIS_HEAP_EVICT_FRACTION: num({ default: 0.7, min: 0.1, max: 0.95 }),
  /** Messages per partition re-read at start to rebuild state (0 disables). */
  ANALYSIS_REPLAY_PER_PARTITION: int({ default: 2000, min: 0, max: 1_000_000 }),
  /**
   * Partitions processed concurrently (devices never span partitions, so state is safe): all six
   * of telemetry.raw, so their produces share one group-committed request (ADR 0020).
   */
  ANALYSIS_PARTITIONS_CONCURRENTLY: int({ default: 6, min: 1, max: 64 }),
  /**
   * Max bytes fetched per partition per request: bounds a batch (about 200 bytes a reading), and
   * with it the memory one batch's readings and outputs take (ADR 0020).
   */
  ANALYSIS_FETCH_MAX_BYTES_PER_PARTITION: int({ default: 131_072, min: 1024, max: 67_108_864 }),
  /** Max bytes of one fetch over all partitions. */
  ANALYSIS_FETCH_MAX_BYTES: int({ default: 1_048_576, min: 1024, max: 268_435_456 }),
  /**
   * Bytes a fetch waits for before the broker answers (1: answer as soon as anything is there).
   * Larger values batch more readings per produce and commit, but a lone reading then waits up to
   * `ANALYSIS_FETCH_MAX_WAIT_MS`, and a short wait makes an idle consumer fetch often: measured
   * (ADR 0020) 16 KiB / 500 ms raised the no-load alert p99 to 0.5 s and idle CPU to 1.45 %, and
   * 64 KiB / 25 ms idle CPU to 3.9 %, for no reliable gain at 5,000 readings/s. Defaults kept.
   */
  ANALYSIS_FETCH_MIN_BYTES: int({ default: 1, min: 1, max: 67_108_864 }),
  /** Longest a fetch waits for `ANALYSIS_FETCH_MIN_BYTES`. */
  ANALYSIS_FETCH_MAX_WAIT_MS: int({ default: 5000, min: 1, max: 60_000 }),
  SHUTDOWN_TIMEOUT_MS: int({ default: 25_000, min: 1000, max: 600_000 }),
  ...kafkaConfigSpec,
};
