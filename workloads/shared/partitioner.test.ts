import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import { MemoisedDefaultPartitioner, murmur2 } from './partitioner';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));

/** Deterministic pseudo-random keys: device ids, every tail length, and non-ASCII ones. */
function keys(): string[] {
  let x = 12345;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out = [
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'abcde',
    'device-0001',
    'ü',
    '€uro',
    '温度計-7',
    '🙂x',
  ];
  for (let i = 0; i < 1000; i++) {
    const len = Math.floor(rnd() * 40);
    let s = '';
    for (let j = 0; j < len; j++) {
      const r = rnd();
      s += r < 0.9 ? String.fromCharCode(33 + Math.floor(rnd() * 94)) : r < 0.97 ? 'é' : '漢';
    }
    out.push(s, `sim-${i}-${s}`);
  }
  return out;
}

describe('murmur2 and the memoised default partitioner', () => {
  it("places every keyed message where kafkajs's DefaultPartitioner does", () => {
    const all = keys();
    for (const count of [1, 3, 6, 7, 32, 100]) {
      const theirs = Partitioners.DefaultPartitioner();
      const ours = MemoisedDefaultPartitioner();
      const partitionMetadata = metadata(count);
      for (const key of all) {
        const args = { topic: 't', partitionMetadata, message: { key, value: null } };
        const expected = theirs(args);
        expect(ours(args)).toBe(expected);
        // again: answered from the memo
        expect(ours(args)).toBe(expected);
        // a Buffer key hashes its bytes
        const bufferArgs = { ...args, message: { key: Buffer.from(key), value: null } };
        expect(ours(bufferArgs)).toBe(expected);
      }
    }
  });

  it('matches known Java-client values', () => {
    // Utils.murmur2 in the Kafka Java client, as signed 32-bit integers.
    expect(murmur2('')).toBe(275646681);
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from([0x61, 0x62, 0x63]))).toBe(murmur2('abc'));
  });

  it('keeps an explicit partition, and spreads unkeyed messages over partitions with a leader', () => {
    const ours = MemoisedDefaultPartitioner();
    const partitionMetadata = metadata(4, [1]);
    expect(
      ours({ topic: 't', partitionMetadata, message: { key: 'k', partition: 3, value: null } }),
    ).toBe(3);
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      seen.add(ours({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    }
    expect([...seen].sort()).toEqual([0, 2, 3]);
    // with no leader anywhere, still a partition of the topic
    const none = metadata(2, [0, 1]);
    const p = ours({ topic: 'u', partitionMetadata: none, message: { key: null, value: 'v' } });
    expect([0, 1]).toContain(p);
  });
});
