import { Testing } from 'cdktf';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { testScope } from '../../test/construct-helpers';
import { KubernetesWorkload } from './kubernetes-workload';
import type { KubernetesWorkloadProps } from './kubernetes-workload';

const base: KubernetesWorkloadProps = {
  namespace: 'iot',
  name: 'ingest',
  image: 'acrexample.azurecr.io/iot/ingest:1.0.0',
  resources: { cpuRequest: '250m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
};

function synth(props: Partial<KubernetesWorkloadProps> = {}): string {
  const { stack } = testScope();
  new KubernetesWorkload(stack, 'Workload', { ...base, ...props });
  return Testing.synth(stack);
}

describe('KubernetesWorkload', () => {
  it('runs restricted by default: non-root, read-only root, no escalation, caps dropped, seccomp', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(DeploymentV1, {
      spec: expect.objectContaining({
        replicas: '2',
        template: expect.objectContaining({
          spec: expect.objectContaining({
            automount_service_account_token: false,
            security_context: expect.objectContaining({
              run_as_non_root: true,
              seccomp_profile: { type: 'RuntimeDefault' },
            }),
            container: [
              expect.objectContaining({
                security_context: {
                  allow_privilege_escalation: false,
                  capabilities: { drop: ['ALL'] },
                  privileged: false,
                  read_only_root_filesystem: true,
                  run_as_non_root: true,
                },
                liveness_probe: expect.objectContaining({
                  http_get: { path: '/livez', port: 'http' },
                }),
                readiness_probe: expect.objectContaining({
                  http_get: { path: '/readyz', port: 'http' },
                }),
                resources: {
                  limits: { memory: '512Mi' },
                  requests: { cpu: '250m', memory: '256Mi' },
                },
              }),
            ],
          }),
        }),
      }),
    });
    expect(out).toHaveResourceWithProperties(ServiceAccountV1, {
      automount_service_account_token: false,
    });
    expect(out).toHaveResource(PodDisruptionBudgetV1);
  });

  it('wires workload identity through the service account annotation and pod label', () => {
    const out = synth({ workloadIdentityClientId: 'client-123' });
    expect(out).toHaveResourceWithProperties(ServiceAccountV1, {
      metadata: expect.objectContaining({
        annotations: { 'azure.workload.identity/client-id': 'client-123' },
      }),
    });
    expect(out).toContain('"azure.workload.identity/use": "true"');
  });

  it('opens only the listed flows', () => {
    const out = synth({
      allowIngressFrom: [{ cidr: '10.0.2.0/24', ports: [8080] }],
      allowEgressTo: [{ cidr: '10.0.3.0/24', ports: [9093] }],
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      spec: expect.objectContaining({
        policy_types: ['Ingress'],
        ingress: [
          {
            from: [{ ip_block: { cidr: '10.0.2.0/24' } }],
            ports: [{ port: '8080', protocol: 'TCP' }],
          },
        ],
      }),
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      spec: expect.objectContaining({
        policy_types: ['Egress'],
        egress: [
          {
            ports: [{ port: '9093', protocol: 'TCP' }],
            to: [{ ip_block: { cidr: '10.0.3.0/24' } }],
          },
        ],
      }),
    });
  });

  it('adds a cpu autoscaler when maxReplicas is set', () => {
    expect(synth({ maxReplicas: 6 })).toHaveResourceWithProperties(HorizontalPodAutoscalerV2, {
      spec: expect.objectContaining({ min_replicas: 2, max_replicas: 6 }),
    });
  });

  it.each([
    [
      'image',
      { image: 'acrexample.azurecr.io/iot/ingest:latest' },
      /invalid image ".*:latest": the mutable tag "latest"/,
    ],
    [
      'image',
      { image: 'ingest' },
      /invalid image "ingest": an image is registry\/repository pinned/,
    ],
    ['name', { name: 'Ingest_1' }, /invalid name "Ingest_1"/],
    ['replicas', { replicas: 0 }, /invalid replicas 0: allowed is an integer from 1 to 100/],
    [
      'maxReplicas',
      { replicas: 3, maxReplicas: 2 },
      /invalid maxReplicas 2: allowed is an integer from 3 to 300/,
    ],
    ['port', { port: 80 }, /invalid port 80/],
  ])('rejects a bad %s naming it', (_p, props, msg) => {
    expect(() => synth(props)).toThrow(msg);
  });
});
