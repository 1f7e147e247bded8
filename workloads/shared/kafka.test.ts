import type { TokenCredential } from '@azure/identity';
import { ConfigError, loadConfig } from './config';
import { Kafka, logLevel } from 'kafkajs';
import type { Kafka as KafkaClient } from 'kafkajs';
import pino from 'pino';
import {
  BatchConsumer,
  KafkaProducer,
  KafkaReachability,
  chunkByBytes,
  mergeEncoded,
  patchIdleRequestQueue,
  entraTokenProvider,
  kafkaConfigSpec,
  kafkaSettings,
} from './kafka';

const settingsFor = (env: NodeJS.ProcessEnv, credential?: TokenCredential) =>
  kafkaSettings(loadConfig(kafkaConfigSpec, env), 'test', credential);

describe('kafkaSettings', () => {
  it('uses PLAINTEXT without SASL or compression locally', () => {
    const s = settingsFor({ KAFKA_BROKERS: '127.0.0.1:19092' });
    expect(s).toMatchObject({ mode: 'local', brokers: ['127.0.0.1:19092'], ssl: false });
    expect(s.sasl).toBeUndefined();
    expect(s.compression).toBe('none');
    expect(s.idempotent).toBe(true);
  });

  it('uses TLS for HDInsight and names an unreadable CA file', () => {
    expect(settingsFor({ KAFKA_MODE: 'hdinsight', KAFKA_BROKERS: 'wn0:9093' }).ssl).toEqual({
      rejectUnauthorized: true,
    });
    expect(() =>
      settingsFor({ KAFKA_MODE: 'hdinsight', KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' }),
    ).toThrow(/KAFKA_TLS_CA_FILE="\/nonexistent\/ca.pem": cannot be read/);
  });

  it('uses SASL PLAIN with $ConnectionString on 9093 and gzip for Event Hubs', () => {
    const cs =
      'Endpoint=sb://iot-ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=x';
    const s = settingsFor({
      KAFKA_MODE: 'eventhubs',
      EVENTHUBS_AUTH: 'connection-string',
      EVENTHUBS_CONNECTION_STRING: cs,
    });
    expect(s.brokers).toEqual(['iot-ns.servicebus.windows.net:9093']);
    expect(s.ssl).toBe(true);
    expect(s.sasl).toEqual({ mechanism: 'plain', username: '$ConnectionString', password: cs });
    expect(s.compression).toBe('gzip');
  });

  it('uses OAUTHBEARER with a namespace-scoped Entra token by default for Event Hubs', async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(String(scope));
        return { token: 'tok', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const s = settingsFor({ KAFKA_MODE: 'eventhubs', EVENTHUBS_NAMESPACE: 'iot-ns' }, credential);
    expect(s.sasl?.mechanism).toBe('oauthbearer');
    const provider = (s.sasl as { oauthBearerProvider: () => Promise<{ value: string }> })
      .oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'tok' });
    await provider();
    expect(scopes).toEqual(['https://iot-ns.servicebus.windows.net/.default']);
  });

  it('refreshes a token that expires within five minutes', async () => {
    let calls = 0;
    const provider = entraTokenProvider('s', {
      getToken: async () => ({ token: `t${++calls}`, expiresOnTimestamp: Date.now() + 60_000 }),
    });
    expect((await provider()).value).toBe('t1');
    expect((await provider()).value).toBe('t2');
  });

  it('requires a namespace or a connection string for Event Hubs', () => {
    expect(() => settingsFor({ KAFKA_MODE: 'eventhubs' })).toThrow(ConfigError);
    expect(() =>
      settingsFor({
        KAFKA_MODE: 'eventhubs',
        EVENTHUBS_NAMESPACE: 'ns',
        EVENTHUBS_AUTH: 'connection-string',
      }),
    ).toThrow(/EVENTHUBS_CONNECTION_STRING=<unset>/);
  });
});

