import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { installShutdown } from './lifecycle';

function quietLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ service: 'test', destination }), lines };
}

describe('installShutdown', () => {
  const signal = 'SIGUSR2';
  afterEach(() => process.removeAllListeners(signal));

  it('runs the steps in order on a signal and exits 0', async () => {
    const order: string[] = [];
    const { logger, lines } = quietLogger();
    const exited = new Promise<number>((resolve) => {
      installShutdown({
        logger,
        signals: [signal],
        exit: resolve,
        steps: [
          { name: 'stop', run: () => void order.push('stop') },
          { name: 'drain', run: async () => void order.push('drain') },
          { name: 'disconnect', run: () => void order.push('disconnect') },
        ],
      });
    });
    process.emit(signal, signal);
    expect(await exited).toBe(0);
    expect(order).toEqual(['stop', 'drain', 'disconnect']);
    expect(lines.join('')).toContain('"reason":"SIGUSR2"');
  });

  it('exits 1 when a step fails, after still running the rest', async () => {
    const order: string[] = [];
    const { logger } = quietLogger();
    let code = -1;
    const shutdown = installShutdown({
      logger,
      signals: [signal],
      exit: (c) => void (code = c),
      steps: [
        {
          name: 'flush',
          run: () => {
            throw new Error('boom');
          },
        },
        { name: 'disconnect', run: () => void order.push('disconnect') },
      ],
    });
    await shutdown.trigger('test');
    expect(code).toBe(1);
    expect(order).toEqual(['disconnect']);
  });

  it('forces exit 1 on a second signal while draining', async () => {
    const { logger } = quietLogger();
    const codes: number[] = [];
    let release!: () => void;
    installShutdown({
      logger,
      signals: [signal],
      exit: (c) => void codes.push(c),
      steps: [{ name: 'hang', run: () => new Promise<void>((r) => (release = r)) }],
    });
    process.emit(signal, signal);
    await new Promise((r) => setTimeout(r, 20));
    process.emit(signal, signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(codes).toEqual([1]);
    release();
    await new Promise((r) => setTimeout(r, 20));
  });
});
