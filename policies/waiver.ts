/**
 * The waiver format, shared with the construct library. It has no cdktf import on purpose:
 * constructs write it, the policy engine reads it, and neither depends on the other.
 *
 * A waiver lives in the waived resource's own `//` metadata in `cdk.tf.json`, so the artifact
 * carries its exceptions:
 *
 * ```json
 * "azurerm_key_vault": { "kv_ABC": { "//": {
 *   "metadata": { "path": "dev/platform/KeyVault/Resource", "uniqueId": "kv_ABC" },
 *   "waivers": [{ "rule": "key-vault-private-endpoint-attached", "reason": "dev has no private DNS",
 *                 "owner": "platform-team", "expires": "2027-03-31" }] } } }
 * ```
 */

/** One waiver: which rule, why, who owns the exception and until when. */
export interface Waiver {
  /** Rule id being waived, e.g. `key-vault-purge-protected`. */
  readonly rule: string;
  /** Why the exception is acceptable; at least {@link WAIVER_MIN_REASON_LENGTH} characters. */
  readonly reason: string;
  /** Team or person accountable for the exception. */
  readonly owner: string;
  /** Last day the waiver holds, `YYYY-MM-DD` (UTC); from the next day the finding is FAIL again. */
  readonly expires: string;
}

/** Override path under which constructs write waivers: `resource.addOverride(WAIVERS_OVERRIDE_PATH, list)`. */
export const WAIVERS_OVERRIDE_PATH = '//.waivers';

/** Minimum length of a waiver reason, after trimming. */
export const WAIVER_MIN_REASON_LENGTH = 10;

/**
 * Problems with a waiver that can be seen without evaluating anything (empty when it is valid).
 * Constructs call this at synth time to fail early; the engine calls it again on the JSON.
 */
export function waiverProblems(w: Partial<Record<keyof Waiver, unknown>>): string[] {
  const problems: string[] = [];
  if (typeof w.rule !== 'string' || w.rule.trim() === '') problems.push('rule is missing');
  if (typeof w.reason !== 'string' || w.reason.trim().length < WAIVER_MIN_REASON_LENGTH) {
    problems.push(
      `reason must be at least ${WAIVER_MIN_REASON_LENGTH} characters, got ${JSON.stringify(w.reason ?? null)}`,
    );
  }
  if (typeof w.owner !== 'string' || w.owner.trim() === '') problems.push('owner is missing');
  if (typeof w.expires !== 'string' || !isIsoDate(w.expires)) {
    problems.push(`expires must be a date YYYY-MM-DD, got ${JSON.stringify(w.expires ?? null)}`);
  }
  return problems;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
