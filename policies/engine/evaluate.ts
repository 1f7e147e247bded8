/**
 * Evaluation: every applicable rule of every pack on every resource, then waivers.
 * Rules are looked up by resource type (one map), and cross-resource queries go through the
 * stack index built once, so time grows with resources × rules-per-type, not rules × resources².
 */
import { StackIndex } from './graph';
import type { StackDocument } from './load';
import type { Resource } from './resource';
import type {
  Finding,
  Pack,
  PackRule,
  StackResult,
  Verdict,
  WaiverEntry,
  WaiverError,
  WaiverRecord,
} from './types';
import { ALL_TYPES, UNJUDGED_TYPES, appliesToType } from './types';
import { waiverProblems } from '../waiver';

/** Options for one evaluation. */
export interface EvaluateOptions {
  /** Day waivers are checked against, `YYYY-MM-DD`. @default - today (UTC) */
  readonly today?: string;
}

/** Raised for packs that cannot be used together (duplicate rule ids). */
export class PackError extends Error {}

interface IndexedRule extends PackRule {
  readonly packId: string;
}

/** Rules of several packs indexed by resource type and id. */
export class RuleSet {
  readonly byType = new Map<string, IndexedRule[]>();
  readonly byId = new Map<string, IndexedRule>();
  /** Rules whose `appliesTo` is `['*']`: evaluated on every resource type. */
  readonly everyType: IndexedRule[] = [];
  /**
   * Coverage rules (`appliesTo: ['(unjudged)']`): evaluated on a resource only when no
   * type-specific rule judges its type (rules for every type do not count: they know nothing
   * of the type).
   */
  readonly unjudged: IndexedRule[] = [];

  constructor(readonly packs: readonly Pack[]) {
    for (const pack of packs) {
      for (const r of pack.rules) {
        if (this.byId.has(r.rule.id)) {
          throw new PackError(
            `rule ${r.rule.id} is defined twice (packs ${this.byId.get(r.rule.id)!.packId} and ${pack.id})`,
          );
        }
        const indexed = { ...r, packId: pack.id };
        this.byId.set(r.rule.id, indexed);
        if (r.rule.appliesTo.includes(ALL_TYPES)) {
          this.everyType.push(indexed);
          continue;
        }
        if (r.rule.appliesTo.includes(UNJUDGED_TYPES)) {
          this.unjudged.push(indexed);
          continue;
        }
        for (const type of r.rule.appliesTo) {
          const list = this.byType.get(type) ?? [];
          list.push(indexed);
          this.byType.set(type, list);
        }
      }
    }
  }
}

function toList(v: Verdict | readonly Verdict[]): readonly Verdict[] {
  return Array.isArray(v) ? v : [v as Verdict];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Evaluates one stack against a rule set. */
export function evaluateStack(
  doc: StackDocument,
  rules: RuleSet,
  options: EvaluateOptions = {},
): StackResult {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const index = new StackIndex(doc);
  const findings: Finding[] = [];
  const waiverErrors: WaiverError[] = [];
  const waivers: WaiverEntry[] = [];
  let resourceCount = 0;

  for (const resource of index.all) {
    if (resource.isData) continue;
    resourceCount++;
    const forType = rules.byType.get(resource.type) ?? [];
    const applicable =
      forType.length === 0
        ? [...rules.everyType, ...rules.unjudged]
        : rules.everyType.length > 0
          ? [...forType, ...rules.everyType]
          : forType;
    const own: Finding[] = [];
    for (const pr of applicable) {
      let verdicts: readonly Verdict[];
      try {
        verdicts = toList(pr.rule.evaluate(resource, index));
      } catch (e) {
        throw new Error(
          `rule ${pr.rule.id} failed on ${resource.address}: ${(e as Error).message}`,
        );
      }
      for (const v of verdicts) {
        own.push({
          stack: doc.name,
          ruleId: pr.rule.id,
          packId: pr.packId,
          title: pr.title,
          severity: pr.severity,
          service: pr.service,
          outcome: v.outcome,
          address: resource.address,
          resourceType: resource.type,
          constructPath: resource.constructPath,
          message: v.message,
          ...(v.attribute ? { attribute: v.attribute } : {}),
          line: resource.line,
        });
      }
    }
    applyWaivers(resource, own, rules, today, doc.name, waiverErrors, waivers);
    findings.push(...own);
  }

  findings.sort(
    (a, b) =>
      compare(a.address, b.address) ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.attribute ?? '', b.attribute ?? '') ||
      compare(a.message, b.message),
  );
  waivers.sort((a, b) => compare(a.address, b.address) || compare(a.rule, b.rule));
  waiverErrors.sort((a, b) => compare(a.address, b.address) || compare(a.rule, b.rule));
  return { stack: doc.name, file: doc.file, resourceCount, findings, waiverErrors, waivers };
}

