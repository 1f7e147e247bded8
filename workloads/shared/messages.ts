import type { ReadingInput } from './schema';

/** Topic names of the message contract; one constant so a rename is one edit. */
export const TOPICS = {
  raw: 'telemetry.raw',
  analyzed: 'telemetry.analyzed',
  alerts: 'alerts',
  deadLetter: 'telemetry.deadletter',
} as const;

/** A topic of the message contract. */
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** `telemetry.raw` value (key = deviceId): an accepted reading as ingest stored it in Cosmos. */
export interface Reading extends ReadingInput {
  /** Deterministic id, see `readingId` in ids.ts. */
  readonly id: string;
  /** When ingest accepted it, ISO 8601 UTC. */
  readonly receivedAt: string;
}

/** Rolling statistics of one metric at the time a reading was scored. */
export interface MetricFeatures {
  /** Mean of the metric over the device's window (before this reading). */
  readonly mean: number;
  /** Standard deviation over the window (robust estimate, 1.4826 x MAD, when available). */
  readonly std: number;
  /** Score of this value against the window (0 during warm-up). */
  readonly z: number;
  /** Exponentially weighted moving average including this reading. */
  readonly ewma: number;
  /** Readings of this metric seen for the device, including this one. */
  readonly n: number;
}

/** `telemetry.analyzed` value (key = deviceId): the reading plus what analysis found. */
export interface AnalyzedReading extends Reading {
  /** Features by metric name. */
  readonly features: Readonly<Record<string, MetricFeatures>>;
  /** Max |z| over the reading's metrics. */
  readonly score: number;
  /** Whether any rule considers the reading anomalous (an alert is open or opening). */
  readonly anomalous: boolean;
  /** When analysis produced it, ISO 8601 UTC. */
  readonly analyzedAt: string;
}

/** Alert transition state. */
export type AlertState = 'open' | 'resolved';
/** Alert severity. */
export type AlertSeverity = 'warning' | 'critical';

/** `alerts` value (key = deviceId): one open or resolve transition of an alert episode. */
export interface AlertMessage {
  /** Deterministic per episode (`alertId` in ids.ts); open and resolve share it. */
  readonly alertId: string;
  readonly deviceId: string;
  /** Rule name, e.g. `threshold.high` or `zscore`. */
  readonly rule: string;
  readonly metric: string;
  readonly state: AlertState;
  readonly severity: AlertSeverity;
  /** The metric value of the reading behind this transition. */
  readonly value: number;
  /** The threshold crossed, for threshold rules. */
  readonly threshold?: number;
  /** The reading's score (max |z|). */
  readonly score: number;
  /** ts of the reading that opened the episode. */
  readonly episodeStart: string;
  /** ts of the reading behind this transition. */
  readonly ts: string;
  readonly readingId: string;
  /** Human-readable one-liner for notifications. */
  readonly message: string;
}

/** `telemetry.deadletter` value: a message a consumer could not process, and why. */
export interface DeadLetter {
  readonly reason: string;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly key: string | null;
  /** The original value as a UTF-8 string (null for a tombstone). */
  readonly value: string | null;
  /** When it was dead-lettered, ISO 8601 UTC. */
  readonly at: string;
}
