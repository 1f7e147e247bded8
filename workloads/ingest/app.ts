import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { clientError } from '../shared/client-error';
import type { Health } from '../shared/health';
import { healthRouter } from '../shared/health';
import type { Metrics } from '../shared/metrics';
import { httpMetricsMiddleware } from '../shared/metrics';
import openapi from './openapi.json';
import {
  bodyFormat,
  bodyTooLarge,
  isBodyError,
  parseTelemetryBody,
  toReadings,
  unsupportedType,
} from './parse';
import type { BodyError } from './parse';
import { DependencyUnavailableError, OverloadedError } from './sink';
import type { ReadingSink } from './sink';

/** What the ingest app needs; the process (server.ts) or a test provides it. */
export interface IngestDeps {
  /** Where accepted readings go (Cosmos + Kafka in production). */
  readonly sink: ReadingSink;
  readonly health: Health;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Max request body in bytes (after decompression).
   * @default 1048576
   */
  readonly maxBodyBytes?: number;
  /**
   * Max readings per request.
   * @default 5000
   */
  readonly maxItems?: number;
  /**
   * Seconds in the Retry-After header of a 503.
   * @default 2
   */
  readonly retryAfterSeconds?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/**
 * Builds the ingest express app; it never listens (server.ts does), so tests drive it in process.
 * Routes: `POST /v1/telemetry`, `GET /openapi.json`, `/livez`, `/readyz`, `/metrics`.
 */
export function buildApp(deps: IngestDeps): express.Express {
  const maxBodyBytes = deps.maxBodyBytes ?? 1_048_576;
  const maxItems = deps.maxItems ?? 5000;
  const retryAfter = String(deps.retryAfterSeconds ?? 2);
  const now = deps.now ?? Date.now;
  const { metrics, logger } = deps;
  const accepted = metrics.counter('ingest_readings_accepted_total', 'Readings accepted (202)');
  const rejected = metrics.counter(
    'ingest_readings_rejected_total',
    'Readings rejected as invalid, in 202 or 400 answers',
  );
  const refused = metrics.counter('ingest_requests_refused_total', 'Requests answered 4xx/503', [
    'reason',
  ]);

  const app = express();
  app.disable('x-powered-by');
  // ETags hash every answer body; nothing caches POST answers, so it is pure cost.
  app.set('etag', false);
  app.use(httpMetricsMiddleware(metrics));
  app.use(healthRouter(deps.health, metrics));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  const send = (res: Response, error: BodyError, reason: string) => {
    refused.inc({ reason });
    res.status(error.status).json(error.body);
  };

  app.post(
    '/v1/telemetry',
    (req, res, next) => {
      // Refuse the wrong media type before reading a possibly large body.
      if (!bodyFormat(req.get('content-type'))) {
        send(res, unsupportedType(req.get('content-type')), 'content-type');
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: maxBodyBytes }),
    async (req: Request, res: Response) => {
      if (deps.health.draining) {
        // The pod is leaving the Service; tell the client to come back via another replica.
        refused.inc({ reason: 'draining' });
        res
          .status(503)
          .set('Retry-After', retryAfter)
          .set('Connection', 'close')
          .json({
            error: 'shutting down; nothing was accepted, retry',
            retryAfterSeconds: Number(retryAfter),
          });
        return;
      }
      const format = bodyFormat(req.get('content-type'))!;
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const result = parseTelemetryBody(body, format, { maxItems, nowMs: now() });
      if (isBodyError(result)) {
        if (Array.isArray(result.body.rejectedItems))
          rejected.inc(result.body.rejectedItems.length);
        send(res, result, result.status === 413 ? 'too-many-items' : 'invalid');
        return;
      }
      const readings = toReadings(result.valid, new Date(now()).toISOString());
      try {
        await deps.sink.write(readings);
      } catch (error) {
        if (error instanceof OverloadedError) {
          // Admission control: refused at once, nothing written; the client comes back later.
          refused.inc({ reason: 'overloaded' });
          res
            .status(503)
            .set('Retry-After', retryAfter)
            .json({
              error: 'ingest is at capacity; nothing was accepted, retry the whole request',
              retryAfterSeconds: Number(retryAfter),
            });
          return;
        }
        const dependency =
          error instanceof DependencyUnavailableError ? error.dependency : 'unknown';
        logger.warn({ err: error, dependency, readings: readings.length }, 'write failed, 503');
        refused.inc({ reason: `dependency-${dependency}` });
        res
          .status(503)
          .set('Retry-After', retryAfter)
          .json({
            error: `${dependency} is unavailable; nothing was accepted, retry the whole request`,
            retryAfterSeconds: Number(retryAfter),
          });
        return;
      }
      accepted.inc(readings.length);
      rejected.inc(result.rejected.length);
      res.status(202).json({
        accepted: readings.length,
        rejected: result.rejected.length,
        ...(result.rejected.length > 0 ? { rejectedItems: result.rejected } : {}),
      });
    },
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });

  // Body parser and other errors: bad input gets a 4xx, never a 5xx.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (error as { type?: string } | null)?.type;
    const client = clientError(error);
    if (type === 'entity.too.large') {
      send(res, bodyTooLarge(maxBodyBytes), 'too-large');
    } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      refused.inc({ reason: 'encoding' });
      res.status(415).json({ error: (error as Error).message });
    } else if (client) {
      // e.g. a corrupt gzip body, an aborted upload, a path that is not valid percent-encoding
      refused.inc({ reason: 'bad-request' });
      res.status(client.status).json({ error: client.message });
    } else {
      logger.error({ err: error }, 'unhandled error');
      res.status(500).json({ error: 'internal error' });
    }
  });
  return app;
}
