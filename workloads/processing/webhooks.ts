import { createHmac } from 'node:crypto';
import type { AlertMessage } from '../shared/messages';

/** Options of {@link WebhookDispatcher}. */
export interface WebhookOptions {
  /** Endpoints that get every alert notification as a JSON POST. */
  readonly urls: readonly string[];
  /**
   * Shared secret for the `X-Signature-256` header (HMAC-SHA256 of `${timestamp}.${body}`).
   * @default - no signature header
   */
  readonly secret?: string;
  /**
   * Attempts per delivery, the first included.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Delay before the first retry; doubles each retry.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Cap on the delay between attempts.
   * @default 30000
   */
  readonly maxDelayMs?: number;
  /**
   * Timeout of one attempt (connect + response).
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Deliveries held in memory (queued, in flight or waiting to retry); beyond it new ones are
   * dropped and counted, so a dead endpoint cannot grow memory without bound.
   * @default 1000
   */
  readonly queueCapacity?: number;
  /**
   * Attempts in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Randomise delays (equal jitter) so many processes don't retry in lockstep.
   * @default true
   */
  readonly jitter?: boolean;
  /** Told about every outcome, for metrics and logs. */
  readonly observer?: WebhookObserver;
}

/** Outcome callbacks of {@link WebhookDispatcher}. */
export interface WebhookObserver {
  delivered?(url: string, attempts: number): void;
  /** One attempt failed; `willRetry` says whether another follows. */
  attemptFailed?(url: string, attempt: number, reason: string, willRetry: boolean): void;
  /** A delivery gave up after its last attempt or on a permanent (4xx) answer. */
  failed?(url: string, attempts: number, reason: string): void;
  /** A delivery was refused because the queue was full, or abandoned at close. */
  dropped?(url: string, why: 'queue full' | 'shutdown'): void;
}

interface Job {
  readonly url: string;
  readonly body: string;
  readonly dedupeKey: string;
  attempt: number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1), capped, optionally jittered. */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: number | null,
): number {
  const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return random === null ? exp : Math.round(exp / 2 + (random * exp) / 2);
}

/** The `X-Signature-256` value for a body sent at `timestamp` (seconds). */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Delivers alert notifications to webhooks with bounded retries and exponential backoff, a
 * timeout per attempt, and an HMAC signature. It never blocks the consumer: `enqueue` returns at
 * once, and deliveries live in a bounded in-memory queue. A restart loses what is still queued
 * (the Redis stream and the alerts table keep the record; receivers dedupe on
 * `X-Alert-Dedupe-Key`).
 */
export class WebhookDispatcher {
  private readonly queue: Job[] = [];
  /** Deliveries waiting out their backoff, by the timer that will requeue them. */
  private readonly retrying = new Map<NodeJS.Timeout, Job>();
  private readonly controllers = new Set<AbortController>();
  private inFlight = 0;
  private closed = false;
  private idleResolvers: Array<() => void> = [];
  private readonly o: Required<Omit<WebhookOptions, 'secret' | 'observer'>>;

  constructor(private readonly options: WebhookOptions) {
    this.o = {
      urls: options.urls,
      maxAttempts: options.maxAttempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 5000,
      queueCapacity: options.queueCapacity ?? 1000,
      concurrency: options.concurrency ?? 4,
      jitter: options.jitter ?? true,
    };
  }

  /** Deliveries held now (queued + in flight + waiting to retry). */
  get pending(): number {
    return this.queue.length + this.inFlight + this.retrying.size;
  }

  /** Queues the alert for every configured URL; returns how many deliveries were accepted. */
  enqueue(alert: AlertMessage): number {
    const body = JSON.stringify(alert);
    let accepted = 0;
    for (const url of this.o.urls) {
      if (this.closed || this.pending >= this.o.queueCapacity) {
        this.options.observer?.dropped?.(url, this.closed ? 'shutdown' : 'queue full');
        continue;
      }
      this.queue.push({ url, body, dedupeKey: `${alert.alertId}/${alert.state}`, attempt: 0 });
      accepted++;
    }
    this.pump();
    return accepted;
  }

  /** Resolves when nothing is pending (tests, and a graceful drain). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  /**
   * Stops taking deliveries, gives pending ones up to `drainMs` to finish, then abandons the
   * rest (counted as dropped) and aborts attempts in flight.
   */
  async close(drainMs = 5000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((r) => (timer = setTimeout(r, drainMs)))]);
    clearTimeout(timer);
    const abandoned = [...this.queue.splice(0), ...this.retrying.values()];
    for (const t of this.retrying.keys()) clearTimeout(t);
    this.retrying.clear();
    for (const job of abandoned) this.options.observer?.dropped?.(job.url, 'shutdown');
    for (const c of this.controllers) c.abort();
    this.settleIfIdle();
  }

  private pump(): void {
    while (this.inFlight < this.o.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.inFlight++;
      void this.attempt(job).finally(() => {
        this.inFlight--;
        this.pump();
        this.settleIfIdle();
      });
    }
  }

  private settleIfIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.idleResolvers.splice(0)) resolve();
  }

  private async attempt(job: Job): Promise<void> {
    job.attempt++;
    const observer = this.options.observer;
    const result = await this.post(job);
    if (result.ok) {
      observer?.delivered?.(job.url, job.attempt);
      return;
    }
    const willRetry = result.retryable && job.attempt < this.o.maxAttempts && !this.closed;
    observer?.attemptFailed?.(job.url, job.attempt, result.reason, willRetry);
    if (!willRetry) {
      observer?.failed?.(job.url, job.attempt, result.reason);
      return;
    }
    const delay = backoffDelayMs(
      job.attempt,
      this.o.baseDelayMs,
      this.o.maxDelayMs,
      this.o.jitter ? Math.random() : null,
    );
    const timer = setTimeout(() => {
      this.retrying.delete(timer);
      this.queue.push(job);
      this.pump();
    }, delay);
    this.retrying.set(timer, job);
  }

  private async post(
    job: Job,
  ): Promise<{ ok: true } | { ok: false; retryable: boolean; reason: string }> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.o.timeoutMs);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'iot-processing-webhook/1',
      'x-alert-dedupe-key': job.dedupeKey,
      'x-delivery-attempt': String(job.attempt),
      'x-signature-timestamp': timestamp,
    };
    if (this.options.secret)
      headers['x-signature-256'] = signBody(this.options.secret, timestamp, job.body);
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers,
        body: job.body,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      // 408 and 429 are "try later"; other 4xx mean the request itself is wrong: retrying won't help.
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      return { ok: false, retryable, reason: `http ${res.status}` };
    } catch (err) {
      const reason = controller.signal.aborted
        ? `timeout after ${this.o.timeoutMs} ms`
        : (err as Error).message;
      return { ok: false, retryable: true, reason };
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
  }
}
