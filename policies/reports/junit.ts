/**
 * JUnit XML for CI test tabs: one suite per stack, one test case per finding. FAIL is a
 * failure; WAIVED, UNKNOWN and NOT_APPLICABLE are skipped with the reason; PASS passes.
 */
import type { StackResult } from '../engine/types';
import { sortFindings } from './model';

const XML_SPECIAL = /[&<>"]/;

function xml(s: string): string {
  // Most values need no escaping; testing first saves four passes per value on large reports.
  if (!XML_SPECIAL.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** One stack's result as JUnit XML, in chunks (one per test case). */
export function* junitChunks(result: StackResult): Generator<string> {
  const findings = sortFindings(result.findings);
  const failures = findings.filter((f) => f.outcome === 'FAIL').length;
  const skipped = findings.filter((f) => f.outcome !== 'FAIL' && f.outcome !== 'PASS').length;
  yield* [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="policy" tests="${findings.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(result.stack)}" tests="${findings.length}" failures="${failures}" skipped="${skipped}" file="${xml(result.file)}">`,
  ].map((l) => `${l}\n`);
  for (const f of findings) {
    const name = `${f.address}${f.attribute ? ` ${f.attribute}` : ''}`;
    const open = `    <testcase classname="${xml(f.ruleId)}" name="${xml(name)}" file="${xml(result.file)}" line="${f.line}"`;
    if (f.outcome === 'PASS') {
      yield `${open}/>\n`;
      continue;
    }
    const lines = [`${open}>`];
    if (f.outcome === 'FAIL') {
      lines.push(
        `      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${f.constructPath}: ${f.message}`)}</failure>`,
      );
    } else {
      lines.push(`      <skipped message="${xml(`${f.outcome}: ${f.message}`)}"/>`);
    }
    lines.push('    </testcase>');
    yield `${lines.join('\n')}\n`;
  }
  yield '  </testsuite>\n</testsuites>\n';
}

/** Renders one stack's result as JUnit XML. */
export function renderJunit(result: StackResult): string {
  return [...junitChunks(result)].join('');
}
