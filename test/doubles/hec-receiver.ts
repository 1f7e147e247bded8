/**
 * TEST DOUBLE of Splunk's HTTP Event Collector — not Splunk. It implements the documented
 * contract of the two endpoints the forwarder uses, so the forwarder can be tested here where no
 * Splunk runs (Splunk Enterprise docs, "Format events for HTTP Event Collector", "About HTTP
 * Event Collector Indexer Acknowledgment", "Troubleshoot HTTP Event Collector": status codes):
 *
 * - `POST /services/collector/event`: `Authorization: Splunk <token>` (no header → 401 code 2
 *   "Token is required"; another scheme → 401 code 3 "Invalid authorization"; unknown token →
 *   403 code 4 "Invalid token"; disabled token → 403 code 1 "Token disabled"). With indexer
 *   acknowledgement on for the token, a channel is required (`X-Splunk-Request-Channel` header
 *   or `channel` query): missing → 400 code 10, not a GUID → 400 code 11. The body is one or
 *   more JSON event objects, concatenated (whitespace between them optional); an empty body →
 *   400 code 5 "No data". Per event, in order: not JSON → 400 code 6 "Invalid data format";
 *   no `event` → code 12; a blank `event` → code 13; `fields` not a flat object of strings,
 *   numbers or arrays of them → code 15; an index the token does not allow → code 7; each with
 *   `invalid-event-number` (0-based), the events before it having been taken. A body over
 *   `maxContentLength` → 413. Success → 200 `{"text":"Success","code":0}` plus `ackId` (per
 *   channel, from 0) with acks on.
 * - `POST /services/collector/ack` with `{"acks":[ids]}` → 200 `{"acks":{"<id>":bool}}`: true once
 *   the batch is indexed (`indexDelayMs` after it was taken); unknown ids are false. Acks off →
 *   400 code 14 "ACK is disabled".
 * - `GET /services/collector/health` → 200 code 17.
 *
 * Indexing is simulated: a taken batch becomes searchable in the shared {@link HecIndex} only
 * after `indexDelayMs`; stopping the receiver first loses it, as an indexer crash loses what it
 * had not indexed — exactly what acknowledgements exist for. The index outlives the receiver, so
 * a test can stop one receiver and start another on the same port and still see everything.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One event as the double indexed it: the envelope, plus the channel and token it came with. */
export interface IndexedEvent {
  readonly time?: number;
  readonly host?: string;
  readonly source?: string;
  readonly sourcetype?: string;
  readonly index?: string;
  readonly event: unknown;
  readonly fields?: Record<string, unknown>;
  readonly channel: string | undefined;
}

/** What a "Splunk" index holds across receiver restarts. */
export class HecIndex {
  readonly events: IndexedEvent[] = [];
}

/** A response the test forces instead of the contract's (an outage, throttling, a proxy). */
export interface ForcedResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** Options of {@link HecReceiver}. */
export interface HecReceiverOptions {
  /** Valid tokens and their settings. */
  readonly tokens: Record<
    string,
    { readonly acks?: boolean; readonly disabled?: boolean; readonly indexes?: readonly string[] }
  >;
  /** Where indexed events go. @default - a new index */
  readonly index?: HecIndex;
  /** Delay from taking a batch to indexing it (ack true). @default 50 */
  readonly indexDelayMs?: number;
  /** Largest request body (limits.conf `max_content_length`). @default 1000000 */
  readonly maxContentLength?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits concatenated JSON objects; returns the texts, or the index of the first bad one. */
export function splitConcatenatedJson(body: string): { texts: string[]; badAt?: number } {
  const texts: string[] = [];
  let i = 0;
  const n = body.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(body[i])) i++;
  };
  skipSpace();
  while (i < n) {
    if (body[i] !== '{') return { texts, badAt: texts.length };
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = body[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        i++;
        break;
      }
    }
    if (depth !== 0) return { texts, badAt: texts.length };
    texts.push(body.slice(start, i));
    skipSpace();
  }
  return { texts };
}

const flatValue = (v: unknown) => ['string', 'number'].includes(typeof v);

/** The test double; `start()` listens, `stop()` kills it (open connections included). */
export class HecReceiver {
  readonly index: HecIndex;
  /** Every request received, for assertions on headers. */
  readonly requests: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  private readonly forced: ForcedResponse[] = [];
  private readonly channels = new Map<string, { next: number; acked: Set<number> }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server | undefined;
  private lastPort = 0;

  constructor(private readonly options: HecReceiverOptions) {
    this.index = options.index ?? new HecIndex();
  }

  /** Answers the next `count` event requests with `response` instead of the contract. */
  force(response: ForcedResponse, count = 1): void {
    for (let i = 0; i < count; i++) this.forced.push(response);
  }

