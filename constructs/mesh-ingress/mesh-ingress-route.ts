import { Construct } from 'constructs';
import { TerraformIterator } from 'cdktf';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { ValidationError, isUnresolved, validateRange } from '../core';

/** What {@link MeshIngressRoute} needs from the Azure half ({@link MeshIngressEndpoint}). */
export interface IMeshIngressEndpoint {
  /** Host name the route serves, e.g. `ingest.iot.dev.internal`. */
  readonly fqdn: string;
  /** Fixed private address of the load balancer frontend. */
  readonly privateIpAddress: string;
  /** Subnet the load balancer frontend is placed in. */
  readonly subnetName: string;
  /** Vault holding the host's certificate. */
  readonly keyVaultName: string;
  /** Certificate name in the vault. */
  readonly certificateName: string;
  /** Certificate version the gateway serves (pinned: see the README on rotation). */
  readonly certificateVersion: string;
}

/** The in-cluster service a route ends at. */
export interface MeshIngressDestination {
  /** Namespace of the service (sidecar-injected). */
  readonly namespace: string;
  /** Service name. */
  readonly service: string;
  /** Service port. */
  readonly port: number;
}

/** The AKS Istio add-on's internal ingress gateway, as documented for the add-on. */
export const AKS_ISTIO_INTERNAL_GATEWAY = {
  /** Namespace of the add-on's ingress gateways. */
  namespace: 'aks-istio-ingress',
  /** The add-on's own LoadBalancer Service of the internal gateway (its address is not ours to fix). */
  service: 'aks-istio-ingressgateway-internal',
  /** Service account of the gateway pods: the mesh identity ingest's AuthorizationPolicy allows. */
  serviceAccount: 'aks-istio-ingressgateway-internal',
  /** Pod label a Gateway selects the internal gateway with (the add-on docs' selector). */
  selector: { istio: 'aks-istio-ingressgateway-internal' },
} as const;

/** Props of {@link MeshIngressRoute}. */
export interface MeshIngressRouteProps {
  /** Short name of the route (a dns label), prefix of every object's name, e.g. `ingest`. */
  readonly name: string;
  /** The host, address, subnet and certificate from the Azure half. */
  readonly endpoint: IMeshIngressEndpoint;
  /** Entra tenant of the vault. */
  readonly tenantId: string;
  /** Client id of the AKS Key Vault secrets provider add-on's identity (reads the certificate). */
  readonly secretsProviderClientId: string;
  /** Where matching requests go. */
  readonly destination: MeshIngressDestination;
  /**
   * Exact request paths routed; anything else gets 404 from the gateway, so a backend's
   * `/metrics` or health endpoints never become reachable through the ingress.
   */
  readonly paths: string[];
  /**
   * Image of the pods that keep the certificate synced (the CSI driver syncs a Kubernetes secret
   * only while a pod mounts the volume). It needs `node` on its PATH and should be pinned like
   * any workload image; the platform passes ingest's own image, which the nodes already pull.
   * The pods sleep, and are ready once the certificate is mounted, so an apply that cannot read
   * the certificate from Key Vault fails instead of leaving the gateway without one.
   */
  readonly syncImage: string;
  /**
   * Pods that mount the certificate volume (the synced secret is deleted when none does).
   * @default 2
   */
  readonly syncReplicas?: number;
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,40}(?<!-)$/;

/**
 * The Kubernetes half of a private HTTPS route into the mesh, on the AKS Istio add-on's internal
 * ingress gateway: an internal LoadBalancer Service with the endpoint's fixed address that selects
 * the add-on's gateway pods (the add-on reverts address changes on its own Service), the host's
 * certificate synced from Key Vault into a `kubernetes.io/tls` secret beside the gateway, a
 * Gateway that terminates TLS for the host (TLS 1.2+), and a VirtualService that sends only the
 * listed paths to the destination service, over the mesh's mTLS.
 *
 * @example
 * new MeshIngressRoute(this, 'IngestRoute', {
 *   name: 'ingest', endpoint: platform.ingestEndpoint, tenantId,
 *   secretsProviderClientId: platform.cluster.secretsProviderIdentity.clientId,
 *   destination: { namespace: 'iot', service: 'ingest', port: 8080 }, paths: ['/v1/telemetry'],
 *   syncImage: `${registry.loginServer}/iot/ingest:1.4.2`,
 * });
 */
export class MeshIngressRoute extends Construct {
  /** Name of the synced TLS secret in the gateway namespace (the Gateway's `credentialName`). */
  public readonly credentialName: string;
  /** The internal load balancer Service. */
  public readonly loadBalancer: ServiceV1;
  /** The Istio Gateway. */
  public readonly gateway: Manifest;
  /** The Istio VirtualService. */
  public readonly virtualService: Manifest;

