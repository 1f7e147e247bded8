import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEngines } from '../../scripts/engines';

// These start a second, private set of engines next to the shared ones from the global
// setup, to prove that nothing outlives a failed start or a stopped `npm run local`.
jest.setTimeout(180_000);

const root = resolve(__dirname, '..', '..');

/** Pids of live processes whose command line or working directory is inside `dir`. */
function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // a process of another user may hide its cwd; its command line still counts
      }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

describe('engine lifecycle', () => {
  it('stops the engines already up when one fails to start, and keeps the logs', async () => {
    // Redis cannot bind a port that is taken; the other three start fine meanwhile. The blocker
    // drops every connection it accepts: a connection left open (the readiness probe's) would
    // keep close() below waiting forever.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const address = blocker.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    let error: Error | undefined;
    try {
      await startEngines({ ports: { redis: taken }, handleSignals: false, log: () => undefined });
    } catch (err) {
      error = err as Error;
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(error?.message).toMatch(/^engines failed to start \(logs kept in (\S+)\):\nredis: /);
    expect(error?.message).toMatch(/Address already in use/);
    const dir = /logs kept in (\S+)\)/.exec(error!.message)![1];
    try {
      expect(existsSync(join(dir, 'kafka', 'kafka.log'))).toBe(true);
      expect(await eventually(() => processesUnder(dir).length === 0, 15_000)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`npm run local -- --engines-only` stops its engines and exits 0 on SIGTERM', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'local-test-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/local.ts', '--engines-only'],
      {
        cwd: root,
        env: { ...process.env, LOCAL_DIR: localDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const ready = await eventually(() => output.includes('Ctrl-C stops everything.'), 120_000);
      expect({ ready, output: ready ? '' : output }).toEqual({ ready: true, output: '' });
      const dir = /starting kafka, postgres, redis, cosmos in (\S+)/.exec(output)![1];
      const envFile = readFileSync(join(localDir, 'engines.env'), 'utf8');
      expect(envFile).toMatch(/^KAFKA_BROKERS=127\.0\.0\.1:\d+$/m);
      expect(envFile).toMatch(/^DATABASE_URL=postgres:\/\/iot@127\.0\.0\.1:\d+\/iot$/m);
      expect(processesUnder(dir).length).toBeGreaterThanOrEqual(3);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toMatch(/local: SIGTERM: stopping services, then engines/);
      expect(processesUnder(dir)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(localDir, { recursive: true, force: true });
    }
  });
});