function applyWaivers(
  resource: Resource,
  own: Finding[],
  rules: RuleSet,
  today: string,
  stack: string,
  errors: WaiverError[],
  register: WaiverEntry[],
): void {
  const raw = resource.rawWaivers;
  if (raw === undefined) return;
  const base = { stack, address: resource.address, constructPath: resource.constructPath };
  if (!Array.isArray(raw)) {
    errors.push({ ...base, rule: '(none)', message: '//.waivers must be a list of waivers' });
    return;
  }
  const seen = new Set<string>();
  for (const item of raw as Record<string, unknown>[]) {
    const w: WaiverRecord = {
      rule: String(item?.rule ?? ''),
      reason: String(item?.reason ?? ''),
      owner: String(item?.owner ?? ''),
      expires: String(item?.expires ?? ''),
    };
    const entry = (status: WaiverEntry['status']): WaiverEntry => ({
      ...w,
      address: resource.address,
      constructPath: resource.constructPath,
      status,
    });
    const error = (message: string) => {
      errors.push({ ...base, rule: w.rule, message });
      register.push(entry('invalid'));
    };
    const problems = waiverProblems(item ?? {});
    if (problems.length > 0) {
      error(`invalid waiver: ${problems.join('; ')}`);
      continue;
    }
    if (seen.has(w.rule)) {
      error(`rule ${w.rule} is waived twice on this resource`);
      continue;
    }
    seen.add(w.rule);
    const pr = rules.byId.get(w.rule);
    if (!pr) {
      error(`waiver names rule ${w.rule}, which no loaded pack defines`);
      continue;
    }
    if (!appliesToType(pr.rule, resource.type)) {
      error(`waiver for ${w.rule} matches nothing: the rule does not apply to ${resource.type}`);
      continue;
    }
    if (pr.unwaivable) {
      error(`rule ${w.rule} is unwaivable (${pr.severity}); fix the configuration instead`);
      continue;
    }
    const targets = own
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.ruleId === w.rule && (f.outcome === 'FAIL' || f.outcome === 'UNKNOWN'));
    if (targets.length === 0) {
      errors.push({
        ...base,
        rule: w.rule,
        message: `waiver for ${w.rule} matches nothing: the rule reports no failure here, remove the waiver`,
      });
      register.push(entry('unmatched'));
      continue;
    }
    const expired = today > w.expires;
    for (const { f, i } of targets) {
      own[i] = expired
        ? {
            ...f,
            outcome: 'FAIL',
            message: `${f.message}; waiver expired on ${w.expires} (owner ${w.owner})`,
            waiver: w,
          }
        : { ...f, outcome: 'WAIVED', message: `${f.message}; waived: ${w.reason}`, waiver: w };
    }
    register.push(entry(expired ? 'expired' : 'applied'));
  }
}

/** Evaluates several stacks. */
export function evaluateStacks(
  docs: readonly StackDocument[],
  rules: RuleSet,
  options: EvaluateOptions = {},
): StackResult[] {
  return docs.map((d) => evaluateStack(d, rules, options));
}
