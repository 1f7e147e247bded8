import { Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { testScope } from '../../test/construct-helpers';
import { WorkloadNamespace } from './workload-namespace';
import type { WorkloadNamespaceProps } from './workload-namespace';

function synth(props: Partial<WorkloadNamespaceProps> = {}): string {
  const { stack } = testScope();
  new WorkloadNamespace(stack, 'Ns', { name: 'iot', ...props });
  return Testing.synth(stack);
}

interface Synthesized {
  resource: {
    kubernetes_manifest?: Record<
      string,
      { manifest: { kind: string; metadata: { name: string } } }
    >;
  };
}
const kinds = (out: string) =>
  Object.values((JSON.parse(out) as Synthesized).resource.kubernetes_manifest ?? {}).map(
    (m) => `${m.manifest.kind}/${m.manifest.metadata.name}`,
  );

describe('WorkloadNamespace', () => {
  it('enforces restricted through the label and denies all traffic by default without a mesh', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(NamespaceV1, {
      metadata: {
        name: 'iot',
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      metadata: expect.objectContaining({ name: 'default-deny-all' }),
      spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'] },
    });
    expect(kinds(out)).toEqual([]);
  });

  // The finding: restricted in the label plus istio-init (NET_ADMIN, uid 0) rejected every pod.
  it('with the mesh init containers, moves restricted enforcement to an admission policy', () => {
    const out = synth({ istioRevision: 'asm-1-29' });
    expect(out).toHaveResourceWithProperties(NamespaceV1, {
      metadata: {
        name: 'iot',
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'istio.io/rev': 'asm-1-29',
          'iot.platform/istio-traffic-redirection': 'init-containers',
        },
      },
    });
    expect(kinds(out)).toEqual(
      expect.arrayContaining([
        'ValidatingAdmissionPolicy/iot-restricted-except-mesh-init',
        'ValidatingAdmissionPolicyBinding/iot-restricted-except-mesh-init',
      ]),
    );
  });

  it('with Istio CNI, enforces restricted through the label and needs no exemption', () => {
    const out = synth({ istioRevision: 'asm-1-30', meshTrafficRedirection: 'istio-cni' });
    expect(out).toHaveResourceWithProperties(NamespaceV1, {
      metadata: expect.objectContaining({
        labels: expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }),
      }),
    });
    expect(kinds(out).filter((k) => k.startsWith('ValidatingAdmission'))).toEqual([]);
  });

  it('requires STRICT mTLS and allows nothing in the mesh until a workload names its callers', () => {
    const out = synth({ istioRevision: 'asm-1-29' });
    expect(out).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'iot' },
        spec: { mtls: { mode: 'STRICT' } },
      },
    });
    expect(kinds(out)).toContain('AuthorizationPolicy/allow-nothing');
  });

  it('lets pods resolve names at CoreDNS only, and reach istiod on xDS when meshed', () => {
    const out = synth({ istioRevision: 'asm-1-29' });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      metadata: expect.objectContaining({ name: 'allow-dns-egress' }),
      spec: expect.objectContaining({
        egress: [
          {
            to: [
              {
                namespace_selector: {
                  match_labels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
                pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      }),
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      metadata: expect.objectContaining({ name: 'allow-istiod-egress' }),
      spec: expect.objectContaining({
        egress: [
          {
            to: [
              {
                namespace_selector: {
                  match_labels: { 'kubernetes.io/metadata.name': 'aks-istio-system' },
                },
                pod_selector: { match_labels: { app: 'istiod' } },
              },
            ],
            ports: [{ port: '15012', protocol: 'TCP' }],
          },
        ],
      }),
    });
  });

  it('rejects baseline with the mesh init containers, which baseline would reject too', () => {
    expect(() => synth({ istioRevision: 'asm-1-29', podSecurity: 'baseline' })).toThrow(
      /invalid podSecurity "baseline": "restricted" with the mesh's init containers/,
    );
  });

  it('rejects a name that is not a dns-1123 label', () => {
    expect(() => synth({ name: 'IoT' })).toThrow(/test\/Ns: invalid name "IoT"/);
  });
});
