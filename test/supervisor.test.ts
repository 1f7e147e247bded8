import type { ManagedProcess } from '../scripts/engines/process';
import { Supervisor, restartDelayMs } from '../scripts/supervisor';

/** A fake child: `die(code)` ends it, `stop()` records the signal and ends it. */
function fakeProcess(pid: number) {
  let resolveExit!: (code: number | string) => void;
  const whenExited = new Promise<number | string>((r) => (resolveExit = r));
  const state = { exited: false, stoppedWith: undefined as NodeJS.Signals | undefined };
  const die = (code: number | string) => {
    state.exited = true;
    resolveExit(code);
  };
  const proc: ManagedProcess = {
    name: 'svc',
    pid,
    logFile: '/dev/null',
    get exited() {
      return state.exited;
    },
    whenExited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      state.stoppedWith = signal;
      die(0);
      await whenExited;
    },
  };
  return { proc, die, state };
}

describe('restartDelayMs', () => {
  it('doubles from 1 s and caps at 30 s by default', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => restartDelayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('follows a given policy', () => {
    expect(restartDelayMs(0, { initialMs: 50, maxMs: 120 })).toBe(50);
    expect(restartDelayMs(1, { initialMs: 50, maxMs: 120 })).toBe(100);
    expect(restartDelayMs(2, { initialMs: 50, maxMs: 120 })).toBe(120);
  });
});

describe('Supervisor', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function supervise(resetAfterMs = 60_000) {
    const children: ReturnType<typeof fakeProcess>[] = [];
    const lines: string[] = [];
    const restarted: number[] = [];
    const supervisor = new Supervisor({
      name: 'web',
      spawn: () => {
        const c = fakeProcess(100 + children.length);
        children.push(c);
        return c.proc;
      },
      log: (l) => lines.push(l),
      backoff: { initialMs: 1000, maxMs: 4000, resetAfterMs },
      onRestart: (_p, n) => restarted.push(n),
    });
    return { supervisor, children, lines, restarted };
  }

  /** Lets the exit promise's handlers run. */
  const settle = () => Promise.resolve().then(() => undefined);

  it('restarts a child that dies, with growing capped delays, and logs each restart', async () => {
    const { supervisor, children, lines, restarted } = supervise();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      children[i].die('SIGKILL');
      await settle();
      const before = children.length;
      // Not restarted before its delay is over.
      let waited = 0;
      while (children.length === before) {
        jest.advanceTimersByTime(250);
        waited += 250;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    expect(supervisor.restarts).toBe(4);
    expect(supervisor.current.pid).toBe(104);
    expect(restarted).toEqual([1, 2, 3, 4]);
    expect(lines[0]).toMatch(
      /^local: web exited unexpectedly \(SIGKILL\) after .* restarting in 1\.0 s$/,
    );
    expect(lines[1]).toBe('local: web restarted (pid 101, restart 1)');
  });

  it('starts the backoff over after a run that stayed up long enough', async () => {
    const { children } = supervise(10_000);
    children[0].die(1);
    await settle();
    jest.advanceTimersByTime(1000);
    children[1].die(1);
    await settle();
    jest.advanceTimersByTime(2000);
    expect(children).toHaveLength(3);
    // This one ran 10 s: the next delay is the initial one again.
    jest.advanceTimersByTime(10_000);
    children[2].die(1);
    await settle();
    jest.advanceTimersByTime(999);
    expect(children).toHaveLength(3);
    jest.advanceTimersByTime(1);
    expect(children).toHaveLength(4);
  });

  it('stop() stops the current child and never restarts it, even during a backoff', async () => {
    const { supervisor, children, lines } = supervise();
    children[0].die(1);
    await settle();
    const code = await supervisor.stop('SIGTERM');
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
    expect(code).toBe(1);
    expect(lines.filter((l) => l.includes('restarted'))).toEqual([]);

    const second = supervise();
    await expect(second.supervisor.stop('SIGINT')).resolves.toBe(0);
    expect(second.children[0].state.stoppedWith).toBe('SIGINT');
    jest.advanceTimersByTime(60_000);
    expect(second.children).toHaveLength(1);
  });
});
