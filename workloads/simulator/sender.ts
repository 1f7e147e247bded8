/**
 * Posting batches to ingest (directly, or through API Management): retries 503 and 429
 * (honouring Retry-After) and network errors with exponential backoff, and keeps the numbers the
 * progress line and summary show.
 */
import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Counters and latencies of a run. */
export class SendStats {
  sentReadings = 0;
  acceptedReadings = 0;
  rejectedReadings = 0;
  requests = 0;
  status503 = 0;
  /** Answers 429 (API Management's rate limit or quota). */
  status429 = 0;
  retries = 0;
  failedRequests = 0;
  /** The last network error or unexpected status, for the summary. */
  lastProblem: string | undefined;
  /** Latency of each successful request, ms. */
  readonly latenciesMs: number[] = [];

  /** The p-th percentile (0-100) of request latency, ms. */
  percentile(p: number): number {
    if (this.latenciesMs.length === 0) return 0;
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
}

/** Options of {@link postBatch}. */
export interface PostOptions {
  readonly url: URL;
  /** An `http.Agent` for http URLs, an `https.Agent` for https ones. */
  readonly agent: Agent;
  readonly stats: SendStats;
  /**
   * Extra request headers, e.g. `Ocp-Apim-Subscription-Key` or `Authorization` for API Management.
   * @default - none
   */
  readonly headers?: OutgoingHttpHeaders;
  /** Attempts in total, including the first (default 6). */
  readonly maxAttempts?: number;
  /** First backoff, doubled per attempt, capped at 10 s (default 200 ms). */
  readonly baseBackoffMs?: number;
  readonly timeoutMs?: number;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function post(
  url: URL,
  agent: Agent,
  body: string,
  contentType: string,
  timeoutMs: number,
  headers: OutgoingHttpHeaders,
) {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Statuses worth the same body again: ingest's 503 (a sink was down) and a gateway's 429. */
const RETRIED = new Set([429, 503]);

/**
 * Posts one batch; on 503, 429 or a network error waits (Retry-After, else exponential backoff with
 * jitter) and retries the same body — safe because ingest derives ids deterministically.
 * Returns the final status (0 when every attempt failed at the network level).
 */
export async function postBatch(
  batch: { body: string; count: number; contentType: string },
  options: PostOptions,
): Promise<number> {
  const { stats } = options;
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.baseBackoffMs ?? 200;
  stats.sentReadings += batch.count;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let answer: Answer | undefined;
    stats.requests++;
    try {
      answer = await post(
        options.url,
        options.agent,
        batch.body,
        batch.contentType,
        options.timeoutMs ?? 30_000,
        options.headers ?? {},
      );
    } catch (e) {
      stats.lastProblem = (e as Error).message;
    }
    if (answer && !RETRIED.has(answer.status)) {
      stats.latenciesMs.push(performance.now() - started);
      if (answer.status === 202 || answer.status === 400) {
        const parsed = JSON.parse(answer.body) as { accepted?: number; rejected?: number };
        stats.acceptedReadings += parsed.accepted ?? 0;
        stats.rejectedReadings += parsed.rejected ?? 0;
      } else {
        stats.failedRequests++;
        stats.lastProblem = `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
      }
      return answer.status;
    }
    if (answer?.status === 503) stats.status503++;
    if (answer?.status === 429) stats.status429++;
    if (attempt >= maxAttempts) {
      stats.failedRequests++;
      return answer?.status ?? 0;
    }
    stats.retries++;
    const retryAfter = Number(answer?.headers['retry-after']);
    const backoff = Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff;
    await new Promise((r) => setTimeout(r, waitMs));
  }
}
