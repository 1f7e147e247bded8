/**
 * What every report format shares: a deterministic order, summaries by outcome, severity and
 * framework, and the control coverage matrix. No timestamps or absolute paths, so a report
 * changes only when the configuration, the packs or a waiver's state changes.
 */
import { FRAMEWORKS } from '../frameworks';
import type { Framework } from '../frameworks';
import type { Finding, Outcome, Pack, PackRule, Severity, StackResult } from '../engine/types';
import { OUTCOMES, SEVERITIES, severityRank } from '../engine/types';

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const sorted = new WeakMap<readonly Finding[], Finding[]>();

/**
 * Report order: what needs action first (outcome, severity), then address, rule, attribute.
 * Every report sorts the same list: it is sorted once and the result shared (read-only).
 */
export function sortFindings(findings: readonly Finding[]): readonly Finding[] {
  const hit = sorted.get(findings);
  if (hit) return hit;
  const out = [...findings].sort(
    (a, b) =>
      OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) ||
      severityRank(a.severity) - severityRank(b.severity) ||
      compare(a.address, b.address) ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.attribute ?? '', b.attribute ?? '') ||
      compare(a.message, b.message),
  );
  sorted.set(findings, out);
  return out;
}

/** Count of findings per severity and outcome. */
export type SeveritySummary = Record<Severity, Record<Outcome, number>>;

/** Counts findings by severity and outcome. */
export function summarise(findings: readonly Finding[]): SeveritySummary {
  const out = {} as SeveritySummary;
  for (const s of SEVERITIES) {
    out[s] = { FAIL: 0, WAIVED: 0, UNKNOWN: 0, PASS: 0, NOT_APPLICABLE: 0 };
  }
  for (const f of findings) out[f.severity][f.outcome]++;
  return out;
}

/** Coverage of one control: how it is checked and what the stack's findings say. */
export interface ControlCoverage {
  readonly id: string;
  readonly title: string;
  readonly coverage: 'automated' | 'partial' | 'manual';
  readonly rules: readonly string[];
  /** Worst outcome across the mapped rules' findings in this stack, or `-` when none apply. */
  readonly status: Outcome | '-';
}

/** Coverage matrix of one framework. */
export interface FrameworkCoverage {
  readonly id: string;
  readonly title: string;
  readonly controls: readonly ControlCoverage[];
}

/** Natural order of control ids (`3.2` before `3.10`, `NS-2` before `NS-10`). */
export function compareControlIds(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const c = !isNaN(nx) && !isNaN(ny) && x !== '' && y !== '' ? nx - ny : compare(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/** The coverage matrix of every known framework for one stack's findings. */
export function coverage(
  packs: readonly Pack[],
  findings: readonly Finding[],
): FrameworkCoverage[] {
  const rules: PackRule[] = packs.flatMap((p) => p.rules);
  // Outcomes seen per rule: one pass over the findings (copying a list per finding was
  // quadratic on large stacks).
  const byRule = new Map<string, Set<Outcome>>();
  for (const f of findings) {
    const seen = byRule.get(f.ruleId);
    if (seen) seen.add(f.outcome);
    else byRule.set(f.ruleId, new Set([f.outcome]));
  }
  return FRAMEWORKS.map((fw: Framework) => ({
    id: fw.id,
    title: fw.title,
    controls: [...fw.controls]
      .sort((a, b) => compareControlIds(a.id, b.id))
      .map((control) => {
        const mapped = rules
          .filter((r) => r.controls?.[fw.id]?.includes(control.id))
          .map((r) => r.rule.id)
          .sort();
        const status = OUTCOMES.find((o) => mapped.some((id) => byRule.get(id)?.has(o))) ?? '-';
        const cov: ControlCoverage['coverage'] =
          mapped.length === 0 ? 'manual' : control.kind === 'process' ? 'partial' : 'automated';
        return { id: control.id, title: control.title, coverage: cov, rules: mapped, status };
      }),
  }));
}

/** Metadata of the rules that produced findings in a result, by id, sorted. */
export function rulesUsed(packs: readonly Pack[], result: StackResult): PackRule[] {
  const ids = new Set(result.findings.map((f) => f.ruleId));
  return packs
    .flatMap((p) => p.rules)
    .filter((r) => ids.has(r.rule.id))
    .sort((a, b) => compare(a.rule.id, b.rule.id));
}
