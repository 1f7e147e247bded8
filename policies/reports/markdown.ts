/**
 * The auditor's report: summary by severity and framework, the waiver register, every finding
 * (passes included) and the control coverage matrix.
 */
import type { Pack, StackResult } from '../engine/types';
import { OUTCOMES, SEVERITIES } from '../engine/types';
import { coverage, sortFindings, summarise } from './model';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const OUTCOME_LABEL: Record<string, string> = {
  FAIL: 'FAIL',
  WAIVED: 'WAIVED',
  UNKNOWN: 'UNKNOWN',
  PASS: 'PASS',
  NOT_APPLICABLE: 'N/A',
};

/** Renders one stack's result as Markdown. */
export function renderMarkdown(result: StackResult, packs: readonly Pack[]): string {
  const findings = sortFindings(result.findings);
  const summary = summarise(findings);
  const matrix = coverage(packs, findings);
  const out: string[] = [];
  out.push(`# Policy report: \`${result.stack}\``);
  out.push('');
  out.push(
    `Source \`${result.file}\` · ${result.resourceCount} resources · ${findings.length} findings · packs: ${packs
      .map((p) => `${p.id}@${p.version} (${p.rules.length} rules)`)
      .join(', ')}`,
  );
  out.push('');
  out.push(
    'Outcomes: **FAIL** violates the rule; **WAIVED** violates it under a valid waiver; **UNKNOWN** cannot be decided before apply (variables, computed values) and needs review; **PASS**; **N/A** the rule does not concern the resource as configured.',
  );
  out.push('');
  out.push('## Summary by severity');
  out.push('');
  out.push(
    table(
      ['severity', ...OUTCOMES.map((o) => OUTCOME_LABEL[o])],
      SEVERITIES.map((s) => [s, ...OUTCOMES.map((o) => String(summary[s][o]))]),
    ),
  );
  out.push('');
  out.push('## Summary by framework');
  out.push('');
  out.push(
    table(
      ['framework', 'controls', 'automated', 'partial', 'manual', 'failing', 'waived', 'unknown'],
      matrix.map((fw) => {
        const n = (f: (c: (typeof fw.controls)[number]) => boolean) =>
          String(fw.controls.filter(f).length);
        return [
          fw.title,
          String(fw.controls.length),
          n((c) => c.coverage === 'automated'),
          n((c) => c.coverage === 'partial'),
          n((c) => c.coverage === 'manual'),
          n((c) => c.status === 'FAIL'),
          n((c) => c.status === 'WAIVED'),
          n((c) => c.status === 'UNKNOWN'),
        ];
      }),
    ),
  );
  out.push('');
  out.push('## Waiver register');
  out.push('');
  if (result.waivers.length === 0) out.push('No waivers in this stack.');
  else {
    out.push(
      table(
        ['rule', 'address', 'construct path', 'owner', 'expires', 'status', 'reason'],
        result.waivers.map((w) => [
          w.rule,
          w.address,
          w.constructPath,
          w.owner,
          w.expires,
          w.status,
          w.reason,
        ]),
      ),
    );
  }
  if (result.waiverErrors.length > 0) {
    out.push('');
    out.push('### Waiver errors');
    out.push('');
    out.push(
      table(
        ['rule', 'address', 'construct path', 'error'],
        result.waiverErrors.map((e) => [e.rule, e.address, e.constructPath, e.message]),
      ),
    );
  }
  out.push('');
  out.push('## Findings');
  out.push('');
  out.push(
    table(
      ['outcome', 'severity', 'rule', 'address', 'construct path', 'message'],
      findings.map((f) => [
        OUTCOME_LABEL[f.outcome],
        f.severity,
        f.ruleId,
        f.address,
        f.constructPath,
        f.message,
      ]),
    ),
  );
  out.push('');
  out.push('## Control coverage matrix');
  out.push('');
  out.push(
    '`automated`: rules decide the control from configuration; `partial`: rules cover the configurable part, the rest needs process evidence; `manual`: no rule, evidence is collected outside this report. Status is the worst outcome of the mapped rules in this stack (`-`: no resource they apply to).',
  );
  for (const fw of matrix) {
    out.push('');
    out.push(`### ${fw.title}`);
    out.push('');
    out.push(
      table(
        ['control', 'title', 'coverage', 'status', 'rules'],
        fw.controls.map((c) => [
          c.id,
          c.title,
          c.coverage,
          c.status === '-' ? '-' : OUTCOME_LABEL[c.status],
          c.rules.join(', '),
        ]),
      ),
    );
  }
  out.push('');
  return out.join('\n');
}
