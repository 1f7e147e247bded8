/**
 * `npm run local`'s supervision, with the real web service: SIGKILL it and it comes back ready
 * on its own. Web only reads (PostgreSQL, Redis), so it can run next to other test files on the
 * shared engines without touching their data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnManaged } from '../../scripts/engines/process';
import { Supervisor } from '../../scripts/supervisor';
import { engineEnv, redisDb } from '../e2e/fixtures';
import { ROOT, eventually } from '../e2e/services';

jest.setTimeout(240_000);

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

describe('Supervisor (npm run local)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-it-'));
  let supervisor: Supervisor | undefined;

  afterAll(async () => {
    await supervisor?.stop('SIGTERM', 15_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts a service killed with SIGKILL, logs it, and the service is ready again', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const lines: string[] = [];
    const { DATABASE_URL } = engineEnv();
    supervisor = new Supervisor({
      name: 'web',
      spawn: () =>
        spawnManaged({
          name: 'web',
          command: process.execPath,
          args: ['--import', 'tsx', join(ROOT, 'workloads', 'web', 'server.ts')],
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL,
            REDIS_URL: redisDb(6),
            PORT: String(port),
            HOST: '127.0.0.1',
          },
          logFile: join(dir, 'web.log'),
        }),
      log: (l) => lines.push(l),
      backoff: { initialMs: 500, maxMs: 5000 },
    });
    const first = supervisor.current;
    await eventually('web ready', async () => ((await ready(url)) ? true : undefined), 120_000);

    process.kill(first.pid, 'SIGKILL');
    await first.whenExited;
    await eventually(
      'web restarted',
      async () => (supervisor!.restarts === 1 ? true : undefined),
      30_000,
    );
    expect(supervisor.current.pid).not.toBe(first.pid);
    await eventually(
      'web ready again',
      async () => ((await ready(url)) ? true : undefined),
      120_000,
    );
    expect(lines[0]).toMatch(/^local: web exited unexpectedly \(SIGKILL\)/);
    expect(lines[1]).toMatch(/^local: web restarted \(pid \d+, restart 1\)$/);

    // Stopping ends supervision: the service stops and stays stopped.
    const current = supervisor.current;
    await supervisor.stop('SIGTERM', 15_000);
    expect(current.exited).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(supervisor.restarts).toBe(1);
    expect(await ready(url)).toBe(false);
  });
});
