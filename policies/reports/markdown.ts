/**
 * The auditor's report: summary by severity and framework, the waiver register, every finding
 * (passes included) and the control coverage matrix.
 */
import type { Pack, StackResult } from '../engine/types';
import { OUTCOMES, SEVERITIES } from '../engine/types';
import { coverage, sortFindings, summarise } from './model';

const CELL_SPECIAL = /[|\n]/;

function cell(s: string): string {
  // Most cells need no escaping; testing first saves two passes per cell on large reports.
  if (!CELL_SPECIAL.test(s)) return s;
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A line of the report. */
const nl = (s: string): string => `${s}\n`;

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

function* tableChunks(
  head: readonly string[],
  rows: Iterable<readonly string[]>,
): Generator<string> {
  yield `| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |\n`;
  for (const r of rows) yield `| ${r.map(cell).join(' | ')} |\n`;
}

/** One stack's result as Markdown, in chunks (one per finding in the findings table). */
export function* markdownChunks(result: StackResult, packs: readonly Pack[]): Generator<string> {
  const findings = sortFindings(result.findings);
  const summary = summarise(findings);
  const matrix = coverage(packs, findings);
  yield nl(`# Policy report: \`${result.stack}\``);
  yield nl('');
  yield nl(
    `Source \`${result.file}\` · ${result.resourceCount} resources · ${findings.length} findings · packs: ${packs
      .map((p) => `${p.id}@${p.version} (${p.rules.length} rules)`)
      .join(', ')}`,
  );
  yield nl('');
  yield nl(
    'Outcomes: **FAIL** violates the rule; **WAIVED** violates it under a valid waiver; **UNKNOWN** cannot be decided before apply (variables, computed values) and needs review; **PASS**; **N/A** the rule does not concern the resource as configured.',
  );
  yield nl('');
  yield nl('## Summary by severity');
  yield nl('');
  yield nl(
    table(
      ['severity', ...OUTCOMES.map((o) => OUTCOME_LABEL[o])],
      SEVERITIES.map((s) => [s, ...OUTCOMES.map((o) => String(summary[s][o]))]),
    ),
  );
  yield nl('');
  yield nl('## Summary by framework');
  yield nl('');
  yield nl(
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
  yield nl('');
  yield nl('## Waiver register');
  yield nl('');
  if (result.waivers.length === 0) yield nl('No waivers in this stack.');
  else {
    yield nl(
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
    yield nl('');
    yield nl('### Waiver errors');
    yield nl('');
    yield nl(
      table(
        ['rule', 'address', 'construct path', 'error'],
        result.waiverErrors.map((e) => [e.rule, e.address, e.constructPath, e.message]),
      ),
    );
  }
  yield nl('');
  yield nl('## Findings');
  yield nl('');
  yield* tableChunks(
    ['outcome', 'severity', 'rule', 'address', 'construct path', 'message'],
    (function* () {
      for (const f of findings) {
        yield [
          OUTCOME_LABEL[f.outcome],
          f.severity,
          f.ruleId,
          f.address,
          f.constructPath,
          f.message,
        ];
      }
    })(),
  );
  yield nl('');
  yield nl('## Control coverage matrix');
  yield nl('');
  yield nl(
    '`automated`: rules decide the control from configuration; `partial`: rules cover the configurable part, the rest needs process evidence; `manual`: no rule, evidence is collected outside this report. Status is the worst outcome of the mapped rules in this stack (`-`: no resource they apply to).',
  );
  for (const fw of matrix) {
    yield nl('');
    yield nl(`### ${fw.title}`);
    yield nl('');
    yield nl(
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
}

/** Renders one stack's result as Markdown. */
export function renderMarkdown(result: StackResult, packs: readonly Pack[]): string {
  return [...markdownChunks(result, packs)].join('');
}
