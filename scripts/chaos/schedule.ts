/**
 * Which faults a chaos run injects and when: each once, in an order drawn from the seed, at
 * evenly spaced points of the sending phase, so no fault falls on the start or the drain.
 */

/** The four services, started from the compiled JavaScript. */
export const SERVICES = ['ingest', 'analysis', 'processing', 'web'] as const;
/** A service of the data path. */
export type ServiceName = (typeof SERVICES)[number];

/** The four engines the chaos run owns. */
export const ENGINES = ['kafka', 'postgres', 'redis', 'cosmos'] as const;
/** An engine of the data path. */
export type ChaosEngineName = (typeof ENGINES)[number];

/** `kill:<service>` (SIGKILL, then restarted as the supervisor would) or `restart:<engine>`. */
export type FaultName = `kill:${ServiceName}` | `restart:${ChaosEngineName}`;

/** Every fault, services first. */
export const ALL_FAULTS: readonly FaultName[] = [
  ...SERVICES.map((s) => `kill:${s}` as const),
  ...ENGINES.map((e) => `restart:${e}` as const),
];

/** Whether `text` names a fault. */
export function isFaultName(text: string): text is FaultName {
  return (ALL_FAULTS as readonly string[]).includes(text);
}

/**
 * Services whose readiness must turn red while an engine is down, because they answer
 * `/readyz` from it: ingest (Kafka, Cosmos), analysis (Kafka), processing (Kafka, PostgreSQL,
 * Redis), web (PostgreSQL, Redis).
 */
export const DEPENDENTS: Readonly<Record<ChaosEngineName, readonly ServiceName[]>> = {
  kafka: ['ingest', 'analysis', 'processing'],
  postgres: ['processing', 'web'],
  redis: ['processing', 'web'],
  cosmos: ['ingest'],
};

/** mulberry32: a small seeded PRNG with values in [0, 1); the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One planned fault: what, and how long after sending starts. */
export interface PlannedFault {
  readonly fault: FaultName;
  readonly atMs: number;
}

/**
 * Plans `faults` over a sending phase of `sendMs`: shuffled with the seed (Fisher–Yates), the
 * i-th of n at `sendMs × (i + 1) / (n + 1)`. A fault that overruns its slot delays the next one
 * (the runner injects them one at a time), which the report shows as the actual times.
 */
export function faultSchedule(
  faults: readonly FaultName[],
  sendMs: number,
  seed: number,
): PlannedFault[] {
  const order = [...faults];
  const random = seededRandom(seed ^ 0x5eed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const n = order.length;
  return order.map((fault, i) => ({ fault, atMs: Math.round((sendMs * (i + 1)) / (n + 1)) }));
}
