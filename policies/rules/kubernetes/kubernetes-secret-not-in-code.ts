import { fail, pass } from '../../engine/check';
import { isExpression } from '../../engine/resource';
import type { Rule } from '../../engine/types';

/** A Kubernetes Secret's values are not written literally in the configuration (and git). */
export const kubernetesSecretNotInCode: Rule = {
  id: 'kubernetes-secret-not-in-code',
  appliesTo: ['kubernetes_secret_v1', 'kubernetes_secret'],
  evaluate: (r) => {
    const literal: string[] = [];
    for (const field of ['data', 'binary_data']) {
      const v = r.attrs[field];
      if (typeof v !== 'object' || v === null) continue;
      for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
        if (!isExpression(value)) literal.push(`${field}.${key}`);
      }
    }
    return literal.length > 0
      ? fail(`literal secret values: ${literal.sort().join(', ')}`, 'data')
      : pass('no literal secret value');
  },
};