describe('chunkByBytes', () => {
  it('keeps small batches in one request, grouped by topic', () => {
    const requests = chunkByBytes(
      [
        { topic: 'a', messages: [{ key: 'd1', value: { x: 1 } }] },
        { topic: 'b', messages: [{ key: 'd1', value: 'raw' }] },
      ],
      10_000,
    );
    expect(requests).toEqual([
      [
        { topic: 'a', messages: [{ key: 'd1', value: '{"x":1}' }] },
        { topic: 'b', messages: [{ key: 'd1', value: 'raw' }] },
      ],
    ]);
  });

  it('leaves out topics without messages, and answers no request for none', () => {
    expect(chunkByBytes([{ topic: 'a', messages: [] }], 10_000)).toEqual([]);
    expect(
      chunkByBytes(
        [
          { topic: 'a', messages: [] },
          { topic: 'b', messages: [{ key: null, value: 1 }] },
          { topic: 'b', messages: [{ key: 'k', value: 2, headers: { h: 'v' } }] },
        ],
        10_000,
      ),
    ).toEqual([
      [
        {
          topic: 'b',
          messages: [
            { key: null, value: '1' },
            { key: 'k', value: '2', headers: { h: 'v' } },
          ],
        },
      ],
    ]);
  });

  it('measures UTF-8 bytes, not characters, when a request is near the limit', () => {
    // 100 characters of 3 UTF-8 bytes each: 300 bytes + 1 key byte + 64 = 365 per record.
    const messages = Array.from({ length: 4 }, () => ({ key: 'k', value: '€'.repeat(100) }));
    const requests = chunkByBytes([{ topic: 't', messages }], 800);
    expect(requests.map((r) => r[0].messages.length)).toEqual([2, 2]);
    // 365 × 4 = 1,460 fits 1,500 exactly measured, and the 3-bytes-per-unit bound (1,468) too.
    expect(chunkByBytes([{ topic: 't', messages }], 1500)).toHaveLength(1);
    // ASCII: the bound (3 × 101 + 64 = 367 per record) exceeds 600, the measured 165 does not.
    const ascii = Array.from({ length: 3 }, () => ({ key: 'k', value: 'x'.repeat(100) }));
    expect(chunkByBytes([{ topic: 't', messages: ascii }], 600)).toHaveLength(1);
  });

  it('splits so no request exceeds the byte limit, preserving order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({
      key: 'k',
      value: 'x'.repeat(100 + i),
    }));
    const requests = chunkByBytes([{ topic: 't', messages }], 400);
    expect(requests.length).toBeGreaterThan(1);
    const flat = requests.flatMap((r) => r.flatMap((b) => b.messages.map((m) => m.value)));
    expect(flat).toEqual(messages.map((m) => m.value));
    for (const r of requests) {
      const bytes = r.flatMap((b) => b.messages).reduce((n, m) => n + m.value.length + 1 + 64, 0);
      expect(bytes).toBeLessThanOrEqual(400);
    }
  });
});

