import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';

export type { Registry } from 'prom-client';

/** Latency buckets in seconds, from 1 ms to 10 s: ingest answers in ms, 503 paths take seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The per-process metrics: one prom-client registry (not the global one, so tests can build
 * several apps in one process) with Node's default metrics and a `service` label on everything.
 */
export class Metrics {
  /** The registry `/metrics` serves. */
  readonly registry: Registry;

  constructor(
    readonly service: string,
    options: { collectDefaults?: boolean } = {},
  ) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({ service });
    // The event-loop lag histogram samples every 10 ms by default: 100 wake-ups a second, about
    // 0.9 % of a core on an idle process (ADR 0017). Sampling every 500 ms keeps lags worth
    // alerting on visible (they last longer than that) at 0.3 %.
    if (options.collectDefaults ?? true)
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 500 });
  }

  /** A counter registered here. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge registered here. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram registered here (seconds buckets by default). */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = LATENCY_BUCKETS_SECONDS,
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Prometheus text exposition of everything registered. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Express middleware counting requests and timing them by method, route template and status
 * (`http_requests_total`, `http_request_duration_seconds`). Route templates, not raw paths, keep
 * label cardinality bounded (`/api/devices/:id`, not one series per device).
 */
export function httpMetricsMiddleware(metrics: Metrics) {
  const requests = metrics.counter('http_requests_total', 'HTTP requests answered', [
    'method',
    'route',
    'status',
  ]);
  const duration = metrics.histogram('http_request_duration_seconds', 'HTTP request latency', [
    'method',
    'route',
    'status',
  ]);
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
