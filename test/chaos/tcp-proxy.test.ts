import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { TcpProxy } from '../../scripts/chaos/tcp-proxy';

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}

describe('TcpProxy', () => {
  let upstream: Server;
  let upstreamPort: number;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    upstream = createServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'),
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as { port: number }).port;
  });

  afterAll(async () => {
    await proxy?.close();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards, refuses while cut, and forwards again on the same port after resume', async () => {
    proxy = await TcpProxy.start(upstreamPort);
    expect(proxy.port).not.toBe(upstreamPort);
    expect(await get(proxy.port)).toBe('ok');

    await proxy.cut();
    expect(proxy.open).toBe(false);
    await expect(get(proxy.port)).rejects.toThrow();

    await proxy.resume();
    expect(proxy.open).toBe(true);
    expect(await get(proxy.port)).toBe('ok');
  });

  it('resets connections that are open when it is cut', async () => {
    const silent = createServer(() => undefined); // never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const p = await TcpProxy.start((silent.address() as { port: number }).port);
    try {
      const pending = get(p.port);
      await new Promise((r) => setTimeout(r, 100));
      await p.cut();
      await expect(pending).rejects.toThrow();
    } finally {
      await p.close();
      silent.close();
    }
  });
});
