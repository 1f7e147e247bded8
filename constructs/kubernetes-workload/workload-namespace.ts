import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ValidationError, validateName } from '../core';

import { CLUSTER_DNS_POD_LABELS } from './fqdn-egress-policy';
import { KUBERNETES_NAME } from './kubernetes-name';
import { MeshPodSecurityAdmission } from './mesh-pod-security';
import {
  AKS_ISTIO_SYSTEM_NAMESPACE,
  ISTIOD_POD_LABELS,
  ISTIOD_XDS_PORT,
  MeshNamespacePolicies,
} from './mesh-policies';

export { KUBERNETES_NAME } from './kubernetes-name';

/**
 * Namespace label naming how the mesh redirects traffic (`init-containers` or `istio-cni`):
 * the policy gate reads it to know whether the namespace's pods carry `istio-init`.
 */
export const MESH_REDIRECTION_LABEL = 'iot.platform/istio-traffic-redirection';

/** Props of {@link WorkloadNamespace}. */
export interface WorkloadNamespaceProps {
  /** Namespace name (DNS-1123 label). */
  readonly name: string;
  /**
   * Pod Security Standard enforced on the namespace. With the mesh's init containers the
   * namespace label cannot enforce it (Pod Security Admission has no per-container exemption
   * and `istio-init` needs NET_ADMIN, NET_RAW and uid 0): `restricted` is then enforced by a
   * {@link MeshPodSecurityAdmission} policy that exempts only that container, and the label
   * enforces `privileged` while auditing and warning `restricted`.
   * @default "restricted" - non-root, no privilege escalation, dropped capabilities, seccomp
   */
  readonly podSecurity?: 'restricted' | 'baseline';
  /**
   * Istio revision whose sidecars are injected (the AKS service-mesh add-on labels revisions
   * like `asm-1-25`). The namespace then requires STRICT mTLS, admits no request that a
   * workload's AuthorizationPolicy does not name, and lets every pod reach istiod.
   * @default - no sidecar injection
   */
  readonly istioRevision?: string;
  /**
   * How the mesh redirects pod traffic into the sidecar: the add-on's `istio-init` init
   * container (NET_ADMIN), or Istio CNI (the add-on's `CNIChaining`, default from asm-1-30;
   * opt-in from asm-1-25 with `az aks mesh enable-istio-cni`), whose pods pass `restricted`.
   * @default "init-containers" - the AKS add-on's default through asm-1-29, and the only one azurerm 4.55 can set
   */
  readonly meshTrafficRedirection?: 'init-containers' | 'istio-cni';
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace for application workloads with the restricted Pod Security Standard enforced,
 * a default-deny network policy for ingress and egress, and DNS egress allowed, so every
 * other flow must be opened explicitly by a {@link KubernetesWorkload}.
 *
 * @example
 * const ns = new WorkloadNamespace(this, 'Iot', { name: 'iot', istioRevision: 'asm-1-25' });
 */
export class WorkloadNamespace extends Construct {
  /** Namespace name. */
  public readonly name: string;
  /** The `kubernetes_namespace_v1`. */
  public readonly resource: NamespaceV1;
  /** Whether the namespace's pods get Istio sidecars. */
  public readonly meshed: boolean;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    this.meshed = props.istioRevision !== undefined;
    const redirection = props.meshTrafficRedirection ?? 'init-containers';
    const initContainers = this.meshed && redirection === 'init-containers';
    if (initContainers && props.podSecurity === 'baseline') {
      throw new ValidationError(
        this,
        'podSecurity',
        props.podSecurity,
        '"restricted" with the mesh\'s init containers (baseline also rejects istio-init\'s NET_ADMIN); or meshTrafficRedirection "istio-cni"',
      );
    }
    const level = initContainers ? 'privileged' : (props.podSecurity ?? 'restricted');
    this.resource = new NamespaceV1(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          ...(props.istioRevision
            ? {
                'istio.io/rev': props.istioRevision,
                [MESH_REDIRECTION_LABEL]: redirection,
              }
            : {}),
        },
      },
    });
    this.name = this.resource.metadata.name;
    if (initContainers) {
      new MeshPodSecurityAdmission(this, 'PodSecurity', { namespace: props.name });
    }

    new NetworkPolicyV1(this, 'DefaultDeny', {
      metadata: { name: 'default-deny-all', namespace: this.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new NetworkPolicyV1(this, 'AllowDns', {
      metadata: { name: 'allow-dns-egress', namespace: this.name },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            // CoreDNS pods only (AKS has no node-local DNS unless LocalDNS is enabled, and then
            // the pods still resolve through the kube-dns service, whose endpoints these are).
            to: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
                podSelector: { matchLabels: { ...CLUSTER_DNS_POD_LABELS } },
              },
            ],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      },
    });
    if (this.meshed) {
      // Every sidecar fetches its configuration and certificate from istiod (xDS on 15012).
      new NetworkPolicyV1(this, 'AllowIstiod', {
        metadata: { name: 'allow-istiod-egress', namespace: this.name },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': AKS_ISTIO_SYSTEM_NAMESPACE },
                  },
                  podSelector: { matchLabels: { ...ISTIOD_POD_LABELS } },
                },
              ],
              ports: [{ port: String(ISTIOD_XDS_PORT), protocol: 'TCP' }],
            },
          ],
        },
      });
      new MeshNamespacePolicies(this, 'Mesh', { namespace: props.name });
    }
  }
}
