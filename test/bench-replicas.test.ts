// The ingest and concurrency benchmarks run as many ingest replicas as dev deploys and spread the
// load generator's connections over them round-robin, as a Kubernetes Service does.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedLoop, spreadConnections, tcpExtFromNetstat } from '../scripts/bench-lib';
import { DEV_INGEST_REPLICAS, parseReplicas } from '../scripts/bench-replicas';
import { dev } from '../stacks/environments/dev';

describe('spreadConnections', () => {
  it('assigns connections round-robin, the counts differing by at most one', () => {
    expect(spreadConnections(['a', 'b'], 5)).toEqual(['a', 'b', 'a', 'b', 'a']);
    const counts = [0, 0, 0];
    for (const t of spreadConnections([0, 1, 2], 1000)) counts[t]++;
    expect(counts).toEqual([334, 333, 333]);
    expect(spreadConnections(['only'], 3)).toEqual(['only', 'only', 'only']);
  });

  it('refuses no targets and a bad connection count', () => {
    expect(() => spreadConnections([], 3)).toThrow(/no targets/);
    expect(() => spreadConnections(['a'], 1.5)).toThrow(/non-negative integer/);
  });
});

describe('parseReplicas', () => {
  it("defaults to the dev environment's ingest replicas", () => {
    expect(DEV_INGEST_REPLICAS).toBe(dev.workloads.ingest.replicas);
    expect(parseReplicas(undefined)).toBe(dev.workloads.ingest.replicas);
    expect(parseReplicas('', 3)).toBe(3);
  });

  it('takes an integer from 1 to 16 and refuses anything else', () => {
    expect(parseReplicas('1')).toBe(1);
    expect(parseReplicas('3')).toBe(3);
    for (const bad of ['0', '17', '2.5', 'two', '-1'])
      expect(() => parseReplicas(bad)).toThrow(/--replicas must be an integer from 1 to 16/);
  });
});

describe('tcpExtFromNetstat', () => {
  it('pairs the TcpExt header line with its values', () => {
    const text = [
      'TcpExt: SyncookiesSent ListenOverflows TCPSynRetrans',
      'TcpExt: 0 8068 3729',
      'IpExt: InNoRoutes',
      'IpExt: 0',
    ].join('\n');
    expect(tcpExtFromNetstat(text)).toEqual({
      SyncookiesSent: 0,
      ListenOverflows: 8068,
      TCPSynRetrans: 3729,
    });
    expect(tcpExtFromNetstat('IpExt: a\nIpExt: 1')).toEqual({});
  });
});

describe('closedLoop over several targets', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('keeps each connection on its own target and counts what each accepted', async () => {
    const seen: Array<Set<number>> = [];
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ports = new Set<number>();
      seen.push(ports);
      const server = createServer((req, res) => {
        ports.add(req.socket.remotePort!);
        req.resume();
        req.on('end', () => res.writeHead(202).end());
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/telemetry`);
    }
    const run = await closedLoop({
      url: urls,
      bodies: [{ buffer: Buffer.from('{}'), count: 1 }],
      contentType: 'application/json',
      connections: 5,
      seconds: 0.3,
    });
    // 3 connections on the first server, 2 on the second (keep-alive: one client port each).
    expect(seen.map((s) => s.size)).toEqual([3, 2]);
    expect(run.acceptedByTarget.reduce((a, b) => a + b, 0)).toBe(run.items);
    expect(run.acceptedByTarget.every((n) => n > 0)).toBe(true);
    expect(run.firstLatenciesMs).toHaveLength(5);
    expect(run.connectMs).toHaveLength(5);
    // each first latency is one of the recorded latencies (the same measurement, not a second one)
    for (const l of run.firstLatenciesMs) expect(run.latenciesMs).toContain(l);
    expect(run.generatorLoopDelayMs.max).toBeGreaterThanOrEqual(run.generatorLoopDelayMs.p50);
  });
});
