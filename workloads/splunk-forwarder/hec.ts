/**
 * The HTTP Event Collector client: posts a batch of events to `/services/collector/event`, waits
 * for the indexer acknowledgement of its `ackId` on `/services/collector/ack`, retries what a
 * retry can fix and isolates what HEC rejects for good, event by event.
 */
import { backoffDelayMs, retryAfterMs, sleep } from './backoff';

/** HEC's documented status codes the client acts on (Splunk docs, "Troubleshoot HTTP Event Collector"). */
export const HEC_CODES = {
  success: 0,
  tokenDisabled: 1,
  tokenRequired: 2,
  invalidAuthorization: 3,
  invalidToken: 4,
  noData: 5,
  invalidDataFormat: 6,
  incorrectIndex: 7,
  internalError: 8,
  serverBusy: 9,
  channelMissing: 10,
  invalidChannel: 11,
  eventFieldRequired: 12,
  eventFieldBlank: 13,
  ackDisabled: 14,
  indexedFieldsError: 15,
  queryStringAuthDisabled: 16,
} as const;

/**
 * Codes that say the endpoint or token is set up wrong, not the event: every event would fail
 * the same way, so they are retried (and the forwarder reports not ready) until an operator
 * fixes the token, its allowed indexes or its acknowledgement setting. Dead-lettering the whole
 * stream for a misconfiguration would be worse than waiting.
 */
const CONFIGURATION_CODES: ReadonlySet<number> = new Set([
  HEC_CODES.incorrectIndex,
  HEC_CODES.channelMissing,
  HEC_CODES.invalidChannel,
  HEC_CODES.ackDisabled,
  HEC_CODES.queryStringAuthDisabled,
]);

/** Something the client sends: its serialized event. */
export interface Sendable {
  readonly json: string;
}

/** What became of a batch: the items HEC would never take, each with the reason. */
export interface Delivery<T> {
  readonly rejected: ReadonlyArray<{ readonly item: T; readonly reason: string }>;
}

/** Thrown when the client is stopped before a batch was acknowledged: commit nothing. */
export class StoppedError extends Error {
  constructor() {
    super('stopped before the batch was acknowledged');
    this.name = 'StoppedError';
  }
}

/** Options of {@link HecClient}. */
export interface HecClientOptions {
  /** Base URL, e.g. `https://hec.example.org:8088` (a path prefix is kept). */
  readonly baseUrl: string;
  /** The token, read per request so a rotated token file takes effect without a restart. */
  readonly token: () => string;
  /** `X-Splunk-Request-Channel`: a UUID per process. */
  readonly channel: string;
  /**
   * Whether the token has indexer acknowledgement on: a batch counts only once its ackId is
   * acknowledged. Off (Splunk Cloud, which offers acks only to Firehose), a 200 counts.
   * @default true
   */
  readonly acks?: boolean;
  /** @default 500 */
  readonly ackPollMs?: number;
  /** @default 60000 */
  readonly ackTimeoutMs?: number;
  /** @default 250 */
  readonly retryInitialMs?: number;
  /** @default 30000 */
  readonly retryMaxMs?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Aborted when the forwarder stops: waits end and unacknowledged batches throw. */
  readonly stop?: AbortSignal;
  /** Told about every failed attempt that will be retried. */
  readonly onRetry?: (info: { reason: string; attempt: number; delayMs: number }) => void;
  /** Told when an acknowledgement did not come in time and the batch is sent again. */
  readonly onAckTimeout?: (info: { ackId: number; events: number }) => void;
  /** Random source of the jitter. @default Math.random */
  readonly random?: () => number;
}

