import { Testing } from 'cdktf';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { testScope } from '../../test/construct-helpers';
import { KubernetesWorkload } from './kubernetes-workload';
import { AKS_INTERNAL_INGRESS_GATEWAY } from './mesh-policies';
import { WorkloadNamespace } from './workload-namespace';
import { SecretProviderClass } from './secret-provider-class';
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

  interface PodSpec {
    volume: unknown[];
    container: { volume_mount: unknown[] }[];
  }
  interface DeploymentSpec {
    replicas?: string;
    template: { spec: PodSpec };
  }
  interface Synthesized {
    resource: {
      kubernetes_deployment_v1: Record<string, { spec: DeploymentSpec }>;
      kubernetes_manifest?: Record<string, { manifest: { kind: string; spec: unknown } }>;
    };
  }
  const deploymentSpec = (out: string) =>
    Object.values((JSON.parse(out) as Synthesized).resource.kubernetes_deployment_v1)[0].spec;
  const manifestsOf = (out: string, kind: string) =>
    Object.values((JSON.parse(out) as Synthesized).resource.kubernetes_manifest ?? {})
      .map((m) => m.manifest)
      .filter((m) => m.kind === kind);

  // The finding: replicas in the deployment reset the autoscaler's count on every apply.
  it('adds a cpu autoscaler when maxReplicas is set and leaves replicas to it', () => {
    const out = synth({ maxReplicas: 6 });
    expect(out).toHaveResourceWithProperties(HorizontalPodAutoscalerV2, {
      spec: expect.objectContaining({ min_replicas: 2, max_replicas: 6 }),
    });
    expect(deploymentSpec(out)).not.toHaveProperty('replicas');
    expect(deploymentSpec(synth())).toHaveProperty('replicas', '2');
  });

  it('scales on kafka lag and cpu with KEDA, the CA handed over by a trigger authentication', () => {
    const out = synth({
      replicas: 2,
      maxReplicas: 10,
      kafkaLag: {
        bootstrapServers: 'b0:9093',
        consumerGroup: 'analysis',
        topics: ['telemetry.raw'],
        tlsCaSecret: { name: 'analysis-kafka-ca', key: 'ca.pem' },
      },
    });
    expect(out).not.toHaveResource(HorizontalPodAutoscalerV2);
    expect(deploymentSpec(out)).not.toHaveProperty('replicas');
    const [scaled] = manifestsOf(out, 'ScaledObject');
    expect(scaled.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'ingest' },
      minReplicaCount: 2,
      maxReplicaCount: 10,
      triggers: [
        { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: 'b0:9093',
            consumerGroup: 'analysis',
            topic: 'telemetry.raw',
            tls: 'enable',
          },
          authenticationRef: { name: 'ingest-kafka' },
        },
      ],
    });
    expect(manifestsOf(out, 'TriggerAuthentication')[0].spec).toEqual({
      secretTargetRef: [{ parameter: 'ca', name: 'analysis-kafka-ca', key: 'ca.pem' }],
    });
  });

  // The finding: default-deny egress left workload identity without Entra ID.
  it('lets a workload identity reach Entra ID, and only the hosts it names besides', () => {
    const out = synth({
      workloadIdentityClientId: 'client-123',
      allowEgressToHosts: ['hooks.contoso.com'],
    });
    const [policy] = manifestsOf(out, 'CiliumNetworkPolicy');
    expect(policy.spec).toMatchObject({
      egress: [
        expect.anything(),
        {
          toFQDNs: [{ matchName: 'hooks.contoso.com' }, { matchName: 'login.microsoftonline.com' }],
          toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
        },
      ],
    });
    expect(manifestsOf(synth(), 'CiliumNetworkPolicy')).toEqual([]);
  });

  it('in the mesh, admits callers by mTLS identity and is scraped on the sidecar port', () => {
    const out = synth({
      mesh: true,
      allowIngressFrom: [
        {
          namespace: 'aks-istio-ingress',
          podLabels: { istio: 'aks-istio-ingressgateway-internal' },
          serviceAccount: 'aks-istio-ingressgateway-internal',
          ports: [8080],
        },
      ],
      metricsScrapedFrom: { namespace: 'kube-system' },
    });
    expect(manifestsOf(out, 'AuthorizationPolicy')[0].spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/name': 'ingest' }) },
      rules: [
        {
          from: [
            {
              source: {
                principals: [
                  'cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-internal',
                ],
              },
            },
          ],
          to: [{ operation: { ports: ['8080'] } }],
        },
      ],
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      spec: expect.objectContaining({
        ingress: expect.arrayContaining([
          {
            from: [
              {
                namespace_selector: {
                  match_labels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
              },
            ],
            ports: [{ port: '15020', protocol: 'TCP' }],
          },
        ]),
      }),
    });
  });

  it('mounts key vault secrets through the CSI driver after the class exists', () => {
    const { stack } = testScope();
    const spc = new SecretProviderClass(stack, 'Ca', {
      namespace: 'iot',
      name: 'ingest-kafka-ca',
      keyVaultName: 'kv-iot',
      tenantId: 'tenant',
      workloadIdentityClientId: 'client-123',
      secrets: [{ secretName: 'kafka-ca-bundle', fileName: 'ca.pem' }],
    });
    new KubernetesWorkload(stack, 'Workload', {
      ...base,
      keyVaultSecrets: { secretProviderClass: spc, mountPath: '/mnt/secrets/kafka' },
    });
    const out = Testing.synth(stack);
    const pod = deploymentSpec(out).template.spec;
    expect(pod.volume).toContainEqual({
      name: 'key-vault-secrets',
      csi: {
        driver: 'secrets-store.csi.k8s.io',
        read_only: true,
        volume_attributes: { secretProviderClass: 'ingest-kafka-ca' },
      },
    });
    expect(pod.container[0].volume_mount).toContainEqual({
      name: 'key-vault-secrets',
      mount_path: '/mnt/secrets/kafka',
      read_only: true,
    });
    expect(JSON.stringify(JSON.parse(out).resource.kubernetes_deployment_v1)).toContain(
      'kubernetes_manifest.Ca_',
    );
  });

  it('synthesizes the README example as written', () => {
    const { stack } = testScope();
    const self = stack;
    const identity = { clientId: 'client-123' };
    // README example, `this` being the stack
    const ns = new WorkloadNamespace(self, 'Iot', { name: 'iot', istioRevision: 'asm-1-29' });
    new KubernetesWorkload(self, 'Ingest', {
      namespace: ns.name,
      name: 'ingest',
      image: 'acriotdev.azurecr.io/iot/ingest:1.4.2',
      resources: { cpuRequest: '250m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
      workloadIdentityClientId: identity.clientId, // also opens login.microsoftonline.com:443
      mesh: ns.meshed,
      replicas: 2,
      maxReplicas: 10,
      autoscaler: 'keda',
      allowIngressFrom: [{ ...AKS_INTERNAL_INGRESS_GATEWAY, ports: [8080] }],
      allowEgressTo: [{ cidr: '10.40.3.0/24', ports: [443] }], // Cosmos DB's private endpoint
      metricsScrapedFrom: { namespace: 'kube-system' },
    });
    const out = Testing.synth(stack);
    expect(manifestsOf(out, 'ScaledObject')).toHaveLength(1);
    expect(manifestsOf(out, 'AuthorizationPolicy').length).toBeGreaterThan(1);
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
    [
      'allowIngressFrom',
      { mesh: true, allowIngressFrom: [{ cidr: '10.0.2.0/24', ports: [8080] }] },
      /invalid allowIngressFrom "10.0.2.0\/24": with STRICT mTLS only meshed pods/,
    ],
    [
      'kafkaLag',
      { kafkaLag: { bootstrapServers: 'b:9093', consumerGroup: 'g', topics: ['t'] } },
      /invalid kafkaLag "set": an autoscaler needs maxReplicas/,
    ],
    [
      'autoscaler',
      {
        maxReplicas: 4,
        autoscaler: 'hpa' as const,
        kafkaLag: { bootstrapServers: 'b:9093', consumerGroup: 'g', topics: ['t'] },
      },
      /invalid autoscaler "hpa": "keda"/,
    ],
  ])('rejects a bad %s naming it', (_p, props, msg) => {
    expect(() => synth(props)).toThrow(msg);
  });
});
