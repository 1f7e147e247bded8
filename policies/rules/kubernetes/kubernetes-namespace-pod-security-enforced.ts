import { judge } from '../../engine/check';
import { ABSENT, known } from '../../engine/resource';
import type { Val } from '../../engine/resource';
import type { Rule } from '../../engine/types';

const LABEL = 'pod-security.kubernetes.io/enforce';

/** The namespace enforces the baseline or restricted Pod Security Standard. */
export const kubernetesNamespacePodSecurityEnforced: Rule = {
  id: 'kubernetes-namespace-pod-security-enforced',
  appliesTo: ['kubernetes_namespace_v1', 'kubernetes_namespace'],
  evaluate: (r) => {
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
    return judge(r, `metadata.labels["${LABEL}"]`, value, {
      test: (v) => ['baseline', 'restricted'].includes(v),
      expected: 'baseline or restricted',
    });
  },
};
