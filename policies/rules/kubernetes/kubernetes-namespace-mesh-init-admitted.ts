import { notApplicable, pass, fail, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { stringMap } from './manifest';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
/** Namespace label naming the mesh's traffic redirection (see WorkloadNamespace). */
const REDIRECTION = 'iot.platform/istio-traffic-redirection';

/**
 * A namespace with Istio sidecar injection does not enforce, through Pod Security Admission, a
 * standard that rejects the injected `istio-init` container (NET_ADMIN, NET_RAW, uid 0: both
 * baseline and restricted refuse it), or every pod of the namespace is refused. Passes when the
 * mesh redirects with Istio CNI (no `istio-init`) or the namespace label does not enforce
 * baseline/restricted (enforcement then belongs to an admission policy that can exempt one
 * container, which `kubernetes-namespace-pod-security-enforced` checks).
 */
export const kubernetesNamespaceMeshInitAdmitted: Rule = {
  id: 'kubernetes-namespace-mesh-init-admitted',
  appliesTo: ['kubernetes_namespace_v1', 'kubernetes_namespace'],
  evaluate: (r) => {
    const raw = r.get('metadata.labels');
    if (raw.state === 'unknown')
      return unknown('namespace labels are an expression', 'metadata.labels');
    const labels = stringMap(r, 'metadata.labels') ?? {};
    const meshed = labels['istio.io/rev'] !== undefined || labels['istio-injection'] === 'enabled';
    if (!meshed) return notApplicable('no Istio sidecar injection');
    if (labels[REDIRECTION] === 'istio-cni') {
      return pass('the mesh redirects traffic with Istio CNI: pods carry no istio-init');
    }
    const level = labels[ENFORCE];
    if (level === 'baseline' || level === 'restricted') {
      return fail(
        `Pod Security Admission enforces "${level}", which rejects the injected istio-init (NET_ADMIN, NET_RAW, uid 0): no pod of the namespace can start`,
        `metadata.labels["${ENFORCE}"]`,
      );
    }
    return pass(`the namespace label enforces "${level ?? 'privileged'}": istio-init is admitted`);
  },
};
