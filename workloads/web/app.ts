import { join } from 'node:path';
import express from 'express';
import type { ErrorRequestHandler, Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { clientError } from '../shared/client-error';
import { isPostgresConnectionError } from '../shared/postgres';
import { isRedisConnectionError } from '../shared/redis';
import type { Health } from '../shared/health';
import { healthRouter } from '../shared/health';
import type { Metrics } from '../shared/metrics';
import { httpMetricsMiddleware } from '../shared/metrics';
import {
  API_LIMITS,
  ParamError,
  parseAlertsQuery,
  parseDeviceId,
  parseHistoryRange,
  parseLimit,
} from './params';
import type { WebReads } from './queries';
import type { SseHub } from './sse';

/** The folder of the dashboard page (HTML, CSS, JS; nothing fetched from the internet). */
export const PUBLIC_DIR = join(__dirname, 'public');

/** What {@link createWebApp} needs; server.ts builds it, tests pass their own. */
export interface WebAppDeps {
  readonly queries: WebReads;
  readonly hub: SseHub;
  readonly health: Health;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Trust X-Forwarded-* from the platform's front end (App Service terminates TLS).
   * @default false
   */
  readonly trustProxy?: boolean;
}

/**
 * Content Security Policy of the dashboard: only our own scripts, styles and connections; no
 * inline script or style, no frames, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  });
  // Only over HTTPS (as the front end reports it): HSTS on plain-HTTP localhost would be wrong.
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
}

/**
 * The dashboard app: JSON API, SSE stream, static page, health. It never listens; server.ts
 * does. Handlers are async (express 5 forwards rejections to the error handler).
 */
export function createWebApp(deps: WebAppDeps): Express {
  const { queries, hub, health, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use(healthRouter(health, metrics));
  app.use(httpMetricsMiddleware(metrics));

  const api = express.Router();
  api.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  api.get('/devices', async (req, res) => {
    const limit = parseLimit(
      'limit',
      req.query.limit,
      API_LIMITS.defaultDevicesLimit,
      API_LIMITS.maxDevicesLimit,
    );
    const { source, devices, fleet } = await queries.devices(limit);
    // count is this page; fleet counts every device (null when PostgreSQL could not answer).
    res.json({ source, count: devices.length, fleet, devices });
  });

  api.get('/devices/:id/latest', async (req, res) => {
    const id = parseDeviceId(req.params.id);
    const found = await queries.latest(id);
    if (!found) {
      res.status(404).json({ error: `device '${id}' has no readings` });
      return;
    }
    res.json({ source: found.source, ...found.device });
  });

  api.get('/devices/:id/history', async (req, res) => {
    const id = parseDeviceId(req.params.id);
    const { from, to } = parseHistoryRange(req.query);
    const series = await queries.history(id, from, to);
    // fromEntries defines own properties, so a metric named __proto__ stays a plain key.
    res.json({
      deviceId: id,
      from: from.toISOString(),
      to: to.toISOString(),
      series: Object.fromEntries(series),
    });
  });

  api.get('/alerts', async (req, res) => {
    const { since, limit, deviceId } = parseAlertsQuery(req.query);
    const alerts = await queries.alerts(since, limit, deviceId);
    res.json({ since: since.toISOString(), count: alerts.length, alerts });
  });

  api.get('/stream', (req, res) => hub.handle(req, res));

  api.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.baseUrl}${req.path}` });
  });

  app.use('/api', api);
  app.use(
    express.static(PUBLIC_DIR, {
      index: 'index.html',
      fallthrough: true,
      setHeaders: (res) => res.set('Cache-Control', 'no-cache'),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    if (err instanceof ParamError) {
      res.status(400).json({ error: err.message, parameter: err.parameter, reason: err.reason });
      return;
    }
    const client = clientError(err);
    if (client) {
      res.status(client.status).json({ error: client.message });
      return;
    }
    logger.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    // pg and ioredis errors carry a code (SQLSTATE, ECONNREFUSED…): the dependency is at fault.
    // A connection pg or ioredis dropped mid-request has none, but is the dependency's too.
    if (
      typeof (err as { code?: unknown }).code === 'string' ||
      isPostgresConnectionError(err) ||
      isRedisConnectionError(err)
    ) {
      res.status(503).set('Retry-After', '5').json({ error: 'a dependency is unavailable' });
      return;
    }
    res.status(500).json({ error: 'internal error' });
  };
  app.use(onError);
  return app;
}
