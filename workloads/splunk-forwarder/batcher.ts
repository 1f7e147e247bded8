/**
 * Gathers events from every partition being handled into HEC-sized batches — at most
 * `maxEvents` events and `maxBytes` bytes, sent at the latest `lingerMs` after the first event
 * entered — and tells each caller when all of ITS events are delivered or rejected, so a
 * partition commits its offsets only after its own events were acknowledged.
 */

/** Something to batch: its size in the request body. */
export interface Batchable {
  readonly bytes: number;
}

/** What a caller of {@link Batcher.add} gets back: its items HEC rejected for good. */
export interface BatchResult<T> {
  readonly rejected: ReadonlyArray<{ readonly item: T; readonly reason: string }>;
}

/** Options of {@link Batcher}. */
export interface BatcherOptions<T extends Batchable> {
  readonly maxEvents: number;
  /** Body bytes per batch, newline separators included; a bigger single event goes alone. */
  readonly maxBytes: number;
  readonly lingerMs: number;
  /**
   * Batches delivered at the same time (each waits for its acknowledgement).
   * @default 4
   */
  readonly maxInFlight?: number;
  /** Delivers one batch; resolves with the rejected items, throws when it gave up. */
  readonly deliver: (items: T[]) => Promise<BatchResult<T>>;
  /** Told the size of every batch sent. */
  readonly onBatch?: (events: number, bytes: number) => void;
}

interface Owner<T> {
  remaining: number;
  failed: boolean;
  readonly rejected: { item: T; reason: string }[];
  readonly resolve: (result: BatchResult<T>) => void;
  readonly reject: (error: Error) => void;
}

interface Entry<T> {
  readonly item: T;
  readonly owner: Owner<T>;
}

/** Size- and time-bounded batching with per-caller completion. */
export class Batcher<T extends Batchable> {
  private current: Entry<T>[] = [];
  private currentBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Entry<T>[][] = [];
  private inFlight = 0;

  constructor(private readonly options: BatcherOptions<T>) {}

  /** Batches sent and not yet settled. */
  get batchesInFlight(): number {
    return this.inFlight;
  }

  /**
   * Adds `items` (in order) and resolves once every one of them was delivered or rejected;
   * rejects when a batch holding one of them could not be delivered (the caller then commits
   * nothing and its records are read again).
   */
  add(items: readonly T[]): Promise<BatchResult<T>> {
    if (items.length === 0) return Promise.resolve({ rejected: [] });
    return new Promise<BatchResult<T>>((resolve, reject) => {
      const owner: Owner<T> = {
        remaining: items.length,
        failed: false,
        rejected: [],
        resolve,
        reject,
      };
      for (const item of items) this.push({ item, owner });
    });
  }

  /** Sends what is gathered now, without waiting for the linger time. */
  flush(): void {
    this.seal();
  }

  private push(entry: Entry<T>): void {
    const added = entry.item.bytes + (this.current.length > 0 ? 1 : 0);
    if (this.current.length > 0 && this.currentBytes + added > this.options.maxBytes) this.seal();
    this.currentBytes += entry.item.bytes + (this.current.length > 0 ? 1 : 0);
    this.current.push(entry);
    if (
      this.current.length >= this.options.maxEvents ||
      this.currentBytes >= this.options.maxBytes
    ) {
      this.seal();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.seal(), this.options.lingerMs);
      // a partial batch alone never holds a stopping process open (shutdown flushes it)
      this.timer.unref();
    }
  }

  private seal(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current.length === 0) return;
    this.ready.push(this.current);
    this.current = [];
    this.currentBytes = 0;
    this.dispatch();
  }

  private dispatch(): void {
    while (this.inFlight < (this.options.maxInFlight ?? 4) && this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.inFlight++;
      const items = batch.map((e) => e.item);
      this.options.onBatch?.(
        items.length,
        items.reduce((n, i) => n + i.bytes, 0) + items.length - 1,
      );
      void this.options
        .deliver(items)
        .then(
          (result) => {
            const rejected = new Map<T, string>(result.rejected.map((r) => [r.item, r.reason]));
            for (const { item, owner } of batch) {
              const reason = rejected.get(item);
              if (reason !== undefined) owner.rejected.push({ item, reason });
              settle(owner);
            }
          },
          (error: Error) => {
            for (const { owner } of batch) {
              if (!owner.failed) {
                owner.failed = true;
                owner.reject(error);
              }
            }
          },
        )
        .finally(() => {
          this.inFlight--;
          this.dispatch();
        });
    }
  }
}

function settle<T>(owner: Owner<T>): void {
  owner.remaining--;
  if (owner.remaining === 0 && !owner.failed) owner.resolve({ rejected: owner.rejected });
}
