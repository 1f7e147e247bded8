/**
 * The anomaly detector: pure, synchronous, no I/O — the consumer feeds it readings in partition
 * order and publishes what it returns. Per device and metric it keeps a fixed window of recent
 * values (robust z-score from median/MAD), an EWMA, and the state of each alert rule; devices
 * live in a capped map with least-recently-used eviction, so memory is bounded.
 */
import { alertId } from '../shared/ids';
import type {
  AlertMessage,
  AlertSeverity,
  AnalyzedReading,
  MetricFeatures,
  Reading,
} from '../shared/messages';

/** A threshold rule with hysteresis for one metric. */
export interface ThresholdRule {
  /** Opens `threshold.high` when value > high. */
  readonly high?: number;
  /** Opens `threshold.low` when value < low. */
  readonly low?: number;
  /**
   * Resolve margin: `threshold.high` resolves when value < high - hysteresis (low: > low + h), so
   * a value wobbling around the threshold does not flap.
   * @default 0
   */
  readonly hysteresis?: number;
  /**
   * Severity of the alerts it opens.
   * @default 'warning'
   */
  readonly severity?: AlertSeverity;
}

/** Detector tuning; every field has a default. */
export interface DetectorOptions {
  /** Values kept per device and metric for median/MAD (default 60). */
  readonly windowSize?: number;
  /** Readings of a metric before statistical alerts may fire; at most 30 (default 30). */
  readonly warmup?: number;
  /** |z| at or above which the statistical rule counts a reading as anomalous (default 4). */
  readonly zOpen?: number;
  /** |z| below which an open statistical alert resolves (default 2). */
  readonly zResolve?: number;
  /** Consecutive anomalous readings needed to open (default 1: one spike is an alert). */
  readonly consecutive?: number;
  /** |z| at or above which a statistical alert is critical rather than a warning (default 8). */
  readonly zCritical?: number;
  /** EWMA smoothing factor (default 0.1). */
  readonly ewmaAlpha?: number;
  /** Threshold rules by metric name. */
  readonly thresholds?: Readonly<Record<string, ThresholdRule>>;
  /** Devices kept in memory; the least recently seen is evicted beyond this (default 10000). */
  readonly maxDevices?: number;
  /** Recent reading ids remembered per device to drop at-least-once duplicates (default 64). */
  readonly dedupeWindow?: number;
  /** Clock for `analyzedAt`. */
  readonly now?: () => number;
}

/** What one reading yields. */
export interface DetectorResult {
  /** The analyzed reading, or undefined for a duplicate already analyzed. */
  readonly analyzed?: AnalyzedReading;
  /** Open/resolve transitions, in rule order. */
  readonly alerts: readonly AlertMessage[];
}

/** Scale for MAD → standard deviation under normality. */
const MAD_TO_STD = 1.4826;

interface Episode {
  /** ts of the reading that opened it (part of the alertId). */
  readonly start: string;
  /** Severity at open; the resolve repeats it. */
  readonly severity: AlertSeverity;
}

interface MetricState {
  readonly window: RollingWindow;
  count: number;
  ewma: number;
  zStreak: number;
  zEpisode?: Episode;
  highEpisode?: Episode;
  lowEpisode?: Episode;
}

interface DeviceState {
  readonly metrics: Map<string, MetricState>;
  readonly recentIds: string[];
}

