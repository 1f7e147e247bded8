// scripts/azure/smoke.ts: its arguments, the SSE wire format, and its exit codes against a
// server that speaks ingest's and web's HTTP contracts (the real services are driven in
// test/e2e/smoke.int.test.ts).
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT, SseParser, alertFor, parseSmokeArgs, runSmoke } from '../scripts/azure/smoke';
import type { SmokeOptions } from '../scripts/azure/smoke';

describe('parseSmokeArgs', () => {
  const ok = [
    '--ingest-url',
    'https://apim.example.net/telemetry',
    '--dashboard-url',
    'https://app.example.net',
  ];

  it('reads URLs, timeout and the credentials from the environment only', () => {
    const o = parseSmokeArgs([...ok, '--timeout', '90'], {
      APIM_SUBSCRIPTION_KEY: 'k',
      DASHBOARD_BEARER_TOKEN: 't',
    });
    expect(o.ingestUrl.href).toBe('https://apim.example.net/telemetry');
    expect(o.timeoutMs).toBe(90_000);
    expect(o.ingestHeaders).toEqual({ 'ocp-apim-subscription-key': 'k' });
    expect(o.dashboardHeaders).toEqual({ authorization: 'Bearer t' });
    expect(parseSmokeArgs(ok, {}).timeoutMs).toBe(180_000);
  });

  it.each([
    [['--dashboard-url', 'https://app.example.net'], /--ingest-url is required/],
    [[...ok, '--timeout', '0'], /--timeout must be seconds/],
    [[...ok, '--timeout', 'soon'], /--timeout must be seconds/],
    [
      ['--ingest-url', 'ftp://x', '--dashboard-url', 'https://a'],
      /--ingest-url must be an http\(s\) URL/,
    ],
    [
      ['--ingest-url', 'https://u:p@x', '--dashboard-url', 'https://a'],
      /must not carry credentials/,
    ],
    [[...ok, '--key', 'k'], /Unknown option '--key'/],
  ])('refuses %j with exit 2', (argv, message) => {
    expect(() => parseSmokeArgs(argv, {})).toThrow(message);
    try {
      parseSmokeArgs(argv, {});
    } catch (e) {
      expect((e as { code: number }).code).toBe(EXIT.usage);
    }
  });
});

describe('SseParser', () => {
  it('parses events split across chunks, CRLF and LF, comments and multi-line data', () => {
    const p = new SseParser();
    expect(p.push(': heartbeat\n\nid: 1-0\nevent: al')).toEqual([]);
    expect(p.push('ert\r\ndata: {"a":\ndata: 1}\r\n\r\ndata: plain\n')).toEqual([
      { id: '1-0', event: 'alert', data: '{"a":\n1}' },
    ]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'plain' }]);
  });

  it('finds the alert of one device only', () => {
    const e = { event: 'alert', data: JSON.stringify({ deviceId: 'smoke-1', rule: 'zscore' }) };
    expect(alertFor(e, 'smoke-1')).toMatchObject({ rule: 'zscore' });
    expect(alertFor(e, 'smoke-2')).toBeUndefined();
    expect(alertFor({ event: 'message', data: e.data }, 'smoke-1')).toBeUndefined();
    expect(alertFor({ event: 'alert', data: 'not json' }, 'smoke-1')).toBeUndefined();
  });
});

describe('runSmoke exit codes', () => {
  let server: Server;
  let base: string;
  /** How the stand-in answers: ingest status, stream status, and whether it sends the alert. */
  let behaviour: { ingest: number; stream: number; alert: boolean; endStream?: boolean };
  const streams = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/telemetry/v1/telemetry') {
          const readings = JSON.parse(body) as {
            deviceId: string;
            metrics: { temperature: number };
          }[];
          res.writeHead(behaviour.ingest, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: readings.length, rejected: 0 }));
          const spike = readings.find((r) => r.metrics.temperature > 100);
          if (spike && behaviour.alert) {
            for (const s of streams) {
              s.write(
                `id: 1-0\nevent: alert\ndata: ${JSON.stringify({ deviceId: spike.deviceId, state: 'open' })}\n\n`,
              );
            }
          }
          return;
        }
        if (req.method === 'GET' && req.url === '/api/stream') {
          if (behaviour.stream !== 200) {
            res.writeHead(behaviour.stream).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
          res.write(': connected\n\n');
          streams.add(res);
          res.on('close', () => streams.delete(res));
          if (behaviour.endStream) res.end();
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of streams) s.destroy();
    await new Promise((r) => server.close(r));
  });

  const options = (timeoutMs = 5_000): SmokeOptions => ({
    ingestUrl: new URL(`${base}/telemetry`),
    dashboardUrl: new URL(base),
    timeoutMs,
    ingestHeaders: {},
    dashboardHeaders: {},
  });

  it('passes when the alert arrives', async () => {
    behaviour = { ingest: 202, stream: 200, alert: true };
    const r = await runSmoke(options());
    expect(r.alert).toEqual({ deviceId: r.deviceId, state: 'open' });
  });

  it('exits 1 when no alert arrives within the timeout', async () => {
    behaviour = { ingest: 202, stream: 200, alert: false };
    const started = Date.now();
    await expect(runSmoke(options(1_000))).rejects.toMatchObject({
      code: EXIT.noAlert,
      message: expect.stringMatching(/no alert for smoke-[0-9a-f]{12} within 1 s/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('exits 3 when the gateway refuses the readings', async () => {
    behaviour = { ingest: 401, stream: 200, alert: false };
    await expect(runSmoke(options())).rejects.toMatchObject({
      code: EXIT.ingestRefused,
      message: expect.stringMatching(/answered 401 for 40 reading/),
    });
  });

  it('exits 4 when the stream is refused or ends before the alert', async () => {
    behaviour = { ingest: 202, stream: 401, alert: false };
    await expect(runSmoke(options())).rejects.toMatchObject({ code: EXIT.stream });
    behaviour = { ingest: 202, stream: 200, alert: false, endStream: true };
    await expect(runSmoke(options())).rejects.toMatchObject({
      code: EXIT.stream,
      message: expect.stringMatching(/the stream ended before the alert/),
    });
  });
});
