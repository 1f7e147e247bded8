/** Options of {@link produceUntilAccepted}. */
export interface ProduceRetryOptions {
  /** False once the consumer is stopping: give up and leave the batch uncommitted. */
  readonly isRunning: () => boolean;
  /** Keeps the group membership while waiting (failures ignored: Kafka may be the one away). */
  readonly heartbeat: () => Promise<void>;
  /** Told before each wait. */
  readonly onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /**
   * First wait, doubled per attempt.
   * @default 200
   */
  readonly initialDelayMs?: number;
  /**
   * Longest wait between two attempts.
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /** Waits; tests pass a fake. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends one batch's outputs until Kafka takes them (a broker restart), with capped exponential
 * backoff. The caller computed `send`'s outputs once — the detector must never see a batch
 * twice — so every attempt sends the same records; one repeated after a partial success is
 * deduped downstream by reading id and `(alertId, state)`. Throws the last error when the
 * consumer stops meanwhile, so nothing is committed and the next start redoes the batch.
 */
export async function produceUntilAccepted(
  send: () => Promise<void>,
  options: ProduceRetryOptions,
): Promise<number> {
  const initial = options.initialDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return attempt;
    } catch (error) {
      if (!options.isRunning()) throw error;
      const delay = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
      options.onRetry?.(error as Error, attempt, delay);
      await sleep(delay);
      await options.heartbeat().catch(() => undefined);
    }
  }
}
