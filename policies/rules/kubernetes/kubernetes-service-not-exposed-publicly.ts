import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

const INTERNAL = 'service.beta.kubernetes.io/azure-load-balancer-internal';

/**
 * Services stay inside the cluster network: no NodePort, and a LoadBalancer only with the
 * Azure internal load balancer annotation. Internet traffic enters through API Management.
 */
export const kubernetesServiceNotExposedPublicly: Rule = {
  id: 'kubernetes-service-not-exposed-publicly',
  appliesTo: ['kubernetes_service_v1', 'kubernetes_service'],
  evaluate: (r) => {
    const type = r.str('spec.type');
    if (type.state === 'unknown') return unknown(type.reason, 'spec.type');
    const kind = type.state === 'known' ? type.value : 'ClusterIP';
    if (kind === 'NodePort') return fail('NodePort opens the port on every node', 'spec.type');
    if (kind !== 'LoadBalancer') return pass(`type ${kind}`, 'spec.type');
    const annotations = r.get('metadata.annotations');
    if (annotations.state === 'unknown') return unknown(annotations.reason, 'metadata.annotations');
    const internal =
      annotations.state === 'known' &&
      String((annotations.value as Record<string, unknown>)[INTERNAL]) === 'true';
    return internal
      ? pass('internal load balancer', 'metadata.annotations')
      : fail(`public load balancer (no ${INTERNAL}: "true")`, 'metadata.annotations');
  },
};
