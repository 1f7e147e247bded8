/** The JSON report: everything, sorted, for machines and for diffing. */
import type { Pack, StackResult } from '../engine/types';
import { coverage, sortFindings, summarise } from './model';
import { LazyArray, prettyJson } from './stream';

/** The JSON report of one stack as chunks (pretty-printed, deterministic). */
export function* jsonChunks(result: StackResult, packs: readonly Pack[]): Generator<string> {
  const findings = sortFindings(result.findings);
  const report = {
    schema: 'iot-platform/policy-report@1',
    stack: result.stack,
    file: result.file,
    packs: packs.map((p) => ({ id: p.id, version: p.version, rules: p.rules.length })),
    resources: result.resourceCount,
    summary: summarise(findings),
    waiverErrors: result.waiverErrors,
    waivers: result.waivers,
    coverage: coverage(packs, findings),
    findings: LazyArray.of(findings, (f) => f),
  };
  yield* prettyJson(report);
  yield '\n';
}

/** Renders one stack's result as pretty-printed, deterministic JSON. */
export function renderJson(result: StackResult, packs: readonly Pack[]): string {
  return [...jsonChunks(result, packs)].join('');
}
