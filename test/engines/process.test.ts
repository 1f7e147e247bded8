import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  failure,
  freePort,
  isPortFree,
  spawnManaged,
  tail,
  waitUntilReady,
} from '../../scripts/engines/process';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engines-process-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Whether `pid` is a live process; a zombie (killed, not yet reaped by init) is not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('spawnManaged', () => {
  it('writes output to the log file and reports the exit code', async () => {
    const logFile = join(dir, 'echo.log');
    const proc = spawnManaged({
      name: 'echo',
      command: process.execPath,
      args: ['-e', 'console.log("hello"); console.error("oops"); process.exit(3)'],
      logFile,
    });
    expect(await proc.whenExited).toBe(3);
    expect(proc.exited).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toBe('hello\noops\n');
  });

  it('relays lines to onLine and still logs them', async () => {
    const logFile = join(dir, 'lines.log');
    const lines: string[] = [];
    const proc = spawnManaged({
      name: 'lines',
      command: process.execPath,
      args: ['-e', 'console.log("a\\nb")'],
      logFile,
      onLine: (l) => lines.push(l),
    });
    await proc.whenExited;
    // The pipe to the log file flushes after exit; give it a tick.
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toEqual(['a', 'b']);
    expect(readFileSync(logFile, 'utf8')).toBe('a\nb\n');
  });

  it('stops a process that ignores the graceful signal, and its children, after the grace period', async () => {
    // The leader ignores SIGTERM and starts a grandchild that would outlive it.
    const script = `
      process.on('SIGTERM', () => {});
      const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const logFile = join(dir, 'stubborn.log');
    const proc = spawnManaged({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', script],
      logFile,
    });
    await waitUntilReady(
      proc,
      async () => /\d+/.test(readFileSync(logFile, 'utf8')),
      5000,
      logFile,
      20,
    );
    const grandchild = Number(readFileSync(logFile, 'utf8').trim());
    expect(alive(grandchild)).toBe(true);

    const t0 = Date.now();
    await proc.stop('SIGTERM', 300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await proc.whenExited).toBe('SIGKILL');
    // The group kill reached the grandchild too.
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });
});

describe('waitUntilReady', () => {
  it('fails fast with the tail of the log when the process exits', async () => {
    const logFile = join(dir, 'crash.log');
    const proc = spawnManaged({
      name: 'crashy',
      command: process.execPath,
      args: ['-e', 'console.error("fatal: port taken"); process.exit(1)'],
      logFile,
    });
    await expect(waitUntilReady(proc, async () => false, 10_000)).rejects.toThrow(
      /crashy exited while starting[\s\S]*fatal: port taken/,
    );
  });

  it('does not hang on a probe that never answers when the process exits', async () => {
    const logFile = join(dir, 'gone.log');
    const proc = spawnManaged({
      name: 'gone',
      command: process.execPath,
      args: ['-e', 'setTimeout(() => process.exit(1), 100)'],
      logFile,
    });
    const t0 = Date.now();
    await expect(
      waitUntilReady(proc, () => new Promise<boolean>(() => {}), 60_000),
    ).rejects.toThrow(/gone exited while starting/);
    // One probe deadline (5 s), not the 60 s overall timeout.
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 15_000);

  it('gives up after the timeout and names the last probe error', async () => {
    const logFile = join(dir, 'slow.log');
    const proc = spawnManaged({
      name: 'slow',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logFile,
    });
    try {
      await expect(
        waitUntilReady(
          proc,
          async () => {
            throw new Error('connection refused');
          },
          200,
          logFile,
          20,
        ),
      ).rejects.toThrow(/slow not ready after 200 ms \(last probe error: connection refused\)/);
    } finally {
      await proc.stop();
    }
  });
});

describe('ports', () => {
  it('picks ports below the ephemeral range, where outgoing connections cannot take them', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(32_000);
    }
  });

  it('returns the preferred port when free and another one when it is taken', async () => {
    const port = await freePort();
    expect(await freePort(port)).toBe(port);

    const srv = createServer();
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      expect(await isPortFree(port)).toBe(false);
      const other = await freePort(port);
      expect(other).not.toBe(port);
      expect(await isPortFree(other)).toBe(true);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});

describe('tail and failure', () => {
  it('keeps the last lines and says when there is no log', () => {
    const logFile = join(dir, 'x.log');
    writeFileSync(logFile, 'one\ntwo\nthree\n');
    expect(tail(logFile, 2)).toBe('two\nthree');
    expect(tail(join(dir, 'missing.log'))).toMatch(/^\(no log at /);
    expect(failure('redis', new Error('boom'), logFile).message).toBe(
      `redis: not ready: boom\nlast lines of ${logFile}:\none\ntwo\nthree`,
    );
  });
});
