import { Writable } from 'node:stream';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import openapi from './openapi.json';
import { buildApp } from './app';
import { Health } from '../shared/health';
import { createLogger } from '../shared/logger';
import { Metrics } from '../shared/metrics';
import { readingSchema } from '../shared/schema';

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

/** Every (method, path) the express app routes, walking nested routers. */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`);
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

function refsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsOf);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' ? [String(v)] : refsOf(v)));
}

describe('openapi.json', () => {
  const doc = openapi as unknown as {
    openapi: string;
    servers: { url: string }[];
    paths: Record<
      string,
      Record<string, { operationId: string; responses: Record<string, unknown> }>
    >;
    components: { schemas: Record<string, object> };
  };

  it('is an OpenAPI 3.0 document with servers and unique operationIds', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.servers.length).toBeGreaterThan(0);
    const ids = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((o) => o.operationId),
    );
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref to a component schema', () => {
    for (const ref of refsOf(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(ref.startsWith('#/components/schemas/') && name in doc.components.schemas).toBe(true);
    }
  });

  it('has component schemas that compile, and examples that satisfy them', () => {
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const reading = ajv.compile({ $ref: '#/components/schemas/Reading' });
    expect(
      reading({
        deviceId: 'sensor-0001',
        ts: '2026-11-27T10:00:00.000Z',
        metrics: { temperature: 21.4 },
      }),
    ).toBe(true);
    expect(reading({ deviceId: 'x', ts: 'noon', metrics: {} })).toBe(false);
  });

  it('describes the Reading exactly as the published JSON Schema does', () => {
    const component = doc.components.schemas.Reading as typeof readingSchema;
    expect(component.required).toEqual(readingSchema.required);
    expect(Object.keys(component.properties).sort()).toEqual(
      Object.keys(readingSchema.properties).sort(),
    );
    const pick = (s: Record<string, unknown>) => {
      const { description: _d, example: _e, propertyNames: _p, ...rest } = s;
      return rest;
    };
    for (const key of Object.keys(
      readingSchema.properties,
    ) as (keyof typeof readingSchema.properties)[]) {
      expect(pick(component.properties[key] as Record<string, unknown>)).toEqual(
        pick(readingSchema.properties[key] as Record<string, unknown>),
      );
    }
  });

  it('documents every route the app serves, and only those', () => {
    const app = buildApp({
      sink: { write: async () => {} },
      health: new Health(),
      metrics: new Metrics('ingest', { collectDefaults: false }),
      logger: createLogger({
        service: 'ingest',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
    });
    const routes = routesOf((app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(routes).toEqual(documented);
  });

  it('documents 202, 400, 413, 415 and 503 for POST /v1/telemetry', () => {
    expect(Object.keys(doc.paths['/v1/telemetry'].post.responses).sort()).toEqual([
      '202',
      '400',
      '413',
      '415',
      '503',
    ]);
  });
});
