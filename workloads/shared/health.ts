import http from 'node:http';
import { Router } from 'express';
import type { Metrics } from './metrics';

/** A readiness check: resolves when the dependency is usable, throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<void> | void;

/** Readiness of one dependency as `/readyz` reports it. */
export interface CheckResult {
  readonly ok: boolean;
  readonly error?: string;
}

/** What `/readyz` answers. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/**
 * Liveness and readiness of a process. Liveness is "the event loop answers"; readiness is "every
 * dependency check passes and we are not draining" — so Kubernetes takes the pod out of the
 * Service as soon as shutdown begins or a dependency becomes unreachable.
 */
export class Health {
  private readonly checks = new Map<string, ReadinessCheck>();
  private drainingSince: number | undefined;

  /** @param checkTimeoutMs a check slower than this counts as failed (probes must answer fast). */
  constructor(private readonly checkTimeoutMs = 2000) {}

  /** Registers (or replaces) the readiness check for one dependency. */
  addCheck(name: string, check: ReadinessCheck): this {
    this.checks.set(name, check);
    return this;
  }

  /** Marks the process as draining: `/readyz` answers 503 from now on. */
  setDraining(): void {
    this.drainingSince ??= Date.now();
  }

  /** Whether shutdown has begun. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** Runs every check concurrently, each bounded by the timeout. */
  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(check),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`timed out after ${this.checkTimeoutMs} ms`)),
                this.checkTimeoutMs,
              );
            }),
          ]);
          return [name, { ok: true }];
        } catch (error) {
          return [name, { ok: false, error: (error as Error).message }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.draining && entries.every(([, r]) => r.ok);
    return { ready, draining: this.draining, checks };
  }
}

/** An express router serving `/livez`, `/readyz` and `/metrics`. */
export function healthRouter(health: Health, metrics: Metrics): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await health.readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  return router;
}

/**
 * Serves `/livez`, `/readyz` and `/metrics` with node:http, for services without an HTTP API
 * (analysis, processing). Resolves once listening; `server.address()` gives the port.
 */
export async function startOpsServer(options: {
  readonly health: Health;
  readonly metrics: Metrics;
  readonly port: number;
  readonly host?: string;
}): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void handleOpsRequest(req, res, options.health, options.metrics);
  });
  // Probes are short-lived; don't let idle keep-alive sockets hold shutdown up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The request handler behind {@link startOpsServer}; answers 404 for other paths. */
export async function handleOpsRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  health: Health,
  metrics: Metrics,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const send = (status: number, contentType: string, body: string) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
    } else if (path === '/livez') {
      send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      const report = await health.readiness();
      send(report.ready ? 200 : 503, 'application/json', JSON.stringify(report));
    } else if (path === '/metrics') {
      const { contentType, body } = await metrics.render();
      send(200, contentType, body);
    } else {
      send(404, 'application/json', JSON.stringify({ error: 'not found' }));
    }
  } catch (error) {
    send(500, 'application/json', JSON.stringify({ error: (error as Error).message }));
  }
}

/**
 * Wraps a readiness check so it runs at most once per `ttlMs`, reusing the last verdict: probes
 * from several kubelets and dashboards then cost the dependency one round trip per interval.
 */
export function cachedCheck(check: ReadinessCheck, ttlMs: number): ReadinessCheck {
  let last: { at: number; error?: Error } | undefined;
  return async () => {
    if (!last || Date.now() - last.at >= ttlMs) {
      try {
        await check();
        last = { at: Date.now() };
      } catch (error) {
        last = { at: Date.now(), error: error as Error };
      }
    }
    if (last.error) throw last.error;
  };
}
