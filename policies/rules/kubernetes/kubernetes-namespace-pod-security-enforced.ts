import { judge, pass } from '../../engine/check';
import { ABSENT, known } from '../../engine/resource';
import type { RuleContext, Val } from '../../engine/resource';
import type { Rule } from '../../engine/types';
import { manifestsOfKind, stringMap } from './manifest';

const LABEL = 'pod-security.kubernetes.io/enforce';
/** Label of a ValidatingAdmissionPolicy that implements a Pod Security Standard. */
const STANDARD_LABEL = 'iot.platform/pod-security-standard';

/**
 * A ValidatingAdmissionPolicyBinding that denies, bound to the namespace by name, of a policy
 * labelled as enforcing baseline or restricted (e.g. restricted with the mesh's init container
 * exempted, where Pod Security Admission cannot exempt one container).
 */
function admissionPolicyEnforcing(ctx: RuleContext, namespace: string): string | undefined {
  const standards = new Map<string, string>();
  for (const p of manifestsOfKind(ctx, 'ValidatingAdmissionPolicy')) {
    const name = p.node.str('metadata.name');
    const level = stringMap(p.node, 'metadata.labels')?.[STANDARD_LABEL];
    if (name.state === 'known' && (level === 'baseline' || level === 'restricted'))
      standards.set(name.value, level);
  }
  for (const b of manifestsOfKind(ctx, 'ValidatingAdmissionPolicyBinding')) {
    const policy = b.node.str('spec.policyName');
    const actions = b.node.list('spec.validationActions');
    const selector = stringMap(b.node, 'spec.matchResources.namespaceSelector.matchLabels');
    if (
      policy.state === 'known' &&
      standards.has(policy.value) &&
      actions.state === 'known' &&
      actions.value.includes('Deny') &&
      selector?.['kubernetes.io/metadata.name'] === namespace
    ) {
      return `${standards.get(policy.value)} enforced by ValidatingAdmissionPolicy ${policy.value} (${b.resource.address})`;
    }
  }
  return undefined;
}

/**
 * The namespace enforces the baseline or restricted Pod Security Standard: through its
 * `enforce` label, or through a ValidatingAdmissionPolicy bound to it that implements one.
 */
export const kubernetesNamespacePodSecurityEnforced: Rule = {
  id: 'kubernetes-namespace-pod-security-enforced',
  appliesTo: ['kubernetes_namespace_v1', 'kubernetes_namespace'],
  evaluate: (r, ctx) => {
    // The label key holds dots and slashes, so it is read from the labels map, not by path.
    const labels = r.get('metadata.labels');
    let value: Val<string> = ABSENT;
    if (labels.state === 'unknown') value = labels;
    else if (
      labels.state === 'known' &&
      typeof labels.value === 'object' &&
      labels.value !== null
    ) {
      const v = (labels.value as Record<string, unknown>)[LABEL];
      if (v !== undefined) value = known(String(v));
    }
    const name = r.str('metadata.name');
    const byPolicy =
      name.state === 'known' &&
      !(value.state === 'known' && ['baseline', 'restricted'].includes(value.value))
        ? admissionPolicyEnforcing(ctx, name.value)
        : undefined;
    if (byPolicy) return pass(byPolicy);
    return judge(r, `metadata.labels["${LABEL}"]`, value, {
      test: (v) => ['baseline', 'restricted'].includes(v),
      expected: 'baseline or restricted',
    });
  },
};