type Answer =
  | { kind: 'accepted'; ackId?: number }
  | { kind: 'invalid-event'; index: number; reason: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

interface HecBody {
  text?: unknown;
  code?: unknown;
  ackId?: unknown;
  'invalid-event-number'?: unknown;
}

/** The HEC client of one forwarder process (one channel). */
export class HecClient {
  private readonly eventUrl: string;
  private readonly ackUrl: string;
  private lastFailure: { at: number; reason: string } | undefined;

  constructor(private readonly options: HecClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.eventUrl = `${base}/services/collector/event`;
    this.ackUrl = `${base}/services/collector/ack`;
  }

  /** Throws while the last exchange with HEC failed; a readiness check. */
  check(): void {
    if (this.lastFailure) throw new Error(`splunk hec: ${this.lastFailure.reason}`);
  }

  /**
   * Delivers `items` (one request, or several when HEC rejects some): resolves once every item
   * is acknowledged (or, without acks, accepted) or permanently rejected. Transient failures —
   * network errors, timeouts, 5xx, 429, 401/403, configuration codes, a lost acknowledgement —
   * are retried with backoff until they pass. Throws {@link StoppedError} when stopped first.
   */
  async deliver<T extends Sendable>(items: readonly T[]): Promise<Delivery<T>> {
    const rejected: { item: T; reason: string }[] = [];
    const queue: T[][] = items.length > 0 ? [[...items]] : [];
    let withoutAckId = 0;
    while (queue.length > 0) {
      const batch = queue.shift()!;
      const answer = await this.postUntilAnswered(batch);
      if (answer.kind === 'accepted') {
        if (this.options.acks === false) continue;
        if (answer.ackId === undefined) {
          // Cannot happen with acks on: the token has them off. Retry until fixed.
          await this.waitBeforeRetry(
            ++withoutAckId,
            'accepted without an ackId: enable indexer acknowledgement on the token, or set SPLUNK_HEC_ACKS=false',
          );
          queue.unshift(batch);
          continue;
        }
        if (!(await this.awaitAck(answer.ackId))) {
          this.options.onAckTimeout?.({ ackId: answer.ackId, events: batch.length });
          queue.unshift(batch);
        }
      } else if (answer.kind === 'invalid-event' && answer.index < batch.length) {
        // HEC stops at the first invalid event; the rest of the batch is sent again (events
        // before it may be indexed twice: the event id dedupes them).
        rejected.push({ item: batch[answer.index], reason: answer.reason });
        const rest = batch.filter((_, i) => i !== answer.index);
        if (rest.length > 0) queue.unshift(rest);
      } else {
        if (batch.length === 1) {
          rejected.push({ item: batch[0], reason: answer.reason });
        } else {
          // Which event? Halve until the culprit is alone; good events go through.
          const mid = Math.ceil(batch.length / 2);
          queue.unshift(batch.slice(0, mid), batch.slice(mid));
        }
      }
    }
    return { rejected };
  }

  private get stopped(): boolean {
    return this.options.stop?.aborted === true;
  }

  private fail(reason: string): void {
    this.lastFailure = { at: Date.now(), reason };
  }

  private async waitBeforeRetry(
    attempt: number,
    reason: string,
    retryAfter?: number,
  ): Promise<void> {
    this.fail(reason);
    if (this.stopped) throw new StoppedError();
    const backoff = backoffDelayMs(
      attempt,
      this.options.retryInitialMs ?? 250,
      this.options.retryMaxMs ?? 30_000,
      this.options.random,
    );
    const delayMs = Math.max(backoff, retryAfter ?? 0);
    this.options.onRetry?.({ reason, attempt, delayMs });
    await sleep(delayMs, this.options.stop);
    if (this.stopped) throw new StoppedError();
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Splunk ${this.options.token()}`,
      'x-splunk-request-channel': this.options.channel,
      'content-type': 'application/json',
    };
  }

  private async request(
    url: string,
    body: string,
  ): Promise<{ status: number; body: HecBody; retryAfter: string | null }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: this.headers(),
      body,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
    });
    const text = await res.text();
    let parsed: HecBody = {};
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        parsed = value as HecBody;
    } catch {
      // a proxy's HTML error page: the status decides
    }
    return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after') };
  }

  /** Posts one batch until HEC gives an answer a retry cannot change. */
  private async postUntilAnswered<T extends Sendable>(batch: readonly T[]): Promise<Answer> {
    const body = batch.map((e) => e.json).join('\n');
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new StoppedError();
      let answer: Answer;
      try {
        answer = classify(await this.request(this.eventUrl, body));
      } catch (error) {
        answer = { kind: 'retry', reason: `request failed: ${(error as Error).message}` };
      }
      if (answer.kind !== 'retry') {
        if (answer.kind === 'accepted') this.lastFailure = undefined;
        return answer;
      }
      await this.waitBeforeRetry(attempt, answer.reason, answer.retryAfterMs);
    }
  }

  /** Polls the ack endpoint until `ackId` is acknowledged (true) or the timeout passes (false). */
  private async awaitAck(ackId: number): Promise<boolean> {
    const deadline = Date.now() + (this.options.ackTimeoutMs ?? 60_000);
    const body = JSON.stringify({ acks: [ackId] });
    while (Date.now() < deadline) {
      await sleep(this.options.ackPollMs ?? 500, this.options.stop);
      if (this.stopped) throw new StoppedError();
      try {
        const res = await this.request(this.ackUrl, body);
        const acks = res.body as { acks?: unknown };
        if (res.status === 200 && typeof acks.acks === 'object' && acks.acks !== null) {
          this.lastFailure = undefined;
          if ((acks.acks as Record<string, unknown>)[String(ackId)] === true) return true;
        } else {
          this.fail(`ack poll answered ${res.status} ${describe(res.body)}`);
        }
      } catch (error) {
        this.fail(`ack poll failed: ${(error as Error).message}`);
      }
    }
    return false;
  }
}

function describe(body: HecBody): string {
  return typeof body.text === 'string'
    ? `(code ${String(body.code)}: ${body.text})`
    : '(no HEC body)';
}

/** What a response to `/services/collector/event` means for the batch. */
export function classify(res: {
  status: number;
  body: HecBody;
  retryAfter: string | null;
}): Answer {
  const { status, body } = res;
  const code = typeof body.code === 'number' ? body.code : undefined;
  const what = `${status} ${describe(body)}`;
  if (status === 200 && (code === undefined || code === HEC_CODES.success)) {
    return { kind: 'accepted', ackId: typeof body.ackId === 'number' ? body.ackId : undefined };
  }
  if (status === 429 || status >= 500) {
    return {
      kind: 'retry',
      reason: `hec answered ${what}`,
      retryAfterMs: retryAfterMs(res.retryAfter),
    };
  }
  if (status === 401 || status === 403) {
    return { kind: 'retry', reason: `hec refused the token: ${what}` };
  }
  if (status === 404 || status === 405 || (code !== undefined && CONFIGURATION_CODES.has(code))) {
    return { kind: 'retry', reason: `hec endpoint or token is misconfigured: ${what}` };
  }
  if (status === 413)
    return { kind: 'rejected', reason: `hec rejected the request as too large: ${what}` };
  const index = body['invalid-event-number'];
  if (typeof index === 'number' && Number.isInteger(index) && index >= 0) {
    return { kind: 'invalid-event', index, reason: `hec rejected the event: ${what}` };
  }
  if (status >= 400 && status < 500)
    return { kind: 'rejected', reason: `hec rejected the event: ${what}` };
  return { kind: 'retry', reason: `hec answered ${what}` };
}
