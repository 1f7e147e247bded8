import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`: MurmurHash2, seed 0x9747b28c) over the
 * UTF-8 bytes of `key`, as a signed 32-bit integer. Plain 32-bit arithmetic (`Math.imul`), so it
 * allocates nothing but the key's bytes; kafkajs's own implementation builds a Long object for
 * every step, which in analysis was a fifth of all allocation (ADR 0024).
 */
export function murmur2(key: string | Buffer): number {
  const data = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The 1–3 trailing bytes (the Java switch falls through from case 3 to case 1).
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2] << 16;
    if (tail >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Keys whose hash is remembered (device ids repeat); the memo is emptied when it is full. */
const MEMO_LIMIT = 100_000;

/**
 * A kafkajs partitioner that places every message exactly where kafkajs's `DefaultPartitioner`
 * (Java-client compatible) does — an explicit partition as given, a keyed message on
 * `(murmur2(key) & 0x7fffffff) % partitions`, an unkeyed one round-robin over the partitions
 * with a leader — so keyed streams keep their partitions whichever client wrote them. It differs
 * only in cost: the hash is allocation-free and remembered per key, and the list of partitions
 * with a leader is built only for unkeyed messages (kafkajs builds it for every message).
 * Unit-tested against kafkajs's partitioner on ASCII and non-ASCII keys.
 */
export const MemoisedDefaultPartitioner: ICustomPartitioner = () => {
  const memo = new Map<string, number>();
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    const { key } = message;
    if (key !== null && key !== undefined) {
      if (typeof key !== 'string') return (murmur2(key) & 0x7fffffff) % partitions;
      let hash = memo.get(key);
      if (hash === undefined) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        hash = murmur2(key) & 0x7fffffff;
        memo.set(key, hash);
      }
      return hash % partitions;
    }
    // Round robin from a random start per topic, as kafkajs does.
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 2 ** 31)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    return available.length > 0
      ? available[next % available.length].partitionId
      : next % partitions;
  };
};
