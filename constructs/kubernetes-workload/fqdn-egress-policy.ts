import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ValidationError, isUnresolved, validateName, validateRange } from '../core';
import { KUBERNETES_NAME } from './kubernetes-name';

/** Host of Entra ID's token endpoint, which workload identity exchanges its token at. */
export const ENTRA_AUTHORITY_HOST = 'login.microsoftonline.com';

/** Pod labels of the cluster DNS (CoreDNS) in kube-system on AKS. */
export const CLUSTER_DNS_POD_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns' };

const HOST = /^(?=.{1,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Props of {@link FqdnEgressPolicy}. */
export interface FqdnEgressPolicyProps {
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Name of the policy. */
  readonly name: string;
  /** Pod labels selecting the workload. */
  readonly podLabels: Record<string, string>;
  /** Host names (lower case; a leading `*.` matches one label, as Cilium's matchPattern does) the pods may reach. */
  readonly hosts: string[];
  /**
   * TCP port on those hosts.
   * @default 443
   */
  readonly port?: number;
}

/**
 * A CiliumNetworkPolicy that lets a workload's pods reach named hosts over TLS: Cilium's DNS
 * proxy sees the pods' lookups (the DNS rule below sends them through it) and opens egress only
 * to the addresses those names resolved to. Needs Advanced Container Networking Services'
 * container network security on the cluster (FQDN filtering); Kubernetes NetworkPolicy cannot
 * name a host. Cilium adds its allows to those of the namespace's NetworkPolicies.
 *
 * @example
 * new FqdnEgressPolicy(this, 'Entra', {
 *   namespace: 'iot', name: 'ingest-fqdn', podLabels: { 'app.kubernetes.io/name': 'ingest' },
 *   hosts: ['login.microsoftonline.com'],
 * });
 */
export class FqdnEgressPolicy extends Construct {
  /** The CiliumNetworkPolicy manifest. */
  public readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: FqdnEgressPolicyProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    if (props.hosts.length === 0) {
      throw new ValidationError(this, 'hosts', props.hosts, 'at least one host name');
    }
    for (const [i, h] of props.hosts.entries()) {
      if (!isUnresolved(h) && !HOST.test(h)) {
        throw new ValidationError(
          this,
          `hosts[${i}]`,
          h,
          'a lower-case DNS name, optionally starting with "*.", e.g. hooks.example.org',
        );
      }
    }
    const port = props.port ?? 443;
    validateRange(this, 'port', port, 1, 65535);
    const hosts = [...new Set(props.hosts)].sort();
    this.resource = new Manifest(this, 'Resource', {
      manifest: {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          endpointSelector: { matchLabels: props.podLabels },
          egress: [
            {
              toEndpoints: [
                {
                  matchLabels: {
                    'k8s:io.kubernetes.pod.namespace': 'kube-system',
                    ...Object.fromEntries(
                      Object.entries(CLUSTER_DNS_POD_LABELS).map(([k, v]) => [`k8s:${k}`, v]),
                    ),
                  },
                },
              ],
              toPorts: [
                {
                  ports: [
                    { port: '53', protocol: 'UDP' },
                    { port: '53', protocol: 'TCP' },
                  ],
                  rules: { dns: [{ matchPattern: '*' }] },
                },
              ],
            },
            {
              toFQDNs: hosts.map((h) =>
                h.startsWith('*.') ? { matchPattern: h } : { matchName: h },
              ),
              toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' }] }],
            },
          ],
        },
      },
    });
  }
}
