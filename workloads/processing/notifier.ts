import type { Logger } from 'pino';
import type { AlertMessage } from '../shared/messages';
import type { RedisCache } from './cache';
import type { ProcessingStore } from './store';
import type { WebhookDispatcher } from './webhooks';

/** Outcome counters of {@link AlertNotifier}, wired to metrics by the app. */
export interface NotifierObserver {
  /** Transitions newly put on the stream, and ones the stream already had. */
  published?(added: number, alreadyOnStream: number): void;
  /** A publish round failed (Redis or PostgreSQL); the outbox keeps the alerts for the next sweep. */
  failed?(error: Error): void;
}

/**
 * Notifies alert transitions after the database commit, from the `alerts` table as an outbox:
 * a transition is put on `alerts:stream` at most once (Redis-side dedupe on (alertId, state)),
 * handed to the webhooks only when it is new on the stream, then marked notified. A crash or a
 * Redis outage between commit and mark leaves it unmarked, and the next sweep publishes it —
 * so every stored transition reaches the stream exactly once.
 */
export class AlertNotifier {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ProcessingStore,
    private readonly cache: RedisCache,
    private readonly webhooks: WebhookDispatcher | undefined,
    private readonly logger: Logger,
    private readonly observer: NotifierObserver = {},
  ) {}

  /** Publishes transitions just committed. Never throws: failures wait for the sweep. */
  publish(alerts: readonly AlertMessage[]): Promise<void> {
    if (alerts.length === 0) return this.chain;
    // Serialised, so a sweep and a post-commit publish never interleave their marks.
    this.chain = this.chain.then(() => this.publishNow(alerts));
    return this.chain;
  }

  /** Publishes whatever the outbox still holds (on start, and periodically). Never throws. */
  sweep(limit = 500): Promise<void> {
    this.chain = this.chain.then(async () => {
      let pending: AlertMessage[];
      try {
        pending = await this.store.unnotifiedAlerts(limit);
      } catch (err) {
        this.observer.failed?.(err as Error);
        this.logger.warn({ err }, 'alert outbox sweep failed');
        return;
      }
      if (pending.length > 0) {
        this.logger.info({ count: pending.length }, 'publishing alerts left in the outbox');
        await this.publishNow(pending);
      }
    });
    return this.chain;
  }

  private async publishNow(alerts: readonly AlertMessage[]): Promise<void> {
    try {
      const ids = await this.cache.notify(alerts);
      let added = 0;
      alerts.forEach((alert, i) => {
        if (ids[i] === null) return;
        added++;
        this.webhooks?.enqueue(alert);
      });
      await this.store.markNotified(alerts);
      this.observer.published?.(added, alerts.length - added);
    } catch (err) {
      this.observer.failed?.(err as Error);
      this.logger.warn({ err, count: alerts.length }, 'alert notification failed; outbox keeps it');
    }
  }
}
