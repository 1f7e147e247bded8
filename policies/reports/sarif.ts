/**
 * SARIF 2.1.0 for code-scanning tools: one result per finding with its location (the line of
 * the resource in cdk.tf.json), waivers as suppressions, UNKNOWN as kind `review`.
 */
import type { Finding, Pack, StackResult } from '../engine/types';
import { rulesUsed, sortFindings } from './model';
import { LazyArray, prettyJson } from './stream';

const KIND: Record<Finding['outcome'], string> = {
  FAIL: 'fail',
  WAIVED: 'fail',
  UNKNOWN: 'review',
  PASS: 'pass',
  NOT_APPLICABLE: 'notApplicable',
};

function level(f: Finding): string {
  if (f.outcome !== 'FAIL' && f.outcome !== 'WAIVED') return 'none';
  return f.severity === 'critical' || f.severity === 'high'
    ? 'error'
    : f.severity === 'medium'
      ? 'warning'
      : 'note';
}

/** Base id of every artifact location: the caller's working directory. */
export const URI_BASE_ID = 'SRCROOT';

/** One stack's result as a SARIF 2.1.0 log, in chunks. */
export function* sarifChunks(result: StackResult, packs: readonly Pack[]): Generator<string> {
  const rules = rulesUsed(packs, result);
  const index = new Map(rules.map((r, i) => [r.rule.id, i]));
  const findings = sortFindings(result.findings);
  // The file is relative to the folder the CLI ran in; SARIF gets it as a relative reference
  // against a base id whose absolute location is deliberately left out (no machine paths).
  const uri = result.file.split('/').map(encodeURIComponent).join('/');
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'iot-platform-policies',
            version: packs.map((p) => `${p.id}@${p.version}`).join('+'),
            rules: rules.map((r) => ({
              id: r.rule.id,
              name: r.rule.id,
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: r.remediation },
              defaultConfiguration: {
                level:
                  r.severity === 'critical' || r.severity === 'high'
                    ? 'error'
                    : r.severity === 'medium'
                      ? 'warning'
                      : 'note',
              },
              properties: {
                severity: r.severity,
                service: r.service,
                tags: Object.entries(r.controls ?? {}).flatMap(([fw, ids]) =>
                  ids.map((id) => `${fw}:${id}`),
                ),
              },
            })),
          },
        },
        automationDetails: { id: `policy/${result.stack}` },
        originalUriBaseIds: {
          [URI_BASE_ID]: {
            description: {
              text: 'The folder the policy CLI ran in (the repository root under npm run policy).',
            },
          },
        },
        results: LazyArray.of(findings, (f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId),
          kind: KIND[f.outcome],
          level: level(f),
          message: { text: `${f.address} (${f.constructPath}): ${f.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri, uriBaseId: URI_BASE_ID },
                region: { startLine: f.line },
              },
              logicalLocations: [{ fullyQualifiedName: f.address, kind: 'resource' }],
            },
          ],
          ...(f.outcome === 'WAIVED' && f.waiver
            ? {
                suppressions: [
                  {
                    kind: 'inSource',
                    status: 'accepted',
                    justification: f.waiver.reason,
                    properties: { owner: f.waiver.owner, expires: f.waiver.expires },
                  },
                ],
              }
            : {}),
          properties: {
            outcome: f.outcome,
            severity: f.severity,
            constructPath: f.constructPath,
            ...(f.attribute ? { attribute: f.attribute } : {}),
          },
        })),
      },
    ],
  };
  yield* prettyJson(log);
  yield '\n';
}

/** Renders one stack's result as a SARIF 2.1.0 log. */
export function renderSarif(result: StackResult, packs: readonly Pack[]): string {
  return [...sarifChunks(result, packs)].join('');
}
