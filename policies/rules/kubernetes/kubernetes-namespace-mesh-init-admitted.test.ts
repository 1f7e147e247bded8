import { testRule } from '../../testing';
import { kubernetesNamespaceMeshInitAdmitted } from './kubernetes-namespace-mesh-init-admitted';

const ns = (labels: Record<string, string>) => ({
  'kubernetes_namespace_v1.iot': { metadata: { name: 'iot', labels } },
});
const ENFORCE = 'pod-security.kubernetes.io/enforce';

testRule(kubernetesNamespaceMeshInitAdmitted, {
  compliant: [
    // restricted moved to an admission policy; the label admits istio-init
    ns({
      'istio.io/rev': 'asm-1-29',
      [ENFORCE]: 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
    }),
    ns({ 'istio.io/rev': 'asm-1-29' }),
    // Istio CNI: pods get istio-validation, which restricted admits
    ns({
      'istio.io/rev': 'asm-1-30',
      [ENFORCE]: 'restricted',
      'iot.platform/istio-traffic-redirection': 'istio-cni',
    }),
  ],
  nonCompliant: [
    // the finding: the iot namespace as it was synthesized
    ns({ 'istio.io/rev': 'asm-1-29', [ENFORCE]: 'restricted' }),
    ns({ 'istio-injection': 'enabled', [ENFORCE]: 'baseline' }),
    ns({
      'istio.io/rev': 'asm-1-29',
      [ENFORCE]: 'restricted',
      'iot.platform/istio-traffic-redirection': 'init-containers',
    }),
  ],
  unknown: [
    { 'kubernetes_namespace_v1.iot': { metadata: { name: 'iot', labels: '${var.labels}' } } },
  ],
  notApplicable: [ns({ [ENFORCE]: 'restricted' }), ns({ 'istio-injection': 'disabled' })],
});
