/**
 * Declared topics, and the idempotent reconciliation a Kafka admin runs against a cluster:
 * create what is missing, add partitions where fewer exist than declared, and report (never
 * change) what it must not touch — fewer partitions than exist, or another replication factor.
 */
import { TOPICS } from '../shared/messages';

/** One topic as configuration declares it. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

/** The subset of a Kafka admin client (kafkajs' `Admin`) the reconciliation needs. */
export interface TopicAdmin {
  listTopics(): Promise<string[]>;
  fetchTopicMetadata(options: { topics: string[] }): Promise<{
    topics: { name: string; partitions: { partitionId: number; replicas: number[] }[] }[];
  }>;
  createTopics(options: {
    topics: { topic: string; numPartitions: number; replicationFactor: number }[];
    waitForLeaders?: boolean;
  }): Promise<boolean>;
  createPartitions(options: {
    topicPartitions: { topic: string; count: number }[];
  }): Promise<boolean>;
}

/** What one run did to each topic. */
export type TopicOutcome =
  | { readonly topic: string; readonly action: 'created'; readonly partitions: number }
  | { readonly topic: string; readonly action: 'unchanged'; readonly partitions: number }
  | {
      readonly topic: string;
      readonly action: 'partitions-added';
      readonly from: number;
      readonly to: number;
    }
  | { readonly topic: string; readonly action: 'drift'; readonly reason: string };

/** Kafka's topic name rule: 1–249 of letters, digits, `.`, `_` and `-`, not `.` or `..`. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Parses `name:partitions:replicas[,…]` (e.g. `telemetry.raw:12:3,alerts:3:3`).
 * @throws Error whose message names the entry at fault and what is allowed.
 */
export function parseTopicSpecs(raw: string): TopicSpec[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new Error('no topics: expected name:partitions:replicas[,...]');
  const seen = new Set<string>();
  return entries.map((entry) => {
    const parts = entry.split(':');
    if (parts.length !== 3) {
      throw new Error(`entry "${entry}" is not name:partitions:replicas`);
    }
    const [topic, p, r] = parts as [string, string, string];
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
      throw new Error(`topic "${topic}" is not a Kafka topic name (1-249 of [A-Za-z0-9._-])`);
    }
    if (seen.has(topic)) throw new Error(`topic "${topic}" is listed twice`);
    seen.add(topic);
    const partitions = Number(p);
    const replicationFactor = Number(r);
    if (!/^\d+$/.test(p) || partitions < 1 || partitions > 10_000) {
      throw new Error(`topic "${topic}": partitions "${p}" must be an integer from 1 to 10000`);
    }
    if (!/^\d+$/.test(r) || replicationFactor < 1 || replicationFactor > 7) {
      throw new Error(`topic "${topic}": replicas "${r}" must be an integer from 1 to 7`);
    }
    return { topic, partitions, replicationFactor };
  });
}

/** Formats specs back into the `KAFKA_TOPICS` form (what the workloads stack passes the job). */
export function formatTopicSpecs(specs: readonly TopicSpec[]): string {
  return specs.map((s) => `${s.topic}:${s.partitions}:${s.replicationFactor}`).join(',');
}

/** The message contract's topics; a run with other names is allowed but these must be present. */
export const CONTRACT_TOPIC_NAMES: readonly string[] = Object.values(TOPICS);

/**
 * Brings the cluster to the declared topics. Safe to run any number of times, concurrently with
 * producers and consumers: it only creates topics and adds partitions. A topic with more
 * partitions or another replication factor than declared is reported as drift, never changed
 * (Kafka cannot remove partitions; changing replicas is a reassignment an operator plans).
 */
export async function reconcileTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
): Promise<TopicOutcome[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  const present = specs.filter((s) => existing.has(s.topic));
  const outcomes = new Map<string, TopicOutcome>();
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
      })),
    });
    for (const s of missing) {
      outcomes.set(s.topic, { topic: s.topic, action: 'created', partitions: s.partitions });
    }
  }
  if (present.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
    const byName = new Map(meta.topics.map((t) => [t.name, t]));
    const grow: { topic: string; count: number }[] = [];
    for (const s of present) {
      const t = byName.get(s.topic);
      const count = t?.partitions.length ?? 0;
      const replicas = t?.partitions[0]?.replicas.length ?? 0;
      if (replicas !== s.replicationFactor) {
        outcomes.set(s.topic, {
          topic: s.topic,
          action: 'drift',
          reason: `has replication factor ${replicas}, declared ${s.replicationFactor}: reassign replicas by hand`,
        });
      } else if (count > s.partitions) {
        outcomes.set(s.topic, {
          topic: s.topic,
          action: 'drift',
          reason: `has ${count} partitions, declared ${s.partitions}: Kafka cannot remove partitions; raise the declaration`,
        });
      } else if (count < s.partitions) {
        grow.push({ topic: s.topic, count: s.partitions });
        outcomes.set(s.topic, {
          topic: s.topic,
          action: 'partitions-added',
          from: count,
          to: s.partitions,
        });
      } else {
        outcomes.set(s.topic, { topic: s.topic, action: 'unchanged', partitions: count });
      }
    }
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
  }
  return specs.map((s) => outcomes.get(s.topic)!);
}
