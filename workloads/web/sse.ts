import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { REDIS_KEYS, compareStreamIds, isStreamId } from '../shared/redis';

/** Options of {@link SseHub}. */
export interface SseHubOptions {
  /**
   * Comment line sent to every client this often, so proxies (App Service's front end closes
   * idle connections after 230 s) keep the connection and clients notice a dead one.
   * @default 15000
   */
  readonly heartbeatMs?: number;
  /**
   * XREAD BLOCK timeout; bounds how long stop() waits for the reader.
   * @default 5000
   */
  readonly blockMs?: number;
  /**
   * Most entries replayed to a client resuming with Last-Event-ID.
   * @default 1000
   */
  readonly maxReplay?: number;
  /**
   * A client whose unsent output exceeds this is disconnected (it will resume with
   * Last-Event-ID) rather than letting a slow reader grow the server's memory.
   * @default 1048576
   */
  readonly maxBufferedBytes?: number;
  /**
   * Clients served at once; more get 503.
   * @default 1000
   */
  readonly maxClients?: number;
  /** Client reconnect delay advertised with `retry:`. @default 2000 */
  readonly retryMs?: number;
  readonly logger: Logger;
  /** Told about client count changes and events fanned out (metrics). */
  readonly observer?: {
    clients?(n: number): void;
    delivered?(events: number): void;
  };
}

interface StreamEntry {
  readonly id: string;
  readonly data: string;
}

interface Client {
  readonly res: Response;
  lastSentId: string | undefined;
  /** Live entries that arrived while the client's replay was running. */
  buffer: StreamEntry[] | undefined;
}

function toEntries(raw: [string, string[]][]): StreamEntry[] {
  return raw.map(([id, fields]) => {
    const i = fields.indexOf('alert');
    return { id, data: i >= 0 ? fields[i + 1] : '{}' };
  });
}

/**
 * Live alerts as Server-Sent Events. One Redis connection blocks on XREAD for the whole
 * process and fans each entry out to every client; a client that reconnects with
 * `Last-Event-ID` first gets what it missed (XRANGE on the shared command connection), then the
 * live entries that came meanwhile, in order and without duplicates.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private readonly o: Required<Omit<SseHubOptions, 'logger' | 'observer'>>;
  private running = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  /**
   * @param reader a dedicated connection: XREAD BLOCK holds it for seconds at a time.
   * @param redis the shared command connection, for replays.
   */
  constructor(
    private readonly reader: Redis,
    private readonly redis: Redis,
    private readonly options: SseHubOptions,
  ) {
    this.o = {
      heartbeatMs: options.heartbeatMs ?? 15_000,
      blockMs: options.blockMs ?? 5000,
      maxReplay: options.maxReplay ?? 1000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1_048_576,
      maxClients: options.maxClients ?? 1000,
      retryMs: options.retryMs ?? 2000,
    };
  }

  /** Connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Whether the reader loop is running (a readiness input). */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Starts reading from the stream's current end (XREAD's `$`, pinned to the last entry's id so
   * nothing is missed between two reads). Resolves at once even when Redis is down: the loop
   * keeps trying, and readiness reports Redis meanwhile.
   */
  async start(): Promise<void> {
    this.running = true;
    this.loop = this.readLoop();
    this.heartbeat = setInterval(() => this.broadcastRaw(': heartbeat\n\n'), this.o.heartbeatMs);
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    let lastId: string | undefined;
    while (this.running) {
      try {
        if (lastId === undefined) {
          const last = await this.redis.xrevrange(REDIS_KEYS.alertsStream, '+', '-', 'COUNT', 1);
          lastId = last[0]?.[0] ?? '0-0';
        }
        const res = (await this.reader.xread(
          'COUNT',
          500,
          'BLOCK',
          this.o.blockMs,
          'STREAMS',
          REDIS_KEYS.alertsStream,
          lastId,
        )) as [string, [string, string[]][]][] | null;
        failures = 0;
        if (!res) continue;
        const entries = toEntries(res[0][1]);
        if (entries.length === 0) continue;
        lastId = entries[entries.length - 1].id;
        for (const e of entries) this.fanOut(e);
      } catch (err) {
        if (!this.running) break;
        failures++;
        this.options.logger.warn({ err, failures }, 'alert stream read failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** failures)));
      }
    }
  }

  private fanOut(entry: StreamEntry): void {
    let delivered = 0;
    for (const c of this.clients) {
      if (c.buffer) {
        c.buffer.push(entry);
      } else if (this.send(c, entry)) {
        delivered++;
      }
    }
    if (delivered > 0) this.options.observer?.delivered?.(delivered);
  }

  private send(c: Client, entry: StreamEntry): boolean {
    if (c.lastSentId !== undefined && compareStreamIds(entry.id, c.lastSentId) <= 0) return false;
    c.lastSentId = entry.id;
    return this.write(c, `id: ${entry.id}\nevent: alert\ndata: ${entry.data}\n\n`);
  }

  private write(c: Client, chunk: string): boolean {
    if (c.res.writableLength > this.o.maxBufferedBytes) {
      this.options.logger.warn('sse client too slow; disconnecting it');
      c.res.end();
      this.remove(c);
      return false;
    }
    c.res.write(chunk);
    return true;
  }

  private broadcastRaw(chunk: string): void {
    for (const c of this.clients) if (!c.buffer) this.write(c, chunk);
  }

  private remove(c: Client): void {
    if (this.clients.delete(c)) this.options.observer?.clients?.(this.clients.size);
  }

  /** Serves one `GET /api/stream` request until the client goes away or the hub closes. */
  async handle(req: Request, res: Response): Promise<void> {
    if (!this.running) {
      res.status(503).set('Retry-After', '2').json({ error: 'shutting down' });
      return;
    }
    if (this.clients.size >= this.o.maxClients) {
      res.status(503).set('Retry-After', '5').json({ error: 'too many stream clients' });
      return;
    }
    const header = req.get('last-event-id') ?? (req.query.lastEventId as string | undefined);
    const resumeFrom = header && isStreamId(header) ? header : undefined;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.write(`retry: ${this.o.retryMs}\n: connected\n\n`);

    const client: Client = {
      res,
      lastSentId: resumeFrom,
      buffer: resumeFrom ? [] : undefined,
    };
    this.clients.add(client);
    this.options.observer?.clients?.(this.clients.size);
    res.on('close', () => this.remove(client));

    if (resumeFrom) {
      try {
        const missed = await this.redis.xrange(
          REDIS_KEYS.alertsStream,
          `(${resumeFrom}`,
          '+',
          'COUNT',
          this.o.maxReplay,
        );
        for (const e of toEntries(missed)) this.send(client, e);
      } catch (err) {
        this.options.logger.warn({ err }, 'sse replay failed; continuing live');
      }
      const pending = client.buffer ?? [];
      client.buffer = undefined;
      for (const e of pending) this.send(client, e);
    }
  }

  /** Ends every client's stream and stops the reader. */
  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.options.observer?.clients?.(0);
    // XREAD BLOCK does not return early by itself: drop the reader's connection.
    this.reader.disconnect();
    await this.loop;
  }
}
