/**
 * A loopback TCP proxy that can be cut and resumed. The chaos run puts it in front of the Cosmos
 * DB stand-in: while it is cut, no write can reach the stand-in, so the run can list what the
 * stand-in holds before restarting it (the stand-in keeps nothing across a restart; Cosmos DB
 * does), and that listing is exact.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A proxy from `127.0.0.1:port` to `127.0.0.1:targetPort`. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    readonly targetPort: number,
  ) {}

  /** Starts listening on `port` (0: any free port) and forwards to `targetPort`. */
  static async start(targetPort: number, port = 0): Promise<TcpProxy> {
    const probe = createServer();
    const chosen = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
    const proxy = new TcpProxy(chosen, targetPort);
    await proxy.resume();
    return proxy;
  }

  /** Whether connections are being accepted. */
  get open(): boolean {
    return this.server !== undefined;
  }

  /** Accepts connections again (on the same port). */
  async resume(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops accepting (connects are refused) and resets every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Same as {@link cut}: the proxy can be resumed afterwards. */
  close(): Promise<void> {
    return this.cut();
  }

  private forward(client: Socket): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
