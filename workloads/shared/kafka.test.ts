import type { TokenCredential } from '@azure/identity';
import { ConfigError, loadConfig } from './config';
import { Kafka, logLevel } from 'kafkajs';
import {
  KafkaReachability,
  chunkByBytes,
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
