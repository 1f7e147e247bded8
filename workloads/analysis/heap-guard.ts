/**
 * Keeps the detector's state inside the V8 heap the image allows (`--max-old-space-size` in the
 * Dockerfile's CMD, ADR 0020): when the heap in use passes a fraction of its limit, the least
 * recently seen devices are evicted, so a fleet larger than the heap was sized for costs those
 * devices their warm-up — logged and counted — instead of a heap out-of-memory crash loop.
 */
import { getHeapStatistics } from 'node:v8';

/** What {@link HeapGuard} reads from V8 (injectable for tests). */
export interface HeapStats {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

/** The state a guard can shrink: the detector. */
export interface Shrinkable {
  readonly deviceCount: number;
  shrinkTo(count: number): number;
}

/** Options of {@link HeapGuard}. */
export interface HeapGuardOptions {
  /**
   * Heap in use, as a fraction of the heap limit, above which devices are evicted.
   * @default 0.7
   */
  readonly fraction?: number;
  /**
   * Share of the devices evicted at once.
   * @default 0.2
   */
  readonly evictShare?: number;
  /**
   * Minimum time between two evictions: the freed state is only returned by a later GC, so the
   * heap must be read again after one has had the chance to run.
   * @default 10000
   */
  readonly cooldownMs?: number;
  readonly stats?: () => HeapStats;
  readonly now?: () => number;
}

/** What one {@link HeapGuard.check} did. */
export interface HeapCheck {
  readonly evicted: number;
  readonly usedBytes: number;
  readonly limitBytes: number;
}

const v8Stats = (): HeapStats => {
  const s = getHeapStatistics();
  return { usedBytes: s.used_heap_size, limitBytes: s.heap_size_limit };
};

/** Evicts devices when the heap runs close to its limit; call {@link check} after each batch. */
export class HeapGuard {
  private readonly fraction: number;
  private readonly evictShare: number;
  private readonly cooldownMs: number;
  private readonly stats: () => HeapStats;
  private readonly now: () => number;
  private lastEviction = -Infinity;

  constructor(options: HeapGuardOptions = {}) {
    this.fraction = options.fraction ?? 0.7;
    this.evictShare = options.evictShare ?? 0.2;
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.stats = options.stats ?? v8Stats;
    this.now = options.now ?? Date.now;
    if (!(this.fraction > 0 && this.fraction < 1)) {
      throw new RangeError(`fraction must be between 0 and 1 (exclusive), got ${this.fraction}`);
    }
    if (!(this.evictShare > 0 && this.evictShare <= 1)) {
      throw new RangeError(`evictShare must be in (0, 1], got ${this.evictShare}`);
    }
  }

  /** Evicts a share of the devices when the heap is above the threshold and the cooldown is over. */
  check(state: Shrinkable): HeapCheck {
    const { usedBytes, limitBytes } = this.stats();
    const none = { evicted: 0, usedBytes, limitBytes };
    if (usedBytes <= this.fraction * limitBytes) return none;
    const now = this.now();
    if (now - this.lastEviction < this.cooldownMs || state.deviceCount === 0) return none;
    this.lastEviction = now;
    const keep = Math.floor(state.deviceCount * (1 - this.evictShare));
    return { evicted: state.shrinkTo(keep), usedBytes, limitBytes };
  }
}
