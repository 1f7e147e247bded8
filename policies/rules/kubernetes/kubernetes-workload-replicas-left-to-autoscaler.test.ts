import { testRule } from '../../testing';
import { kubernetesWorkloadReplicasLeftToAutoscaler } from './kubernetes-workload-replicas-left-to-autoscaler';

const deployment = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'analysis', namespace: 'iot' },
  spec: { selector: { match_labels: { app: 'analysis' } }, ...spec },
  ...extra,
});
const hpa = (name = 'analysis', namespace = 'iot') => ({
  metadata: { name, namespace },
  spec: {
    min_replicas: 2,
    max_replicas: 8,
    scale_target_ref: { api_version: 'apps/v1', kind: 'Deployment', name },
  },
});
const scaledObject = (target: string, namespace: string) => ({
  manifest: {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: target, namespace },
    spec: { scaleTargetRef: { name: target }, minReplicaCount: 2, maxReplicaCount: 8 },
  },
});
const HPA = 'kubernetes_horizontal_pod_autoscaler_v2.a';
const DEP = 'kubernetes_deployment_v1.analysis';

testRule(kubernetesWorkloadReplicasLeftToAutoscaler, {
  compliant: [
    { [DEP]: deployment(), [HPA]: hpa() },
    { [DEP]: deployment(), 'kubernetes_manifest.so': scaledObject('analysis', 'iot') },
    // the namespace referenced through the graph
    {
      [DEP]: deployment(),
      'kubernetes_namespace_v1.iot': { metadata: [{ name: 'iot' }] },
      'kubernetes_manifest.so': scaledObject(
        'analysis',
        '${kubernetes_namespace_v1.iot.metadata[0].name}',
      ),
    },
    {
      [DEP]: deployment({ replicas: '2' }, { lifecycle: { ignore_changes: ['spec[0].replicas'] } }),
      [HPA]: hpa(),
    },
  ],
  nonCompliant: [
    // the finding: replicas from the environment plus an autoscaler on the same deployment
    { [DEP]: deployment({ replicas: '3' }), [HPA]: hpa() },
    {
      [DEP]: deployment({ replicas: '3' }),
      'kubernetes_manifest.so': scaledObject('analysis', 'iot'),
    },
  ],
  unknown: [
    {
      [DEP]: deployment({ replicas: '3' }),
      'kubernetes_manifest.so': scaledObject('analysis', '${var.namespace}'),
    },
  ],
  notApplicable: [
    { [DEP]: deployment({ replicas: '3' }) },
    { [DEP]: deployment({ replicas: '3' }), [HPA]: hpa('analysis', 'other') },
    { [DEP]: deployment({ replicas: '3' }), [HPA]: hpa('ingest') },
  ],
});
