import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { validateName } from '../core';

/** DNS-1123 label: Kubernetes names of namespaces, services, deployments. */
export const KUBERNETES_NAME = {
  resource: 'kubernetes object',
  minLength: 1,
  maxLength: 63,
  pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  patternDescription:
    'lower-case letters, digits and hyphens, starting and ending with a letter or digit (dns-1123 label)',
};

/** Props of {@link WorkloadNamespace}. */
export interface WorkloadNamespaceProps {
  /** Namespace name (DNS-1123 label). */
  readonly name: string;
  /**
   * Pod Security Standard enforced on the namespace.
   * @default "restricted" - non-root, no privilege escalation, dropped capabilities, seccomp
   */
  readonly podSecurity?: 'restricted' | 'baseline';
  /**
   * Istio revision whose sidecars are injected (the AKS service-mesh add-on labels revisions
   * like `asm-1-25`); mTLS between the workloads comes from the mesh.
   * @default - no sidecar injection
   */
  readonly istioRevision?: string;
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

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    const level = props.podSecurity ?? 'restricted';
    this.resource = new NamespaceV1(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          ...(props.istioRevision ? { 'istio.io/rev': props.istioRevision } : {}),
        },
      },
    });
    this.name = this.resource.metadata.name;

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
            to: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
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
  }
}
