/**
 * Accepted vs stored, per sink. A sink is listed one or more times (a listing is every reading id
 * it held at one moment, one entry per stored copy); a reading counts as stored if any listing
 * holds it, and as copied more than once if one listing holds it more than once.
 */

/** What the design promises a sink: one copy, or at least one (a replay may add copies). */
export type Semantics = 'exactly-once' | 'at-least-once';

/** The verdict on one sink. */
export interface SinkTally {
  readonly sink: string;
  readonly semantics: Semantics;
  /** Readings answered 202. */
  readonly accepted: number;
  /** Accepted readings the sink holds (at least one copy). */
  readonly stored: number;
  /** Accepted readings the sink does not hold. */
  readonly lost: number;
  /** Extra copies in an exactly-once sink (a reading stored twice counts 1). */
  readonly duplicated: number;
  /** Extra copies in an at-least-once sink (allowed by design; downstream must dedupe). */
  readonly redelivered: number;
  /** Readings the sink holds that were never answered 202 (a write that outlived its request). */
  readonly unacknowledged: number;
  /** Up to 5 lost reading ids, for the logs. */
  readonly lostSample: readonly string[];
  /** Up to 5 duplicated or redelivered reading ids. */
  readonly copiedSample: readonly string[];
}

/** Counts one sink from its listings. */
export function tallySink(
  sink: string,
  semantics: Semantics,
  accepted: ReadonlySet<string>,
  listings: readonly (readonly string[])[],
): SinkTally {
  const seen = new Set<string>();
  const extraCopies = new Map<string, number>();
  for (const listing of listings) {
    const copies = new Map<string, number>();
    for (const id of listing) {
      seen.add(id);
      copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    for (const [id, n] of copies) {
      if (n > 1) extraCopies.set(id, Math.max(extraCopies.get(id) ?? 0, n - 1));
    }
  }
  const lostIds = [...accepted].filter((id) => !seen.has(id));
  let extra = 0;
  for (const n of extraCopies.values()) extra += n;
  let unacknowledged = 0;
  for (const id of seen) if (!accepted.has(id)) unacknowledged++;
  return {
    sink,
    semantics,
    accepted: accepted.size,
    stored: accepted.size - lostIds.length,
    lost: lostIds.length,
    duplicated: semantics === 'exactly-once' ? extra : 0,
    redelivered: semantics === 'at-least-once' ? extra : 0,
    unacknowledged,
    lostSample: lostIds.slice(0, 5),
    copiedSample: [...extraCopies.keys()].slice(0, 5),
  };
}

/**
 * An aggregate sink that holds counts, not ids (processing's `metric_minute`): per key, the
 * count expected from the accepted readings against the count stored. Missing counts are lost,
 * surplus counts duplicated; per key, so a loss in one place and a duplicate in another do not
 * cancel out.
 */
export function tallyCounts(
  sink: string,
  expected: ReadonlyMap<string, number>,
  stored: ReadonlyMap<string, number>,
): SinkTally {
  let lost = 0;
  let duplicated = 0;
  let total = 0;
  const lostSample: string[] = [];
  const copiedSample: string[] = [];
  for (const key of new Set([...expected.keys(), ...stored.keys()])) {
    const e = expected.get(key) ?? 0;
    const s = stored.get(key) ?? 0;
    total += e;
    if (s < e) {
      lost += e - s;
      if (lostSample.length < 5) lostSample.push(key);
    } else if (s > e) {
      duplicated += s - e;
      if (copiedSample.length < 5) copiedSample.push(key);
    }
  }
  return {
    sink,
    semantics: 'exactly-once',
    accepted: total,
    stored: total - lost,
    lost,
    duplicated,
    redelivered: 0,
    unacknowledged: 0,
    lostSample,
    copiedSample,
  };
}
