/**
 * Ingest throughput on ONE core: our express app vs a raw node:http server doing the same
 * parsing and validation (workloads/ingest/parse.ts: content type, body limit, JSON/NDJSON,
 * schema + finite/instant checks, ids). Both write to a no-op sink — Cosmos and Kafka are left
 * out on purpose, so the comparison is the HTTP + parse + validate path, i.e. what the framework
 * costs. Each server runs alone, pinned to CPU 0 (`taskset`); the load comes from a separate
 * process pinned to CPU 1 over loopback with a keep-alive agent, bounded by time and count.
 *
 *   npx tsx scripts/bench-ingest.ts [--seconds 10] [--connections 32] [--batch 100] [--rounds 2]
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { buildApp } from '../workloads/ingest/app';
import {
  bodyFormat,
  bodyTooLarge,
  isBodyError,
  parseTelemetryBody,
  toReadings,
  unsupportedType,
} from '../workloads/ingest/parse';
import { Health } from '../workloads/shared/health';
import { createLogger } from '../workloads/shared/logger';
import { Metrics } from '../workloads/shared/metrics';
import { Fleet, toBodies } from '../workloads/simulator/generator';

type Kind = 'express' | 'raw';
const MAX_BODY_BYTES = 1_048_576;
const MAX_ITEMS = 5000;
const noopSink = { write: async () => {} };

/** Child mode: serve one implementation on an ephemeral port and print it. */
async function serve(kind: Kind): Promise<void> {
  let server;
  if (kind === 'express') {
    const logger = createLogger({
      service: 'bench',
      level: 'warn',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const app = buildApp({
      sink: noopSink,
      health: new Health(),
      metrics: new Metrics('ingest'),
      logger,
      maxBodyBytes: MAX_BODY_BYTES,
      maxItems: MAX_ITEMS,
    });
    server = app.listen(0, '127.0.0.1');
  } else {
    server = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      };
      if (req.method !== 'POST' || req.url !== '/v1/telemetry')
        return send(404, { error: 'not found' });
      const format = bodyFormat(req.headers['content-type']);
      if (!format) {
        const e = unsupportedType(req.headers['content-type']);
        return send(e.status, e.body);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on('end', async () => {
        if (tooLarge) {
          const e = bodyTooLarge(MAX_BODY_BYTES);
          return send(e.status, e.body);
        }
        const result = parseTelemetryBody(Buffer.concat(chunks).toString('utf8'), format, {
          maxItems: MAX_ITEMS,
          nowMs: Date.now(),
        });
        if (isBodyError(result)) return send(result.status, result.body);
        const readings = toReadings(result.valid, new Date().toISOString());
        await noopSink.write();
        send(202, {
          accepted: readings.length,
          rejected: result.rejected.length,
          ...(result.rejected.length > 0 ? { rejectedItems: result.rejected } : {}),
        });
      });
    });
    server.keepAliveTimeout = 65_000;
    server.listen(0, '127.0.0.1');
  }
  await once(server, 'listening');
  // Exit normally on SIGTERM so `node --cpu-prof` can write its profile.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
}

interface LoadResult {
  requests: number;
  readings: number;
  non202: number;
  seconds: number;
  latenciesMs: number[];
}

