/**
 * Test helper for rules: numbered compliant / non-compliant (and unknown / not-applicable)
 * fixtures, each a tiny stack written as `{ 'type.name': attributes }`. The first resource
 * whose type the rule applies to is the one judged; the others are there for the graph.
 *
 * ```ts
 * testRule(keyVaultPurgeProtected, {
 *   compliant: [{ 'azurerm_key_vault.kv': { purge_protection_enabled: true } }],
 *   nonCompliant: [{ 'azurerm_key_vault.kv': {} }, { 'azurerm_key_vault.kv': { purge_protection_enabled: 'false' } }],
 * });
 * ```
 */
import type { StackDocument } from './engine/load';
import { StackIndex } from './engine/graph';
import { appliesToType } from './engine/types';
import type { Rule, Verdict } from './engine/types';

/**
 * A fixture: resources by Terraform address (`type.name`), attributes as cdktf writes them;
 * `variable.<name>` keys declare input variables (their body: `type`, `validation`, …).
 */
export type Fixture = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Builds Terraform JSON shaped like cdktf 0.21 output (with `//` metadata) from a fixture. */
export function fixtureJson(fixture: Fixture, stack = 'test'): Record<string, unknown> {
  const resource: Record<string, Record<string, unknown>> = {};
  const data: Record<string, Record<string, unknown>> = {};
  const variable: Record<string, unknown> = {};
  for (const [address, attrs] of Object.entries(fixture)) {
    if (address.startsWith('variable.')) {
      variable[address.slice('variable.'.length)] = attrs;
      continue;
    }
    const isData = address.startsWith('data.');
    const [type, name] = (isData ? address.slice(5) : address).split('.');
    const section = isData ? data : resource;
    section[type] = section[type] ?? {};
    const { '//': extra, ...rest } = attrs as Record<string, unknown>;
    section[type][name] = {
      '//': {
        metadata: { path: `${stack}/${name}`, uniqueId: name },
        ...(typeof extra === 'object' && extra !== null ? extra : {}),
      },
      ...rest,
    };
  }
  return {
    '//': { metadata: { backend: 'local', stackName: stack, version: '0.21.0' }, outputs: {} },
    terraform: { required_providers: { azurerm: { source: 'azurerm', version: '4.55.0' } } },
    ...(Object.keys(variable).length > 0 ? { variable } : {}),
    resource,
    ...(Object.keys(data).length > 0 ? { data } : {}),
  };
}

/** A stack document for a fixture, as `loadStacks` would return it. */
export function fixtureDocument(fixture: Fixture, stack = 'test'): StackDocument {
  const json = fixtureJson(fixture, stack);
  const lines = new Map<string, number>();
  Object.keys(fixture).forEach((address, i) => lines.set(address, i + 1));
  return { name: stack, file: `${stack}/cdk.tf.json`, json, lines };
}

/** Runs one rule on the first resource of the fixture it applies to. */
export function runRule(rule: Rule, fixture: Fixture): readonly Verdict[] {
  const index = new StackIndex(fixtureDocument(fixture));
  const subject = index.all.find((r) => !r.isData && appliesToType(rule, r.type));
  if (!subject) throw new Error(`fixture has no resource of ${rule.appliesTo.join(', ')}`);
  const v = rule.evaluate(subject, index);
  return Array.isArray(v) ? v : [v as Verdict];
}

/** Cases for {@link testRule}; each list is numbered from 1 in test names. */
export interface RuleCases {
  /** Every verdict must be PASS. */
  readonly compliant: readonly Fixture[];
  /** At least one verdict must be FAIL. */
  readonly nonCompliant: readonly Fixture[];
  /** At least one UNKNOWN and no FAIL, and never all PASS. */
  readonly unknown?: readonly Fixture[];
  /** Every verdict must be NOT_APPLICABLE. */
  readonly notApplicable?: readonly Fixture[];
}

function describeVerdicts(v: readonly Verdict[]): string {
  return v.map((x) => `${x.outcome}: ${x.message}`).join('\n');
}

/** Registers jest tests for a rule: one per numbered case. */
export function testRule(rule: Rule, cases: RuleCases): void {
  describe(rule.id, () => {
    cases.compliant.forEach((f, i) => {
      it(`passes compliant #${i + 1}`, () => {
        const v = runRule(rule, f);
        expect({ outcomes: v.map((x) => x.outcome), detail: describeVerdicts(v) }).toEqual({
          outcomes: v.map(() => 'PASS'),
          detail: expect.any(String),
        });
      });
    });
    cases.nonCompliant.forEach((f, i) => {
      it(`fails non-compliant #${i + 1}`, () => {
        const v = runRule(rule, f);
        expect(v.some((x) => x.outcome === 'FAIL') ? 'has FAIL' : describeVerdicts(v)).toBe(
          'has FAIL',
        );
      });
    });
    (cases.unknown ?? []).forEach((f, i) => {
      it(`is unknown for #${i + 1}`, () => {
        const v = runRule(rule, f);
        const ok = v.some((x) => x.outcome === 'UNKNOWN') && !v.some((x) => x.outcome === 'FAIL');
        expect(ok ? 'UNKNOWN' : describeVerdicts(v)).toBe('UNKNOWN');
      });
    });
    (cases.notApplicable ?? []).forEach((f, i) => {
      it(`is not applicable for #${i + 1}`, () => {
        const v = runRule(rule, f);
        expect(v.map((x) => x.outcome)).toEqual(v.map(() => 'NOT_APPLICABLE'));
      });
    });
  });
}
