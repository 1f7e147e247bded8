import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { ValidationError, isUnresolved, validateName, validateOneOf, validateRange } from '../core';
import { ENTRA_AUTHORITY_HOST, FqdnEgressPolicy } from './fqdn-egress-policy';
import { MESH_METRICS_PORT, WorkloadAuthorizationPolicy } from './mesh-policies';
import type { KafkaLagTrigger } from './scaled-object';
import { ScaledObject } from './scaled-object';
import type { SecretProviderClass } from './secret-provider-class';
import { KUBERNETES_NAME } from './kubernetes-name';
import {
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  containerEnv,
  restrictedPodSecurityContext,
} from './restricted-pod';

/** CPU and memory of one container. */
export interface ContainerResources {
  /** CPU request, e.g. `250m`. */
  readonly cpuRequest: string;
  /** Memory request, e.g. `256Mi`. */
  readonly memoryRequest: string;
  /**
   * CPU limit.
   * @default - none: CPU limits throttle latency-sensitive Node services; the request bounds scheduling
   */
  readonly cpuLimit?: string;
  /** Memory limit, e.g. `512Mi`; required so a leak cannot starve the node. */
  readonly memoryLimit: string;
}

/** A peer allowed to reach, or be reached by, the workload. */
export interface NetworkPeer {
  /**
   * Namespace of the peer.
   * @default - the workload's namespace
   */
  readonly namespace?: string;
  /**
   * Pod labels of the peer.
   * @default - every pod of the namespace
   */
  readonly podLabels?: Record<string, string>;
  /** An IP range instead of pods, e.g. a private endpoint subnet. */
  readonly cidr?: string;
  /**
   * Service account of the peer's pods: with `mesh`, the mTLS identity the workload's
   * AuthorizationPolicy admits (ingress peers only; a trailing `*` matches a prefix).
   * @default - any identity of the peer's namespace
   */
  readonly serviceAccount?: string;
  /** TCP ports. */
  readonly ports: number[];
}

/** Props of {@link KubernetesWorkload}. */
export interface KubernetesWorkloadProps {
  /** Namespace (usually a {@link WorkloadNamespace}'s name). */
  readonly namespace: string;
  /** Name of the deployment, service and service account (DNS-1123 label). */
  readonly name: string;
  /**
   * Container image, pinned by digest (`repo@sha256:…`) or an immutable version tag; `latest`
   * and untagged images are rejected because they make rollouts unreproducible.
   */
  readonly image: string;
  /**
   * Replicas (the autoscaler's minimum when `maxReplicas` is set: the deployment then leaves
   * `replicas` unset, so an apply never resets what the autoscaler chose).
   * @default 2 - one pod may be evicted during node upgrades without downtime
   */
  readonly replicas?: number;
  /**
   * Upper bound for the horizontal autoscaler.
   * @default - no autoscaler
   */
  readonly maxReplicas?: number;
  /**
   * Which autoscaler owns the replica count when `maxReplicas` is set: a CPU
   * HorizontalPodAutoscaler, or a KEDA ScaledObject (CPU, plus `kafkaLag`).
   * @default "hpa"; "keda" when `kafkaLag` is set
   */
  readonly autoscaler?: 'hpa' | 'keda';
  /**
   * Scale on this Kafka consumer group's lag as well as CPU (KEDA).
   * @default - CPU only
   */
  readonly kafkaLag?: KafkaLagTrigger;
  /**
   * Port the container listens on for HTTP (API or health/metrics).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Whether a ClusterIP service exposes `port`.
   * @default true
   */
  readonly service?: boolean;
  /** Environment variables (configuration only: secrets come from Key Vault via workload identity). */
  readonly env?: Record<string, string>;
  /** Resource requests and limits. */
  readonly resources: ContainerResources;
  /**
   * Client id of the user-assigned managed identity the pods use through workload identity.
   * @default - no Azure identity
   */
  readonly workloadIdentityClientId?: string;
  /**
   * Who may connect to the workload.
   * @default - nobody (default deny from the namespace)
   */
  readonly allowIngressFrom?: NetworkPeer[];
  /**
   * Where the workload may connect (DNS is always allowed by the namespace).
   * @default - nowhere
   */
  readonly allowEgressTo?: NetworkPeer[];
  /**
   * Host names the workload may reach on 443 (a CiliumNetworkPolicy with `toFQDNs`; needs the
   * cluster's container network security). With a workload identity, Entra ID's
   * `login.microsoftonline.com` is always added: the token exchange fails without it.
   * @default - none besides Entra ID with a workload identity
   */
  readonly allowEgressToHosts?: string[];
  /**
   * Whether the pods run in the Istio mesh with STRICT mTLS (a meshed {@link WorkloadNamespace}):
   * ingress peers are then also admitted by an Istio AuthorizationPolicy naming their
   * identity, and metrics are scraped from the sidecar's merged endpoint (15020).
   * @default false
   */
  readonly mesh?: boolean;
  /**
   * Namespace (and optionally pod labels) of the agents that scrape `/metrics`, e.g. Azure
   * Monitor's `ama-metrics` in kube-system.
   * @default - nobody scrapes
   */
  readonly metricsScrapedFrom?: {
    readonly namespace: string;
    readonly podLabels?: Record<string, string>;
  };
  /**
   * Key Vault secrets mounted read-only as files through the Secrets Store CSI driver (a
   * {@link SecretProviderClass} in the same namespace, read as this workload's identity).
   * @default - no secrets volume
   */
  readonly keyVaultSecrets?: {
    readonly secretProviderClass: SecretProviderClass;
    readonly mountPath: string;
  };
  /**
   * Seconds the pod gets after SIGTERM to drain and flush before it is killed.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * What must exist before the deployment rolls out, e.g. a job that creates its Kafka topics.
   * @default - only the SecretProviderClass of `keyVaultSecrets`
   */
  readonly startsAfter?: ITerraformDependable[];
}