/** Median of the first `n` values of `values` (copied and sorted). */
export function median(values: ArrayLike<number>, n = values.length): number {
  const sorted = Array.from({ length: n }, (_, i) => values[i]).sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Robust location and scale of a window: median and 1.4826 x MAD. A flat window has MAD 0; the
 * scale then falls back to the mean absolute deviation and finally to a floor relative to the
 * level, so a constant sensor that moves at all scores high instead of dividing by zero.
 */
export function robustStats(
  values: ArrayLike<number>,
  n: number,
): { center: number; scale: number } {
  const center = median(values, n);
  const deviations = Array.from({ length: n }, (_, i) => Math.abs(values[i] - center));
  const mad = median(deviations, n);
  const meanAbs = deviations.reduce((a, b) => a + b, 0) / n;
  const floor = 1e-3 * Math.max(1, Math.abs(center));
  // Mean absolute deviation only when MAD is 0: otherwise it would let outliers inflate the scale.
  const spread = mad > 0 ? MAD_TO_STD * mad : 1.2533 * meanAbs;
  return { center, scale: Math.max(spread, floor) };
}

/**
 * The last `size` values of one metric, kept twice: in arrival order (a ring: `values[i]` for
 * `i < filled` is what {@link robustStats} reads) and sorted (binary search and `copyWithin`
 * per update, O(size) memory moves). The median is then a lookup and the MAD the median of a
 * merge outwards from it, so scoring a reading sorts nothing and allocates nothing; copying
 * and sorting the window twice per metric was most of analysis's CPU (ADR 0020). The figures
 * equal {@link robustStats} over `values` (unit-tested, up to the sign of a zero).
 */
export class RollingWindow {
  /** Arrival order: slot `count % size` holds the count-th value. */
  readonly values: Float64Array;
  private readonly sorted: Float64Array;
  private n = 0;
  private next = 0;

  constructor(readonly size: number) {
    this.values = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }

  /** Values held (at most `size`). */
  get filled(): number {
    return this.n;
  }

  /** Adds a value, dropping the oldest once full. */
  push(value: number): void {
    const s = this.sorted;
    if (this.n === this.size) {
      const at = this.lowerBound(this.values[this.next], this.n);
      s.copyWithin(at, at + 1, this.n);
      this.n -= 1;
    }
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    s.copyWithin(lo + 1, lo, this.n);
    s[lo] = value;
    this.n += 1;
    this.values[this.next] = value;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  /** Mean of the values held, summed in slot order (as the detector always did). */
  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.values[i];
    return sum / this.n;
  }

  /** {@link robustStats} of the values held, without sorting or allocating (needs one value). */
  robust(): { center: number; scale: number } {
    const s = this.sorted;
    const n = this.n;
    const half = n >> 1;
    const center = n % 2 === 1 ? s[half] : (s[half - 1] + s[half]) / 2;
    // Deviations grow outwards from the center on both sides: merge them to the middle one.
    let i = this.lowerBound(center, n) - 1;
    let j = i + 1;
    let previous = 0;
    let current = 0;
    for (let k = 0; k <= half; k++) {
      const left = i >= 0 ? center - s[i] : Infinity;
      const right = j < n ? s[j] - center : Infinity;
      previous = current;
      if (left <= right) {
        current = left;
        i--;
      } else {
        current = right;
        j++;
      }
    }
    const mad = n % 2 === 1 ? current : (previous + current) / 2;
    const floor = 1e-3 * Math.max(1, Math.abs(center));
    if (mad > 0) return { center, scale: Math.max(MAD_TO_STD * mad, floor) };
    let sumAbs = 0;
    for (let k = 0; k < n; k++) sumAbs += Math.abs(this.values[k] - center);
    return { center, scale: Math.max(1.2533 * (sumAbs / n), floor) };
  }

  /** First index of `sorted[0..n)` holding a value ≥ `value`. */
  private lowerBound(value: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Per-device, per-metric anomaly detection with alert episodes. Rules:
 * - `zscore`: robust z of the value against the window before it; opens after `consecutive`
 *   readings with |z| ≥ zOpen (never during warm-up), resolves at the first |z| < zResolve.
 * - `threshold.high` / `threshold.low`: open beyond the threshold, resolve only past the
 *   hysteresis margin; active from the first reading (no statistics needed).
 * Each episode's open and resolve share an alertId derived from its first reading's ts.
 */
export class Detector {
  private readonly devices = new Map<string, DeviceState>();
  private readonly o: Required<Omit<DetectorOptions, 'thresholds'>> & {
    /** A Map: a metric named constructor or toString must not find an inherited member. */
    thresholds: ReadonlyMap<string, ThresholdRule>;
  };

  constructor(options: DetectorOptions = {}) {
    this.o = {
      windowSize: options.windowSize ?? 60,
      warmup: Math.min(options.warmup ?? 30, 30),
      zOpen: options.zOpen ?? 4,
      zResolve: options.zResolve ?? 2,
      consecutive: options.consecutive ?? 1,
      zCritical: options.zCritical ?? 8,
      ewmaAlpha: options.ewmaAlpha ?? 0.1,
      thresholds: new Map(Object.entries(options.thresholds ?? {})),
      maxDevices: options.maxDevices ?? 10_000,
      dedupeWindow: options.dedupeWindow ?? 64,
      now: options.now ?? Date.now,
    };
    if (this.o.zResolve > this.o.zOpen) {
      throw new RangeError(`zResolve (${this.o.zResolve}) must not exceed zOpen (${this.o.zOpen})`);
    }
    if (this.o.windowSize < this.o.warmup || this.o.windowSize < 3) {
      throw new RangeError(`windowSize (${this.o.windowSize}) must be at least warmup and 3`);
    }
  }

  private lastMs = NaN;
  private lastIso = '';

  /** `now()` as ISO 8601, formatted once per millisecond (many readings share one). */
  private isoNow(): string {
    const ms = this.o.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** Devices currently held in memory. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /**
   * Evicts the least recently seen devices until at most `count` remain (an evicted device
   * starts its warm-up again when it next reports); returns how many were evicted.
   */
  shrinkTo(count: number): number {
    let evicted = 0;
    for (const id of this.devices.keys()) {
      if (this.devices.size <= Math.max(0, count)) break;
      this.devices.delete(id);
      evicted++;
    }
    return evicted;
  }

  /** Scores one reading, updates state and returns the analyzed reading and alert transitions. */
  process(reading: Reading): DetectorResult {
    const device = this.device(reading.deviceId);
    if (device.recentIds.includes(reading.id)) return { alerts: [] };
    device.recentIds.push(reading.id);
    if (device.recentIds.length > this.o.dedupeWindow) device.recentIds.shift();

    // Metric names are user input: every one becomes an own property (see setOwn), so
    // __proto__ is a name like any other and never the prototype.
    const features: Record<string, MetricFeatures> = {};
    const alerts: AlertMessage[] = [];
    const pending: Array<(score: number) => AlertMessage> = [];
    let score = 0;
    let anomalous = false;

    for (const [metric, value] of Object.entries(reading.metrics)) {
      let state = device.metrics.get(metric);
      if (!state) {
        state = {
          window: new RollingWindow(this.o.windowSize),
          count: 0,
          ewma: value,
          zStreak: 0,
        };
        device.metrics.set(metric, state);
      }
      let mean = value;
      let std = 0;
      let z = 0;
      if (state.window.filled >= 3) {
        const { center, scale } = state.window.robust();
        mean = state.window.mean();
        std = scale;
        // Statistics need a warm window; before it, z stays 0 and no statistical alert fires.
        if (state.count >= this.o.warmup) z = (value - center) / scale;
      }
      state.window.push(value);
      state.count += 1;
      state.ewma =
        state.count === 1 ? value : this.o.ewmaAlpha * value + (1 - this.o.ewmaAlpha) * state.ewma;
      setOwn(features, metric, { mean, std, z, ewma: state.ewma, n: state.count });
      score = Math.max(score, Math.abs(z));

      const open = (rule: string, episode: Episode, threshold?: number) => (s: number) =>
        this.alert(reading, metric, value, rule, 'open', episode, s, threshold);
      const resolve = (rule: string, episode: Episode, threshold?: number) => (s: number) =>
        this.alert(reading, metric, value, rule, 'resolved', episode, s, threshold);

      // Statistical rule.
      const absZ = Math.abs(z);
      if (!state.zEpisode) {
        state.zStreak = absZ >= this.o.zOpen ? state.zStreak + 1 : 0;
        if (state.zStreak >= this.o.consecutive && absZ >= this.o.zOpen) {
          const severity = absZ >= this.o.zCritical ? 'critical' : 'warning';
          state.zEpisode = { start: reading.ts, severity };
          pending.push(open('zscore', state.zEpisode));
        }
      } else if (absZ < this.o.zResolve) {
        pending.push(resolve('zscore', state.zEpisode));
        state.zEpisode = undefined;
        state.zStreak = 0;
      }
      if (state.zEpisode) anomalous = true;

      // Threshold rules with hysteresis.
      const rule = this.o.thresholds.get(metric);
      if (rule) {
        const h = rule.hysteresis ?? 0;
        const severity = rule.severity ?? 'warning';
        if (rule.high !== undefined) {
          if (!state.highEpisode && value > rule.high) {
            state.highEpisode = { start: reading.ts, severity };
            pending.push(open('threshold.high', state.highEpisode, rule.high));
          } else if (state.highEpisode && value < rule.high - h) {
            pending.push(resolve('threshold.high', state.highEpisode, rule.high));
            state.highEpisode = undefined;
          }
          if (state.highEpisode) anomalous = true;
        }
        if (rule.low !== undefined) {
          if (!state.lowEpisode && value < rule.low) {
            state.lowEpisode = { start: reading.ts, severity };
            pending.push(open('threshold.low', state.lowEpisode, rule.low));
          } else if (state.lowEpisode && value > rule.low + h) {
            pending.push(resolve('threshold.low', state.lowEpisode, rule.low));
            state.lowEpisode = undefined;
          }
          if (state.lowEpisode) anomalous = true;
        }
      }
    }
    // Alerts carry the reading's score, known only once every metric is scored.
    for (const make of pending) alerts.push(make(score));
    const analyzed: AnalyzedReading = {
      ...reading,
      features,
      score,
      anomalous,
      analyzedAt: this.isoNow(),
    };
    return { analyzed, alerts };
  }

  private alert(
    reading: Reading,
    metric: string,
    value: number,
    rule: string,
    state: 'open' | 'resolved',
    episode: Episode,
    score: number,
    threshold?: number,
  ): AlertMessage {
    const id = alertId({ deviceId: reading.deviceId, rule, metric, episodeStart: episode.start });
    const what =
      rule === 'zscore'
        ? `${metric}=${round(value)} is ${state === 'open' ? 'anomalous' : 'back to normal'} (score ${round(score)})`
        : `${metric}=${round(value)} ${state === 'open' ? (rule === 'threshold.high' ? 'above' : 'below') : 'back within'} ${threshold}`;
    return {
      alertId: id,
      deviceId: reading.deviceId,
      rule,
      metric,
      state,
      severity: episode.severity,
      value,
      ...(threshold !== undefined ? { threshold } : {}),
      score,
      episodeStart: episode.start,
      ts: reading.ts,
      readingId: reading.id,
      message: `${reading.deviceId}: ${what}`,
    };
  }

  private device(deviceId: string): DeviceState {
    let device = this.devices.get(deviceId);
    if (device) {
      // Re-insert: Map iteration order is insertion order, so the first key is the LRU one.
      this.devices.delete(deviceId);
    } else {
      device = { metrics: new Map(), recentIds: [] };
      if (this.devices.size >= this.o.maxDevices) {
        const oldest = this.devices.keys().next().value;
        if (oldest !== undefined) this.devices.delete(oldest);
      }
    }
    this.devices.set(deviceId, device);
    return device;
  }
}

/**
 * `target[key] = value` as an own, enumerable property for any key: assignment would call the
 * inherited `__proto__` setter (replacing the prototype) instead; every other name, `constructor`
 * or `toString` included, is an inherited data property that assignment shadows with an own one.
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
