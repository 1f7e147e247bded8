/**
 * Synthetic sensor fleet: temperature, humidity and vibration with a daily cycle, noise and
 * injected anomalies (spikes and drifts). Seeded, so a run can be reproduced exactly.
 */
import type { ReadingInput } from '../shared/schema';

/** Deterministic PRNG (mulberry32) returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const DAY_MS = 86_400_000;

/** Kinds of anomaly the simulator injects. */
export type AnomalyKind = 'spike' | 'drift';

interface Device {
  readonly id: string;
  readonly baseTemperature: number;
  readonly baseHumidity: number;
  readonly baseVibration: number;
  readonly phase: number;
  seq: number;
  /** Remaining readings of a drift episode and its per-reading increment. */
  drift?: { remaining: number; step: number; offset: number };
  spikeRequested: boolean;
}

/** Options of {@link Fleet}. */
export interface FleetOptions {
  /** Number of devices (ids `sim-0000`, `sim-0001`, …). */
  readonly devices: number;
  /** Probability that a reading starts an anomaly (half spikes, half drifts). */
  readonly anomalyRate: number;
  /** Seed for reproducible runs. */
  readonly seed: number;
  /** Device id prefix. */
  readonly prefix?: string;
}

/** An anomaly the fleet injected, for the summary and for tests. */
export interface InjectedAnomaly {
  readonly kind: AnomalyKind;
  readonly deviceId: string;
  readonly ts: string;
  readonly seq: number;
}

/** A fleet of simulated devices producing readings on demand. */
export class Fleet {
  readonly devices: readonly Device[];
  readonly injected: InjectedAnomaly[] = [];
  private readonly random: () => number;
  private next = 0;

  constructor(private readonly options: FleetOptions) {
    this.random = prng(options.seed);
    const prefix = options.prefix ?? 'sim';
    this.devices = Array.from({ length: options.devices }, (_, i) => ({
      id: `${prefix}-${String(i).padStart(4, '0')}`,
      baseTemperature: 18 + 8 * this.random(),
      baseHumidity: 35 + 25 * this.random(),
      baseVibration: 0.02 + 0.08 * this.random(),
      phase: this.random(),
      seq: 0,
      spikeRequested: false,
    }));
  }

  /** Asks for a spike on the device's next reading (`--spike-device`). */
  requestSpike(deviceId: string): boolean {
    const device = this.devices.find((d) => d.id === deviceId);
    if (device) device.spikeRequested = true;
    return device !== undefined;
  }

  /** The next `count` readings, round-robin over devices, stamped `nowMs`. */
  take(count: number, nowMs: number): ReadingInput[] {
    const out: ReadingInput[] = [];
    for (let i = 0; i < count; i++) {
      const device = this.devices[this.next];
      this.next = (this.next + 1) % this.devices.length;
      out.push(this.reading(device, nowMs));
    }
    return out;
  }

  private reading(device: Device, nowMs: number): ReadingInput {
    const r = this.random;
    const day = Math.sin(2 * Math.PI * ((nowMs % DAY_MS) / DAY_MS + device.phase));
    let temperature = device.baseTemperature + 3 * day + 0.15 * gaussian(r);
    let humidity = device.baseHumidity - 6 * day + 0.5 * gaussian(r);
    let vibration = Math.abs(device.baseVibration + 0.005 * gaussian(r));
    const ts = new Date(nowMs).toISOString();

    let kind: AnomalyKind | undefined;
    if (device.spikeRequested) {
      kind = 'spike';
      device.spikeRequested = false;
    } else if (!device.drift && r() < this.options.anomalyRate) {
      kind = r() < 0.5 ? 'spike' : 'drift';
    }
    if (kind === 'drift') device.drift = { remaining: 40, step: 0.6, offset: 0 };
    if (kind) this.injected.push({ kind, deviceId: device.id, ts, seq: device.seq });
    if (kind === 'spike') {
      temperature += 30 + 10 * r();
      vibration *= 30;
    }
    if (device.drift) {
      device.drift.offset += device.drift.step;
      temperature += device.drift.offset;
      humidity -= device.drift.offset / 2;
      if (--device.drift.remaining === 0) device.drift = undefined;
    }
    return {
      deviceId: device.id,
      ts,
      seq: device.seq++,
      metrics: {
        temperature: round(temperature, 2),
        humidity: round(Math.min(100, Math.max(0, humidity)), 1),
        vibration: round(vibration, 4),
      },
    };
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Request body formats the simulator sends. */
export type BatchFormat = 'ndjson' | 'json';

/** Splits readings into request bodies of at most `size` readings. */
export function toBodies(
  readings: readonly ReadingInput[],
  size: number,
  format: BatchFormat,
): Array<{ body: string; count: number; contentType: string }> {
  const bodies = [];
  for (let i = 0; i < readings.length; i += size) {
    const chunk = readings.slice(i, i + size);
    bodies.push(
      format === 'ndjson'
        ? {
            body: chunk.map((c) => JSON.stringify(c)).join('\n') + '\n',
            count: chunk.length,
            contentType: 'application/x-ndjson',
          }
        : { body: JSON.stringify(chunk), count: chunk.length, contentType: 'application/json' },
    );
  }
  return bodies;
}