describe('KafkaProducer.send (group commit)', () => {
  /** A fake kafkajs producer whose sendBatch calls wait until the test releases them. */
  function fakeProducer(failOn?: (call: number) => boolean) {
    const calls: Array<{ topic: string; values: string[] }[]> = [];
    const releases: Array<() => void> = [];
    const producer = {
      events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
      on: () => undefined,
      connect: async () => undefined,
      sendBatch: ({
        topicMessages,
      }: {
        topicMessages: { topic: string; messages: { value: string }[] }[];
      }) => {
        const n = calls.push(
          topicMessages.map((t) => ({ topic: t.topic, values: t.messages.map((m) => m.value) })),
        );
        return new Promise<void>((resolve, reject) =>
          releases.push(() => (failOn?.(n) ? reject(new Error(`request ${n} failed`)) : resolve())),
        );
      },
    };
    const kafka = { producer: () => producer } as unknown as KafkaClient;
    return { kafka, calls, release: () => releases.shift()?.() };
  }
  const settings = settingsFor({});
  const tick = () => new Promise((r) => setImmediate(r));

  it('sends at once when idle, and sends everything that queued meanwhile as one request, in call order', async () => {
    const fake = fakeProducer();
    const p = await KafkaProducer.connect(fake.kafka, settings);
    const done: string[] = [];
    const a = p
      .send([{ topic: 't', messages: [{ key: 'k', value: 'a' }] }])
      .then(() => done.push('a'));
    await tick();
    expect(fake.calls).toHaveLength(1);
    const b = p
      .send([
        {
          topic: 't',
          messages: [
            { key: 'k', value: 'b1' },
            { key: 'k', value: 'b2' },
          ],
        },
      ])
      .then(() => done.push('b'));
    const c = p
      .send([{ topic: 'u', messages: [{ key: 'k', value: 'c' }] }])
      .then(() => done.push('c'));
    await tick();
    // b and c wait for a's request: nothing else is in flight.
    expect(fake.calls).toHaveLength(1);
    expect(done).toEqual([]);
    fake.release();
    await tick();
    expect(done).toEqual(['a']);
    expect(fake.calls[1]).toEqual([
      { topic: 't', values: ['b1', 'b2'] },
      { topic: 'u', values: ['c'] },
    ]);
    // Neither b nor c resolves before its own request is acknowledged.
    expect(done).toEqual(['a']);
    fake.release();
    await Promise.all([a, b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
  });

  it('rejects every caller whose messages were in a failed request, and only those', async () => {
    const fake = fakeProducer((n) => n === 2);
    const p = await KafkaProducer.connect(fake.kafka, settings);
    const a = p.send([{ topic: 't', messages: [{ key: null, value: 1 }] }]);
    await tick();
    const b = p.send([{ topic: 't', messages: [{ key: null, value: 2 }] }]);
    const c = p.send([{ topic: 't', messages: [{ key: null, value: 3 }] }]);
    fake.release();
    await a;
    await tick();
    fake.release();
    await expect(b).rejects.toThrow('request 2 failed');
    await expect(c).rejects.toThrow('request 2 failed');
    // The producer goes on: the next call gets its own request.
    const d = p.send([{ topic: 't', messages: [{ key: null, value: 4 }] }]);
    await tick();
    fake.release();
    await expect(d).resolves.toBeUndefined();
    expect(fake.calls.map((c) => c[0].values)).toEqual([['1'], ['2', '3'], ['4']]);
  });

  it('merges encoded batches per topic keeping each message in order', () => {
    expect(
      mergeEncoded([
        [{ topic: 'x', messages: [{ key: 'a', value: '1' }] }],
        [
          { topic: 'y', messages: [{ key: 'b', value: '2' }] },
          { topic: 'x', messages: [{ key: 'c', value: '3' }] },
        ],
      ]),
    ).toEqual([
      {
        topic: 'x',
        messages: [
          { key: 'a', value: '1' },
          { key: 'c', value: '3' },
        ],
      },
      { topic: 'y', messages: [{ key: 'b', value: '2' }] },
    ]);
  });
});

describe('patchIdleRequestQueue (kafkajs 2.2.4 idle timer loop)', () => {
  function fakeQueueClass() {
    return class {
      pending: unknown[] = [];
      throttledUntil = -1;
      throttleCheckTimeoutId: NodeJS.Timeout | null = null;
      checks = 0;
      checkPendingRequests() {
        // as kafkajs does: send what is pending, then schedule the next check
        this.checks++;
        this.pending.length = 0;
        this.scheduleCheckPendingRequests();
      }
      scheduleCheckPendingRequests() {
        throw new Error('the unpatched method');
      }
    };
  }
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing is pending and nothing is throttled', () => {
    jest.useFakeTimers();
    const Q = fakeQueueClass();
    expect(patchIdleRequestQueue(Q, '2.2.4')).toBe(true);
    const q = new Q();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    jest.advanceTimersByTime(1000);
    expect(q.checks).toBe(1);
  });

  it('still checks pending requests every 10 ms, and a throttled queue when the throttle ends', () => {
    jest.useFakeTimers();
    const Q = fakeQueueClass();
    patchIdleRequestQueue(Q, '2.2.4');
    const q = new Q();
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(q.checks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(q.checks).toBe(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.throttledUntil = Date.now() + 500;
    q.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(499);
    expect(q.checks).toBe(1);
    jest.advanceTimersByTime(1);
    expect(q.checks).toBe(2);
  });

  it('leaves other kafkajs versions alone, and is applied to the installed one', () => {
    const Q = fakeQueueClass();
    expect(patchIdleRequestQueue(Q, '2.3.0')).toBe(false);
    expect(() => new Q().scheduleCheckPendingRequests()).toThrow('the unpatched method');
    expect(patchIdleRequestQueue()).toBe(true);
  });
});

describe('KafkaReachability', () => {
  it('fails, bounded in time, when no broker answers (readiness turns red in an outage)', async () => {
    const net = await import('node:net');
    // A port that accepts nothing: listen, note it, close.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const kafka = new Kafka({
      clientId: 'reachability-test',
      brokers: [`127.0.0.1:${port}`],
      connectionTimeout: 500,
      // The client's own retries (not the probe's) would outlive the test.
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const probe = new KafkaReachability(kafka, 2000);
    const started = Date.now();
    await expect(probe.check()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
    await probe.close();
  });
});

describe('BatchConsumer fetch bounds', () => {
  const consumerConfig = (options: {
    maxBytesPerPartition?: number;
    maxBytes?: number;
    minBytes?: number;
    maxWaitTimeInMs?: number;
  }) => {
    const consumer = jest.fn(() => ({ events: {}, on: jest.fn() }));
    new BatchConsumer({ consumer } as unknown as KafkaClient, {
      groupId: 'g',
      topics: ['t'],
      logger: pino({ level: 'silent' }),
      handler: async () => undefined,
      ...options,
    });
    return (consumer.mock.calls[0] as unknown[])[0];
  };

  it("passes a service's fetch bounds to kafkajs, else kafkajs's own defaults", () => {
    expect(consumerConfig({ maxBytesPerPartition: 131_072, maxBytes: 1_048_576 })).toMatchObject({
      maxBytesPerPartition: 131_072,
      maxBytes: 1_048_576,
    });
    expect(consumerConfig({})).toMatchObject({
      maxBytesPerPartition: 1_048_576,
      maxBytes: 10_485_760,
      minBytes: 1,
      maxWaitTimeInMs: 5000,
    });
  });

  it('passes how long a fetch may wait for how many bytes', () => {
    expect(consumerConfig({ minBytes: 16_384, maxWaitTimeInMs: 500 })).toMatchObject({
      minBytes: 16_384,
      maxWaitTimeInMs: 500,
    });
  });
});
