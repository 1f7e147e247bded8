import { produceUntilAccepted } from './produce';

describe('produceUntilAccepted', () => {
  it('sends the same outputs again with capped backoff until Kafka takes them', async () => {
    let calls = 0;
    const waits: number[] = [];
    const retries: number[] = [];
    let heartbeats = 0;
    const attempts = await produceUntilAccepted(
      async () => {
        calls++;
        if (calls < 6) throw new Error('broker not available');
      },
      {
        isRunning: () => true,
        heartbeat: async () => {
          heartbeats++;
          throw new Error('heartbeat fails too while Kafka is away');
        },
        onRetry: (_e, attempt) => retries.push(attempt),
        initialDelayMs: 100,
        maxDelayMs: 1000,
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(attempts).toBe(6);
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
    expect(retries).toEqual([1, 2, 3, 4, 5]);
    expect(heartbeats).toBe(5);
  });

  it('gives up with the error when the consumer stops during the outage', async () => {
    let running = true;
    let calls = 0;
    await expect(
      produceUntilAccepted(
        async () => {
          calls++;
          if (calls === 3) running = false;
          throw new Error(`attempt ${calls} failed`);
        },
        {
          isRunning: () => running,
          heartbeat: async () => undefined,
          sleep: async () => undefined,
        },
      ),
    ).rejects.toThrow('attempt 3 failed');
    expect(calls).toBe(3);
  });

  it('sends once when Kafka is there', async () => {
    const send = jest.fn(async () => undefined);
    await expect(
      produceUntilAccepted(send, { isRunning: () => true, heartbeat: async () => undefined }),
    ).resolves.toBe(1);
    expect(send).toHaveBeenCalledTimes(1);
  });
});