/** Child mode: the load generator; closed loop, `connections` requests in flight. */
async function load(
  port: number,
  seconds: number,
  connections: number,
  batch: number,
  maxRequests: number,
) {
  // Same payloads for both servers: one seeded fleet, timestamps fresh enough to validate.
  const fleet = new Fleet({ devices: 200, anomalyRate: 0.01, seed: 42 });
  const now = Date.now();
  const bodies = toBodies(
    Array.from({ length: 64 }, (_, i) => fleet.take(batch, now - (64 - i) * 1000)).flat(),
    batch,
    'ndjson',
  ).map((b) => ({ ...b, buffer: Buffer.from(b.body) }));
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/telemetry',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const result: LoadResult = { requests: 0, readings: 0, non202: 0, seconds: 0, latenciesMs: [] };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline && result.requests < maxRequests) {
        const body = bodies[next++ % bodies.length];
        result.requests++;
        const t = performance.now();
        const status = await post(body.buffer);
        result.latenciesMs.push(performance.now() - t);
        if (status === 202) result.readings += body.count;
        else result.non202++;
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function memoryKb(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

function pinned(cpu: number, args: string[]): [string, string[]] {
  let hasTaskset = false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    hasTaskset = true;
  } catch {
    // not available: run unpinned and say so
  }
  return hasTaskset
    ? ['taskset', ['-c', String(cpu), process.execPath, ...args]]
    : [process.execPath, args];
}

async function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  let buffer = '';
  for await (const chunk of child.stdout!) {
    buffer += String(chunk);
    if (buffer.includes('\n')) return buffer.split('\n')[0];
  }
  throw new Error(`child exited without output`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function measure(
  kind: Kind,
  opts: { seconds: number; connections: number; batch: number; maxRequests: number },
) {
  const script = __filename;
  const [cmd, args] = pinned(0, ['--import', 'tsx', script, '--serve', kind]);
  const server = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port } = JSON.parse(await firstLine(server)) as { port: number };
  // taskset execs the command, so the child's pid is the server's.
  const serverPid = server.pid!;
  const idle = memoryKb(serverPid);
  const run = async (seconds: number) => {
    const [lcmd, largs] = pinned(1, [
      '--import',
      'tsx',
      script,
      '--load',
      String(port),
      '--seconds',
      String(seconds),
      '--connections',
      String(opts.connections),
      '--batch',
      String(opts.batch),
      '--max-requests',
      String(opts.maxRequests),
    ]);
    const loader = spawn(lcmd, largs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let maxRss = 0;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, memoryKb(serverPid).rssKb);
    }, 200);
    const line = await firstLine(loader);
    clearInterval(sampler);
    return { result: JSON.parse(line) as LoadResult, maxRssKb: maxRss };
  };
  await run(2); // warm-up: JIT, sockets
  const { result, maxRssKb } = await run(opts.seconds);
  const after = memoryKb(serverPid);
  server.kill('SIGTERM');
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  return {
    kind,
    readingsPerSecond: Math.round(result.readings / result.seconds),
    requestsPerSecond: Math.round(result.requests / result.seconds),
    non202: result.non202,
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    idleRssMb: Number((idle.rssKb / 1024).toFixed(1)),
    loadRssMb: Number((Math.max(maxRssKb, after.rssKb) / 1024).toFixed(1)),
    peakRssMb: Number((after.peakKb / 1024).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      load: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      batch: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '2' },
      'max-requests': { type: 'string', default: '1000000' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const batch = Number(values.batch);
  const maxRequests = Number(values['max-requests']);
  if (values.serve) return serve(values.serve as Kind);
  if (values.load) return load(Number(values.load), seconds, connections, batch, maxRequests);

  const opts = { seconds, connections, batch, maxRequests };
  console.log(
    `bench-ingest: ${batch}-reading NDJSON batches, ${connections} connections, ${seconds} s per run, ` +
      `server on CPU 0, load on CPU 1, sink = no-op (no Cosmos/Kafka)`,
  );
  const results: Array<{ round: number } & Awaited<ReturnType<typeof measure>>> = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const kind of ['express', 'raw'] as const) {
      const r = await measure(kind, opts);
      results.push({ round, ...r });
      console.log(JSON.stringify({ round, ...r }));
    }
  }
  const best = (kind: Kind) =>
    results
      .filter((r) => r.kind === kind)
      .sort((a, b) => b.readingsPerSecond - a.readingsPerSecond)[0];
  const e = best('express');
  const r = best('raw');
  console.log('\nbest of rounds:');
  console.table([e, r].map(({ round: _r, ...rest }) => rest));
  console.log(
    `express / raw node:http throughput: ${(e.readingsPerSecond / r.readingsPerSecond).toFixed(2)}`,
  );
}

void main();
