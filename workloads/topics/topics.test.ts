import { ConfigError } from '../shared/config';
import { TOPICS } from '../shared/messages';
import { loadTopicsConfig } from './main';
import { formatTopicSpecs, parseTopicSpecs, reconcileTopics } from './topics';
import type { TopicAdmin } from './topics';

const contract = 'telemetry.raw:6:3,telemetry.analyzed:6:3,alerts:3:3,telemetry.deadletter:1:3';

describe('parseTopicSpecs', () => {
  it('reads name:partitions:replicas entries and formats them back', () => {
    const specs = parseTopicSpecs(' telemetry.raw:12:3 , alerts:3:1 ');
    expect(specs).toEqual([
      { topic: 'telemetry.raw', partitions: 12, replicationFactor: 3 },
      { topic: 'alerts', partitions: 3, replicationFactor: 1 },
    ]);
    expect(formatTopicSpecs(specs)).toBe('telemetry.raw:12:3,alerts:3:1');
  });

  it.each([
    ['', /no topics/],
    ['alerts:3', /"alerts:3" is not name:partitions:replicas/],
    ['al erts:3:1', /"al erts" is not a Kafka topic name/],
    ['..:3:1', /"\.\." is not a Kafka topic name/],
    ['alerts:0:1', /partitions "0" must be an integer from 1 to 10000/],
    ['alerts:1.5:1', /partitions "1.5"/],
    ['alerts:3:8', /replicas "8" must be an integer from 1 to 7/],
    ['alerts:3:1,alerts:4:1', /"alerts" is listed twice/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseTopicSpecs(raw)).toThrow(message);
  });
});

describe('loadTopicsConfig', () => {
  it('needs every topic of the message contract', () => {
    expect(() => loadTopicsConfig({ KAFKA_TOPICS: 'telemetry.raw:6:3' })).toThrow(ConfigError);
    expect(() => loadTopicsConfig({ KAFKA_TOPICS: 'telemetry.raw:6:3' })).toThrow(
      /KAFKA_TOPICS="telemetry.raw:6:3": the contract's topics telemetry.analyzed, alerts, telemetry.deadletter are missing/,
    );
  });

  it('names KAFKA_TOPICS when it is unset, with the Kafka settings checked too', () => {
    expect(() => loadTopicsConfig({ KAFKA_MODE: 'nope' })).toThrow(/KAFKA_MODE="nope"/);
    expect(() => loadTopicsConfig({})).toThrow(/KAFKA_TOPICS=<unset>: no topics/);
  });

  it('returns the declared topics with the Kafka settings', () => {
    const config = loadTopicsConfig({ KAFKA_TOPICS: contract, KAFKA_MODE: 'hdinsight' });
    expect(config.KAFKA_MODE).toBe('hdinsight');
    expect(config.topics.map((t) => t.topic).sort()).toEqual(Object.values(TOPICS).sort());
  });
});

/** An in-memory admin with kafkajs' semantics for the calls reconcileTopics makes. */
class MemoryAdmin implements TopicAdmin {
  readonly calls: string[] = [];
  constructor(readonly topics = new Map<string, { partitions: number; replicas: number }>()) {}
  async listTopics() {
    return [...this.topics.keys()];
  }
  async fetchTopicMetadata({ topics }: { topics: string[] }) {
    return {
      topics: topics.map((name) => {
        const t = this.topics.get(name)!;
        return {
          name,
          partitions: Array.from({ length: t.partitions }, (_, partitionId) => ({
            partitionId,
            replicas: Array.from({ length: t.replicas }, (_, i) => i),
          })),
        };
      }),
    };
  }
  async createTopics({
    topics,
  }: {
    topics: { topic: string; numPartitions: number; replicationFactor: number }[];
  }) {
    for (const t of topics) {
      this.calls.push(`create ${t.topic}`);
      this.topics.set(t.topic, { partitions: t.numPartitions, replicas: t.replicationFactor });
    }
    return true;
  }
  async createPartitions({
    topicPartitions,
  }: {
    topicPartitions: { topic: string; count: number }[];
  }) {
    for (const t of topicPartitions) {
      this.calls.push(`grow ${t.topic} to ${t.count}`);
      this.topics.get(t.topic)!.partitions = t.count;
    }
    return true;
  }
}

describe('reconcileTopics', () => {
  it('creates what is missing, grows what is short, and leaves drift alone', async () => {
    const admin = new MemoryAdmin(
      new Map([
        ['same', { partitions: 3, replicas: 3 }],
        ['short', { partitions: 2, replicas: 3 }],
        ['wide', { partitions: 9, replicas: 3 }],
        ['thin', { partitions: 3, replicas: 1 }],
      ]),
    );
    const outcomes = await reconcileTopics(
      admin,
      parseTopicSpecs('new:4:3,same:3:3,short:6:3,wide:3:3,thin:3:3'),
    );
    expect(outcomes).toEqual([
      { topic: 'new', action: 'created', partitions: 4 },
      { topic: 'same', action: 'unchanged', partitions: 3 },
      { topic: 'short', action: 'partitions-added', from: 2, to: 6 },
      {
        topic: 'wide',
        action: 'drift',
        reason:
          'has 9 partitions, declared 3: Kafka cannot remove partitions; raise the declaration',
      },
      {
        topic: 'thin',
        action: 'drift',
        reason: 'has replication factor 1, declared 3: reassign replicas by hand',
      },
    ]);
    expect(admin.calls).toEqual(['create new', 'grow short to 6']);
  });

  it('changes nothing on a second run', async () => {
    const admin = new MemoryAdmin();
    const specs = parseTopicSpecs(contract);
    await reconcileTopics(admin, specs);
    admin.calls.length = 0;
    const again = await reconcileTopics(admin, specs);
    expect(admin.calls).toEqual([]);
    expect(again.every((o) => o.action === 'unchanged')).toBe(true);
  });
});