const IMAGE =
  /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+(?:@sha256:[a-f0-9]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/**
 * One reference service on AKS: a Deployment with the restricted security context
 * (non-root, read-only root filesystem, no privilege escalation, all capabilities dropped,
 * RuntimeDefault seccomp), liveness/readiness probes on `/livez` and `/readyz`, requests and
 * limits, zone spreading; its own service account (token not automounted; workload identity
 * when a client id is given, with egress to Entra ID); a ClusterIP service; a
 * PodDisruptionBudget; network policies opening only the flows listed (host names through a
 * CiliumNetworkPolicy); in the mesh, an AuthorizationPolicy naming each caller's identity; with
 * `maxReplicas`, an HPA or KEDA ScaledObject that owns the replica count; Key Vault secrets as
 * files through the CSI driver.
 *
 * @example
 * new KubernetesWorkload(this, 'Ingest', {
 *   namespace: ns.name, name: 'ingest', image: 'acrexample.azurecr.io/iot/ingest:1.4.2',
 *   resources: { cpuRequest: '250m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
 *   workloadIdentityClientId: ingestIdentity.clientId,
 *   allowIngressFrom: [{ cidr: '10.40.2.0/24', ports: [8080] }],
 * });
 */
export class KubernetesWorkload extends Construct {
  /** The `kubernetes_deployment_v1`. */
  public readonly deployment: DeploymentV1;
  /** The service account the pods run as. */
  public readonly serviceAccount: ServiceAccountV1;
  /** The service, when `service` is true. */
  public readonly service?: ServiceV1;

  constructor(scope: Construct, id: string, props: KubernetesWorkloadProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    if (!isUnresolved(props.image) && !IMAGE.test(props.image)) {
      throw new ValidationError(
        this,
        'image',
        props.image,
        'an image is registry/repository pinned by @sha256 digest or a version tag',
      );
    }
    if (!isUnresolved(props.image) && /:latest$/.test(props.image)) {
      throw new ValidationError(
        this,
        'image',
        props.image,
        'the mutable tag "latest" is not allowed; pin a version or digest',
      );
    }
    const replicas = props.replicas ?? 2;
    validateRange(this, 'replicas', replicas, 1, 100);
    validateRange(this, 'maxReplicas', props.maxReplicas, replicas, 300);
    const autoscaled = props.maxReplicas !== undefined;
    validateOneOf(this, 'autoscaler', props.autoscaler, ['hpa', 'keda']);
    const autoscaler = props.autoscaler ?? (props.kafkaLag ? 'keda' : 'hpa');
    if ((props.kafkaLag || props.autoscaler) && !autoscaled) {
      throw new ValidationError(
        this,
        props.kafkaLag ? 'kafkaLag' : 'autoscaler',
        props.kafkaLag ? 'set' : props.autoscaler,
        'an autoscaler needs maxReplicas',
      );
    }
    if (props.kafkaLag && autoscaler !== 'keda') {
      throw new ValidationError(this, 'autoscaler', autoscaler, '"keda" (lag scaling is KEDA)');
    }
    if (props.mesh) {
      const cidrPeer = (props.allowIngressFrom ?? []).find((p) => p.cidr !== undefined);
      if (cidrPeer) {
        throw new ValidationError(
          this,
          'allowIngressFrom',
          cidrPeer.cidr,
          'with STRICT mTLS only meshed pods can connect; route address ranges through the ingress gateway',
        );
      }
    }
    if (props.keyVaultSecrets) {
      if (!/^\/[A-Za-z0-9._/-]+$/.test(props.keyVaultSecrets.mountPath)) {
        throw new ValidationError(
          this,
          'keyVaultSecrets.mountPath',
          props.keyVaultSecrets.mountPath,
          'an absolute path, e.g. /mnt/secrets',
        );
      }
    }
    const port = props.port ?? 8080;
    validateRange(this, 'port', port, 1024, 65535);
    validateRange(
      this,
      'terminationGracePeriodSeconds',
      props.terminationGracePeriodSeconds,
      5,
      600,
      { unit: 'seconds' },
    );

    const labels = {
      'app.kubernetes.io/name': props.name,
      'app.kubernetes.io/part-of': 'iot-streaming',
    };
    const wi = props.workloadIdentityClientId !== undefined;
    this.serviceAccount = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        annotations: wi
          ? { 'azure.workload.identity/client-id': props.workloadIdentityClientId! }
          : undefined,
      },
      automountServiceAccountToken: false,
    });

    this.deployment = new DeploymentV1(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      waitForRollout: true,
      // The pods cannot start before the class they mount exists (its name is a plain string).
      dependsOn: ((deps: ITerraformDependable[]) => (deps.length > 0 ? deps : undefined))([
        ...(props.keyVaultSecrets ? [props.keyVaultSecrets.secretProviderClass.resource] : []),
        ...(props.startsAfter ?? []),
      ]),
      spec: {
        // Under an autoscaler the count is the autoscaler's: the provider's `replicas` is
        // optional and computed, so leaving it out leaves the live value alone on every apply.
        replicas: autoscaled ? undefined : String(replicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0', maxSurge: '1' } },
        template: {
          metadata: {
            labels: { ...labels, ...(wi ? { 'azure.workload.identity/use': 'true' } : {}) },
            // Istio merges these into the sidecar's 15020 endpoint; without a mesh the agents
            // read them directly.
            annotations: props.metricsScrapedFrom
              ? {
                  'prometheus.io/scrape': 'true',
                  'prometheus.io/port': String(port),
                  'prometheus.io/path': '/metrics',
                }
              : undefined,
          },
          spec: {
            serviceAccountName: props.name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
            securityContext: restrictedPodSecurityContext(),
            topologySpreadConstraint: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: [{ matchLabels: labels }],
              },
            ],
            container: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                port: [{ containerPort: port, name: 'http' }],
                env: containerEnv(props.env ?? {}),
                resources: {
                  requests: {
                    cpu: props.resources.cpuRequest,
                    memory: props.resources.memoryRequest,
                  },
                  limits: {
                    memory: props.resources.memoryLimit,
                    ...(props.resources.cpuLimit ? { cpu: props.resources.cpuLimit } : {}),
                  },
                },
                livenessProbe: {
                  httpGet: { path: '/livez', port: 'http' },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: { path: '/readyz', port: 'http' },
                  periodSeconds: 5,
                  failureThreshold: 2,
                },
                startupProbe: {
                  httpGet: { path: '/livez', port: 'http' },
                  periodSeconds: 2,
                  failureThreshold: 30,
                },
                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                volumeMount: [
                  { name: 'tmp', mountPath: '/tmp' },
                  ...(props.keyVaultSecrets
                    ? [
                        {
                          name: 'key-vault-secrets',
                          mountPath: props.keyVaultSecrets.mountPath,
                          readOnly: true,
                        },
                      ]
                    : []),
                ],
              },
            ],
            volume: [
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              ...(props.keyVaultSecrets
                ? [
                    {
                      name: 'key-vault-secrets',
                      csi: {
                        driver: 'secrets-store.csi.k8s.io',
                        readOnly: true,
                        volumeAttributes: {
                          secretProviderClass: props.keyVaultSecrets.secretProviderClass.name,
                        },
                      },
                    },
                  ]
                : []),
            ],
          },
        },
      },
    });

    if (props.service !== false) {
      this.service = new ServiceV1(this, 'Service', {
        metadata: { name: props.name, namespace: props.namespace, labels },
        spec: {
          type: 'ClusterIP',
          selector: labels,
          port: [{ name: 'http', port, targetPort: 'http' }],
        },
      });
    }
    if (replicas > 1) {
      new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
        metadata: { name: props.name, namespace: props.namespace, labels },
        spec: { minAvailable: '1', selector: { matchLabels: labels } },
      });
    }
    if (autoscaled && autoscaler === 'keda') {
      new ScaledObject(this, 'ScaledObject', {
        namespace: props.namespace,
        deploymentName: props.name,
        minReplicas: replicas,
        maxReplicas: props.maxReplicas!,
        kafkaLag: props.kafkaLag,
        // KEDA reads the lag trigger's CA from the secret the pods' CSI mount syncs.
        dependsOn: [this.deployment],
      });
    } else if (autoscaled) {
      new HorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name: props.name, namespace: props.namespace, labels },
        spec: {
          minReplicas: replicas,
          maxReplicas: props.maxReplicas!,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
          metric: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
            },
          ],
        },
      });
    }
    this.addNetworkPolicies(props, labels, port);
    this.addMeshAndHostPolicies(props, labels);
  }

  private addMeshAndHostPolicies(
    props: KubernetesWorkloadProps,
    labels: Record<string, string>,
  ): void {
    const hosts = [
      ...(props.workloadIdentityClientId !== undefined ? [ENTRA_AUTHORITY_HOST] : []),
      ...(props.allowEgressToHosts ?? []),
    ];
    if (hosts.length > 0) {
      new FqdnEgressPolicy(this, 'AllowEgressToHosts', {
        namespace: props.namespace,
        name: `${props.name}-fqdn-egress`,
        podLabels: labels,
        hosts,
      });
    }
    const callers = (props.allowIngressFrom ?? []).filter((p) => p.cidr === undefined);
    if (props.mesh && callers.length > 0) {
      new WorkloadAuthorizationPolicy(this, 'Authorization', {
        namespace: props.namespace,
        name: props.name,
        podLabels: labels,
        callers: callers.map((p) => ({
          namespace: p.namespace ?? props.namespace,
          serviceAccount: p.serviceAccount,
          ports: p.ports.length ? p.ports : [props.port ?? 8080],
        })),
      });
    }
  }

  private addNetworkPolicies(
    props: KubernetesWorkloadProps,
    labels: Record<string, string>,
    port: number,
  ): void {
    const peer = (p: NetworkPeer) =>
      p.cidr !== undefined
        ? { ipBlock: { cidr: p.cidr } }
        : {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': p.namespace ?? props.namespace },
            },
            podSelector: p.podLabels ? { matchLabels: p.podLabels } : undefined,
          };
    const ports = (p: NetworkPeer) => p.ports.map((n) => ({ port: String(n), protocol: 'TCP' }));
    const scrapers = props.metricsScrapedFrom
      ? [
          {
            ...props.metricsScrapedFrom,
            ports: [props.mesh ? MESH_METRICS_PORT : port],
          },
        ]
      : [];
    const ingress = [...(props.allowIngressFrom ?? []), ...scrapers];
    const egress = props.allowEgressTo ?? [];
    if (ingress.length > 0) {
      new NetworkPolicyV1(this, 'AllowIngress', {
        metadata: { name: `${props.name}-ingress`, namespace: props.namespace },
        spec: {
          podSelector: { matchLabels: labels },
          policyTypes: ['Ingress'],
          ingress: ingress.map((p) => ({
            from: [peer(p)],
            ports: ports({ ...p, ports: p.ports.length ? p.ports : [port] }),
          })),
        },
      });
    }
    if (egress.length > 0) {
      new NetworkPolicyV1(this, 'AllowEgress', {
        metadata: { name: `${props.name}-egress`, namespace: props.namespace },
        spec: {
          podSelector: { matchLabels: labels },
          policyTypes: ['Egress'],
          egress: egress.map((p) => ({ to: [peer(p)], ports: ports(p) })),
        },
      });
    }
  }
}
