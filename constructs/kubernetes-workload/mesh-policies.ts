import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ValidationError, validateName } from '../core';
import { KUBERNETES_NAME } from './kubernetes-name';

/** Namespace of the AKS Istio add-on's control plane (istiod). */
export const AKS_ISTIO_SYSTEM_NAMESPACE = 'aks-istio-system';
/** Pod labels of istiod in {@link AKS_ISTIO_SYSTEM_NAMESPACE}. */
export const ISTIOD_POD_LABELS: Readonly<Record<string, string>> = { app: 'istiod' };
/** istiod's xDS and certificate-signing port (gRPC over TLS) every sidecar dials. */
export const ISTIOD_XDS_PORT = 15012;
/**
 * The sidecar's merged Prometheus endpoint (`/stats/prometheus` on 15020 carries the app's
 * metrics too): the sidecar serves it itself, outside mTLS capture, so agents without a
 * sidecar can scrape it.
 */
export const MESH_METRICS_PORT = 15020;

/**
 * The AKS Istio add-on's internal ingress gateway (`internal_ingress_gateway_enabled`):
 * its namespace, service account (the mTLS identity) and pod labels, as the AKS docs name them
 * ("Deploy ingress gateways for the Istio add-on").
 */
export const AKS_INTERNAL_INGRESS_GATEWAY = {
  namespace: 'aks-istio-ingress',
  serviceAccount: 'aks-istio-ingressgateway-internal',
  podLabels: { istio: 'aks-istio-ingressgateway-internal' },
} as const;

/** The Istio API group/version the add-on serves from asm-1-22 on. */
const ISTIO_SECURITY_API = 'security.istio.io/v1';

/** Props of {@link MeshNamespacePolicies}. */
export interface MeshNamespacePoliciesProps {
  /** Namespace the policies govern. */
  readonly namespace: string;
}

/**
 * The namespace-wide mesh policies: PeerAuthentication `default` with mTLS `STRICT` (no
 * plaintext into any sidecar of the namespace), and an `allow-nothing` AuthorizationPolicy
 * (an ALLOW policy without rules), so a request reaches a workload only when that workload's
 * own AuthorizationPolicy names the caller.
 *
 * @example
 * new MeshNamespacePolicies(this, 'Mesh', { namespace: 'iot' });
 */
export class MeshNamespacePolicies extends Construct {
  /** The PeerAuthentication manifest. */
  public readonly peerAuthentication: Manifest;
  /** The allow-nothing AuthorizationPolicy manifest. */
  public readonly allowNothing: Manifest;

  constructor(scope: Construct, id: string, props: MeshNamespacePoliciesProps) {
    super(scope, id);
    validateName(this, 'namespace', props.namespace, KUBERNETES_NAME);
    this.peerAuthentication = new Manifest(this, 'PeerAuthentication', {
      manifest: {
        apiVersion: ISTIO_SECURITY_API,
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: props.namespace },
        spec: { mtls: { mode: 'STRICT' } },
      },
    });
    this.allowNothing = new Manifest(this, 'AllowNothing', {
      manifest: {
        apiVersion: ISTIO_SECURITY_API,
        kind: 'AuthorizationPolicy',
        metadata: { name: 'allow-nothing', namespace: props.namespace },
        spec: { action: 'ALLOW' },
      },
    });
  }
}

/** A caller a {@link WorkloadAuthorizationPolicy} admits. */
export interface MeshCaller {
  /** Namespace of the caller. */
  readonly namespace: string;
  /**
   * Service account of the caller (its SPIFFE identity); a trailing `*` matches every name
   * with that prefix (Istio's prefix match).
   * @default - any identity of the namespace
   */
  readonly serviceAccount?: string;
  /** Ports of the workload the caller may reach. */
  readonly ports: number[];
}

/** Props of {@link WorkloadAuthorizationPolicy}. */
export interface WorkloadAuthorizationPolicyProps {
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Name of the policy (usually the workload's). */
  readonly name: string;
  /** Pod labels selecting the workload. */
  readonly podLabels: Record<string, string>;
  /** Who may call; at least one. */
  readonly callers: MeshCaller[];
  /**
   * Trust domain of the mesh's SPIFFE identities.
   * @default "cluster.local" - the AKS add-on's
   */
  readonly trustDomain?: string;
}

/**
 * An Istio ALLOW AuthorizationPolicy for one workload naming each caller by its mTLS identity
 * (`<trust domain>/ns/<namespace>/sa/<service account>`) or namespace, and the ports it may
 * reach. With STRICT mTLS the identity is the verified peer certificate, not an address.
 *
 * @example
 * new WorkloadAuthorizationPolicy(this, 'Authz', {
 *   namespace: 'iot', name: 'ingest', podLabels: { 'app.kubernetes.io/name': 'ingest' },
 *   callers: [{ namespace: 'aks-istio-ingress', serviceAccount: 'aks-istio-ingressgateway-internal', ports: [8080] }],
 * });
 */
export class WorkloadAuthorizationPolicy extends Construct {
  /** The AuthorizationPolicy manifest. */
  public readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: WorkloadAuthorizationPolicyProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    if (props.callers.length === 0) {
      throw new ValidationError(this, 'callers', props.callers, 'at least one caller');
    }
    const domain = props.trustDomain ?? 'cluster.local';
    for (const [i, c] of props.callers.entries()) {
      if (
        c.serviceAccount !== undefined &&
        !/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\*?$/.test(c.serviceAccount)
      ) {
        throw new ValidationError(
          this,
          `callers[${i}].serviceAccount`,
          c.serviceAccount,
          'a service account name, optionally ending in * for a prefix match',
        );
      }
    }
    this.resource = new Manifest(this, 'Resource', {
      manifest: {
        apiVersion: ISTIO_SECURITY_API,
        kind: 'AuthorizationPolicy',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          action: 'ALLOW',
          selector: { matchLabels: props.podLabels },
          rules: props.callers.map((c) => ({
            from: [
              {
                source: c.serviceAccount
                  ? { principals: [`${domain}/ns/${c.namespace}/sa/${c.serviceAccount}`] }
                  : { namespaces: [c.namespace] },
              },
            ],
            to: [{ operation: { ports: c.ports.map(String) } }],
          })),
        },
      },
    });
  }
}