  /** Listens on `port` (0: any) on 127.0.0.1; resolves with the base URL. */
  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.lastPort = (server.address() as AddressInfo).port;
    return this.url;
  }

  /** Base URL (kept after stop, so a test can start a successor on the same port). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get port(): number {
    if (this.server) this.lastPort = (this.server.address() as AddressInfo).port;
    return this.lastPort;
  }

  /** Kills the receiver: connections dropped, batches not yet indexed lost. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://hec');
    this.requests.push({ path: url.pathname, headers: req.headers, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname === '/services/collector/health' && req.method === 'GET') {
      return send(200, { text: 'HEC is healthy', code: 17 });
    }
    const isEvent = url.pathname === '/services/collector/event';
    const isAck = url.pathname === '/services/collector/ack';
    if (!isEvent && !isAck)
      return send(404, { text: 'The requested URL was not found on this server.', code: 404 });
    if (req.method !== 'POST') return send(405, { text: 'Method not allowed', code: 405 });
    if (isEvent && this.forced.length > 0) {
      const f = this.forced.shift()!;
      return send(f.status, f.body ?? {}, f.headers);
    }

    const auth = req.headers.authorization;
    if (auth === undefined) return send(401, { text: 'Token is required', code: 2 });
    const match = /^Splunk (\S+)$/.exec(auth);
    if (!match) return send(401, { text: 'Invalid authorization', code: 3 });
    const token = this.options.tokens[match[1]];
    if (!token) return send(403, { text: 'Invalid token', code: 4 });
    if (token.disabled) return send(403, { text: 'Token disabled', code: 1 });
    const acks = token.acks ?? true;
    const channel =
      (req.headers['x-splunk-request-channel'] as string | undefined) ??
      url.searchParams.get('channel') ??
      undefined;
    if (acks || isAck) {
      if (isAck && !acks) return send(400, { text: 'ACK is disabled', code: 14 });
      if (channel === undefined) return send(400, { text: 'Data channel is missing', code: 10 });
      if (!GUID.test(channel)) return send(400, { text: 'Invalid data channel', code: 11 });
    }

    if (isAck) {
      let ids: unknown;
      try {
        ids = (JSON.parse(body) as { acks?: unknown }).acks;
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i))) {
        return send(400, { text: 'Invalid data format', code: 6 });
      }
      const state = this.channels.get(channel!);
      return send(200, {
        acks: Object.fromEntries(
          (ids as number[]).map((id) => [String(id), state?.acked.has(id) ?? false]),
        ),
      });
    }

    const max = this.options.maxContentLength ?? 1_000_000;
    if (Buffer.byteLength(body) > max) {
      return send(413, {
        text: `Content-Length of ${Buffer.byteLength(body)} too large (maximum is ${max})`,
      });
    }
    if (body.trim() === '') return send(400, { text: 'No data', code: 5 });
    const { texts, badAt } = splitConcatenatedJson(body);
    const taken: IndexedEvent[] = [];
    let error: { text: string; code: number; at: number } | undefined;
    for (const [i, text] of texts.entries()) {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(text) as Record<string, unknown>;
      } catch {
        error = { text: 'Invalid data format', code: 6, at: i };
        break;
      }
      if (!('event' in e)) {
        error = { text: 'Event field is required', code: 12, at: i };
        break;
      }
      if (e.event === null || (typeof e.event === 'string' && e.event.trim() === '')) {
        error = { text: 'Event field cannot be blank', code: 13, at: i };
        break;
      }
      const fields = e.fields;
      if (
        fields !== undefined &&
        (typeof fields !== 'object' ||
          fields === null ||
          Array.isArray(fields) ||
          !Object.values(fields).every(
            (v) => flatValue(v) || (Array.isArray(v) && v.every(flatValue)),
          ))
      ) {
        error = { text: 'Error in handling indexed fields', code: 15, at: i };
        break;
      }
      if (token.indexes && typeof e.index === 'string' && !token.indexes.includes(e.index)) {
        error = { text: 'Incorrect index', code: 7, at: i };
        break;
      }
      taken.push({ ...(e as Omit<IndexedEvent, 'channel'>), channel });
    }
    if (!error && badAt !== undefined) error = { text: 'Invalid data format', code: 6, at: badAt };
    if (error) {
      // What came before the bad event was taken; it is indexed without an ackId to ask about.
      this.indexLater(taken);
      return send(400, { text: error.text, code: error.code, 'invalid-event-number': error.at });
    }
    if (!acks) {
      this.indexLater(taken);
      return send(200, { text: 'Success', code: 0 });
    }
    let state = this.channels.get(channel!);
    if (!state) {
      state = { next: 0, acked: new Set() };
      this.channels.set(channel!, state);
    }
    const ackId = state.next++;
    const s = state;
    this.indexLater(taken, () => s.acked.add(ackId));
    return send(200, { text: 'Success', code: 0, ackId });
  }

  private indexLater(events: IndexedEvent[], then?: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.index.events.push(...events);
      then?.();
    }, this.options.indexDelayMs ?? 50);
    this.timers.add(timer);
  }
}
