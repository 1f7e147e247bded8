/**
 * The vocabulary of the policy engine: outcomes, severities, verdicts, rules, packs and findings.
 * Nothing here knows about cdktf; everything is about the synthesized Terraform JSON.
 */
import type { Resource, RuleContext } from './resource';

/** What a rule concluded about one resource (WAIVED is added by the engine, never by a rule). */
export type Outcome = 'PASS' | 'FAIL' | 'WAIVED' | 'UNKNOWN' | 'NOT_APPLICABLE';

/** The outcomes a rule itself may return. */
export type RuleOutcome = Exclude<Outcome, 'WAIVED'>;

/** Order used everywhere a report sorts by outcome: what needs action first. */
export const OUTCOMES: readonly Outcome[] = ['FAIL', 'WAIVED', 'UNKNOWN', 'PASS', 'NOT_APPLICABLE'];

/** Severity of a rule, set by the pack. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Severities from the most to the least severe. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Rank for comparisons: critical = 0 … low = 3. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** One judgement a rule makes; `attribute` names the offending attribute path when there is one. */
export interface Verdict {
  readonly outcome: RuleOutcome;
  readonly message: string;
  readonly attribute?: string;
}

/**
 * Rule logic only: which resource types it looks at and how it judges one of them.
 * Severity, title, rationale, remediation and control mappings live in the pack.
 */
export interface Rule {
  /** Stable id, kebab-case, named for the compliant state (`key-vault-purge-protected`). */
  readonly id: string;
  /**
   * Terraform resource types (`azurerm_key_vault`) the rule is evaluated on, or `['*']` for
   * every managed resource type (data sources are never judged).
   */
  readonly appliesTo: readonly string[];
  /** Judge one resource; may return several verdicts (e.g. one per container). */
  evaluate(resource: Resource, ctx: RuleContext): Verdict | readonly Verdict[];
}

/** The `appliesTo` selector for every resource type. */
export const ALL_TYPES = '*';

/**
 * `appliesTo` value of a coverage rule: evaluated on every resource whose type no type-specific
 * rule of the loaded packs judges, so a type nobody reviewed cannot pass the gate unseen.
 */
export const UNJUDGED_TYPES = '(unjudged)';

/**
 * True when a rule may be evaluated on resources of `type` (for a coverage rule: when no other
 * rule judges the type, which only the rule set knows).
 */
export function appliesToType(rule: Pick<Rule, 'appliesTo'>, type: string): boolean {
  return (
    rule.appliesTo.includes(ALL_TYPES) ||
    rule.appliesTo.includes(UNJUDGED_TYPES) ||
    rule.appliesTo.includes(type)
  );
}

/** Framework ids the built-in control catalogues use (see policies/frameworks). */
export type FrameworkId = string;

/** Rule metadata kept in a pack, beside the rule module it describes. */
export interface RuleMeta {
  readonly title: string;
  readonly severity: Severity;
  /** Service the rule belongs to, for the catalogue (`Key Vault`, `AKS`, `Kubernetes`). */
  readonly service: string;
  readonly rationale: string;
  readonly remediation: string;
  /** Control ids per framework version, e.g. `{ 'mcsb-v3': ['DP-8'], 'cis-azure-2.0.0': ['8.5'] }`. */
  readonly controls?: Readonly<Record<FrameworkId, readonly string[]>>;
  /** When true, a waiver for this rule is an error and the finding stays FAIL. */
  readonly unwaivable?: boolean;
}

/** A rule module together with the pack's metadata for it. */
export interface PackRule extends RuleMeta {
  readonly rule: Rule;
}

/** A pack: data (metadata, mappings) plus rule modules. App teams write their own. */
export interface Pack {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly rules: readonly PackRule[];
}

/** A waiver as written into a resource's `//` metadata (see policies/waiver.ts). */
export interface WaiverRecord {
  readonly rule: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

/** One row of a report: a rule's verdict on one resource. */
export interface Finding {
  readonly stack: string;
  readonly ruleId: string;
  readonly packId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly service: string;
  readonly outcome: Outcome;
  /** Terraform address, `type.name`. */
  readonly address: string;
  readonly resourceType: string;
  /** cdktf construct path from `//`.metadata.path, or `(unknown)` when the JSON has none. */
  readonly constructPath: string;
  readonly message: string;
  readonly attribute?: string;
  readonly waiver?: WaiverRecord;
  /** 1-based line of the resource in its cdk.tf.json. */
  readonly line: number;
}

/** A waiver that is malformed, expired-free but unusable, or matched nothing. These fail the run. */
export interface WaiverError {
  readonly stack: string;
  readonly address: string;
  readonly constructPath: string;
  readonly rule: string;
  readonly message: string;
}

/** Everything evaluated for one stack. */
export interface StackResult {
  readonly stack: string;
  /** Path of the cdk.tf.json as given (posix separators). */
  readonly file: string;
  readonly resourceCount: number;
  readonly findings: readonly Finding[];
  readonly waiverErrors: readonly WaiverError[];
  /** Waivers found in the stack with what became of each. */
  readonly waivers: readonly WaiverEntry[];
}

/** A waiver in the register: where it is, and what it did. */
export interface WaiverEntry extends WaiverRecord {
  readonly address: string;
  readonly constructPath: string;
  readonly status: 'applied' | 'expired' | 'invalid' | 'unmatched';
}