  constructor(scope: Construct, id: string, props: MeshIngressRouteProps) {
    super(scope, id);
    this.validateProps(props);
    const gw = AKS_ISTIO_INTERNAL_GATEWAY;
    const name = props.name;
    const e = props.endpoint;
    const labels = {
      'app.kubernetes.io/name': `${name}-ingress`,
      'app.kubernetes.io/part-of': 'iot-platform',
    };
    this.credentialName = `${name}-gateway-tls`;

    // The gateway pods translate a Gateway's port through the Services that select them: this
    // Service copies the add-on Service's port map, so both agree on every target port.
    const addonService = new DataKubernetesServiceV1(this, 'AddonGatewayService', {
      metadata: { name: gw.service, namespace: gw.namespace },
    });
    const ports = TerraformIterator.fromComplexList(addonService.spec.get(0).port, 'name');
    this.loadBalancer = new ServiceV1(this, 'LoadBalancer', {
      metadata: {
        name: `${name}-gateway-ilb`,
        namespace: gw.namespace,
        labels,
        annotations: {
          'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
          'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': e.subnetName,
          'service.beta.kubernetes.io/azure-load-balancer-ipv4': e.privateIpAddress,
        },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { ...gw.selector },
        port: ports.dynamic({
          name: ports.getString('name'),
          port: ports.getNumber('port'),
          target_port: ports.getString('target_port'),
          protocol: ports.getString('protocol'),
        }),
      },
    });

    const providerClass = `${name}-gateway-tls`;
    new Manifest(this, 'SecretProviderClass', {
      manifest: {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        metadata: { name: providerClass, namespace: gw.namespace, labels },
        spec: {
          provider: 'azure',
          secretObjects: [
            {
              secretName: this.credentialName,
              type: 'kubernetes.io/tls',
              data: [
                { objectName: e.certificateName, key: 'tls.key' },
                { objectName: e.certificateName, key: 'tls.crt' },
              ],
            },
          ],
          parameters: {
            usePodIdentity: 'false',
            useVMManagedIdentity: 'true',
            userAssignedIdentityID: props.secretsProviderClientId,
            keyvaultName: e.keyVaultName,
            tenantId: props.tenantId,
            // A certificate read as a secret is its PEM with the private key. The version is
            // pinned, so a renewal reaches the gateway with the next apply, together with the
            // callers' trust, instead of at the driver's next poll.
            objects: [
              'array:',
              '  - |',
              `    objectName: ${e.certificateName}`,
              '    objectType: secret',
              `    objectVersion: ${e.certificateVersion}`,
            ].join('\n'),
          },
        },
      },
    });

    const syncLabels = { ...labels, 'app.kubernetes.io/component': 'tls-sync' };
    const mountPath = '/mnt/tls';
    const mounted = ['node', '-e', `require('fs').accessSync('${mountPath}/${e.certificateName}')`];
    new DeploymentV1(this, 'CertificateSync', {
      metadata: { name: `${name}-gateway-tls-sync`, namespace: gw.namespace, labels: syncLabels },
      spec: {
        replicas: String(props.syncReplicas ?? 2),
        selector: { matchLabels: syncLabels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0', maxSurge: '1' } },
        template: {
          metadata: { labels: syncLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: '65535',
              runAsGroup: '65535',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            container: [
              {
                name: 'sync',
                image: props.syncImage,
                command: ['node', '-e', 'setInterval(() => {}, 2147483647)'],
                readinessProbe: {
                  exec: { command: mounted },
                  periodSeconds: 30,
                  timeoutSeconds: 10,
                },
                livenessProbe: {
                  exec: { command: mounted },
                  initialDelaySeconds: 60,
                  periodSeconds: 120,
                  timeoutSeconds: 10,
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                },
                resources: {
                  // one idle node process, and a second one while a probe runs
                  requests: { cpu: '10m', memory: '64Mi' },
                  limits: { memory: '160Mi' },
                },
                volumeMount: [{ name: 'tls', mountPath, readOnly: true }],
              },
            ],
            volume: [
              {
                name: 'tls',
                csi: {
                  driver: 'secrets-store.csi.k8s.io',
                  readOnly: true,
                  volumeAttributes: { secretProviderClass: providerClass },
                },
              },
            ],
          },
        },
      },
    });

    const gatewayName = `${name}-gateway`;
    this.gateway = new Manifest(this, 'Gateway', {
      manifest: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: gatewayName, namespace: props.destination.namespace, labels },
        spec: {
          selector: { ...gw.selector },
          servers: [
            {
              port: { number: 443, name: `https-${name}`, protocol: 'HTTPS' },
              hosts: [e.fqdn],
              tls: {
                mode: 'SIMPLE',
                credentialName: this.credentialName,
                minProtocolVersion: 'TLSV1_2',
              },
            },
          ],
        },
      },
    });

    const d = props.destination;
    this.virtualService = new Manifest(this, 'VirtualService', {
      manifest: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name, namespace: d.namespace, labels },
        spec: {
          hosts: [e.fqdn],
          gateways: [`${d.namespace}/${gatewayName}`],
          http: [
            {
              name,
              match: props.paths.map((p) => ({ uri: { exact: p } })),
              route: [
                {
                  destination: {
                    host: `${d.service}.${d.namespace}.svc.cluster.local`,
                    port: { number: d.port },
                  },
                },
              ],
            },
          ],
        },
      },
    });
  }

  private validateProps(props: MeshIngressRouteProps): void {
    if (!DNS_LABEL.test(props.name)) {
      throw new ValidationError(
        this,
        'name',
        props.name,
        'a lower-case dns label of at most 40 characters (letters, digits, hyphens)',
      );
    }
    if (props.paths.length === 0) {
      throw new ValidationError(this, 'paths', [], 'at least one path to route');
    }
    props.paths.forEach((p, i) => {
      if (!isUnresolved(p) && !/^\/[A-Za-z0-9._~/-]*$/.test(p)) {
        throw new ValidationError(
          this,
          `paths[${i}]`,
          p,
          'an absolute url path such as /v1/telemetry (letters, digits and . _ ~ / -)',
        );
      }
    });
    validateRange(this, 'destination.port', props.destination.port, 1, 65535);
    validateRange(this, 'syncReplicas', props.syncReplicas, 1, 10);
    for (const [prop, value] of [
      ['destination.namespace', props.destination.namespace],
      ['destination.service', props.destination.service],
    ] as const) {
      if (!isUnresolved(value) && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
        throw new ValidationError(this, prop, value, 'a kubernetes dns label');
      }
    }
  }
}
