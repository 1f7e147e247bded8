import { testRule } from '../../testing';
import { kubernetesClusterAdminNotBound } from './kubernetes-cluster-admin-not-bound';
import { kubernetesNamespaceDefaultDenyNetworkPolicy } from './kubernetes-namespace-default-deny-network-policy';
import { kubernetesNamespacePodSecurityEnforced } from './kubernetes-namespace-pod-security-enforced';
import { kubernetesRoleNoWildcards } from './kubernetes-role-no-wildcards';
import { kubernetesRoleSecretsNotReadable } from './kubernetes-role-secrets-not-readable';
import { kubernetesSecretNotInCode } from './kubernetes-secret-not-in-code';
import { kubernetesServiceAccountTokenNotAutomounted } from './kubernetes-service-account-token-not-automounted';
import { kubernetesServiceNotExposedPublicly } from './kubernetes-service-not-exposed-publicly';
import { kubernetesWorkloadCapabilitiesDropped } from './kubernetes-workload-capabilities-dropped';
import { kubernetesWorkloadHostNamespacesNotShared } from './kubernetes-workload-host-namespaces-not-shared';
import { kubernetesWorkloadNotInDefaultNamespace } from './kubernetes-workload-not-in-default-namespace';
import { kubernetesWorkloadNotPrivileged } from './kubernetes-workload-not-privileged';
import { kubernetesWorkloadPrivilegeEscalationDisabled } from './kubernetes-workload-privilege-escalation-disabled';
import { kubernetesWorkloadProbesDefined } from './kubernetes-workload-probes-defined';
import { kubernetesWorkloadReadOnlyRootFilesystem } from './kubernetes-workload-read-only-root-filesystem';
import { kubernetesWorkloadResourcesBounded } from './kubernetes-workload-resources-bounded';
import { kubernetesWorkloadRunsAsNonRoot } from './kubernetes-workload-runs-as-non-root';
import { kubernetesWorkloadSeccompRuntimeDefault } from './kubernetes-workload-seccomp-runtime-default';
import { kubernetesWorkloadSecretsMountedAsFiles } from './kubernetes-workload-secrets-mounted-as-files';
import { kubernetesWorkloadServiceAccountTokenScoped } from './kubernetes-workload-service-account-token-scoped';
import { kubernetesWorkloadImagePinnedByDigest } from './kubernetes-workload-image-pinned-by-digest';

/** A deployment as cdktf writes it: one pod spec, containers as a list. */
function deployment(pod: Record<string, unknown>, ...containers: Record<string, unknown>[]) {
  return {
    'kubernetes_deployment_v1.app': {
      metadata: { name: 'ingest', namespace: 'iot' },
      spec: {
        replicas: '2',
        selector: { match_labels: { app: 'ingest' } },
        template: {
          metadata: { labels: { app: 'ingest' } },
          spec: {
            ...pod,
            container: containers.map((c, i) => ({
              name: `c${i}`,
              image: 'acr.io/ingest:1.0.0',
              ...c,
            })),
          },
        },
      },
    },
  };
}

const sc = (security_context: Record<string, unknown>) => ({ security_context });

testRule(kubernetesWorkloadRunsAsNonRoot, {
  compliant: [
    deployment({ security_context: { run_as_non_root: true } }, {}),
    deployment({}, sc({ run_as_non_root: 'true' }), sc({ run_as_non_root: true })),
  ],
  nonCompliant: [
    deployment({}, {}),
    deployment({ security_context: { run_as_non_root: true } }, sc({ run_as_non_root: false })),
    deployment({ security_context: { run_as_non_root: true } }, sc({ run_as_user: 0 })),
  ],
  unknown: [deployment({}, sc({ run_as_non_root: '${var.non_root}' }))],
});

// The pod spec sits at a different depth per workload kind; the same rule reads each.
testRule(kubernetesWorkloadRunsAsNonRoot, {
  compliant: [
    {
      'kubernetes_cron_job_v1.compact': {
        spec: {
          schedule: '0 * * * *',
          job_template: {
            spec: {
              template: {
                spec: {
                  security_context: { run_as_non_root: true },
                  container: [{ name: 'c', image: 'a:1.0.0' }],
                },
              },
            },
          },
        },
      },
    },
  ],
  nonCompliant: [
    { 'kubernetes_pod_v1.debug': { spec: { container: [{ name: 'c', image: 'a:1.0.0' }] } } },
  ],
});

testRule(kubernetesWorkloadPrivilegeEscalationDisabled, {
  compliant: [deployment({}, sc({ allow_privilege_escalation: false }))],
  nonCompliant: [deployment({}, {}), deployment({}, sc({ allow_privilege_escalation: false }), {})],
});

testRule(kubernetesWorkloadNotPrivileged, {
  compliant: [deployment({}, {}), deployment({}, sc({ privileged: false }))],
  nonCompliant: [deployment({}, sc({ privileged: true }))],
});

testRule(kubernetesWorkloadReadOnlyRootFilesystem, {
  compliant: [deployment({}, sc({ read_only_root_filesystem: true }))],
  nonCompliant: [deployment({}, {})],
});

testRule(kubernetesWorkloadCapabilitiesDropped, {
  compliant: [
    deployment({}, sc({ capabilities: { drop: ['ALL'] } })),
    deployment({}, sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })),
  ],
  nonCompliant: [
    deployment({}, {}),
    deployment({}, sc({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } })),
  ],
});

testRule(kubernetesWorkloadHostNamespacesNotShared, {
  compliant: [deployment({}, {}), deployment({ host_network: false }, {})],
  nonCompliant: [deployment({ host_pid: true }, {}), deployment({ host_network: 'true' }, {})],
});

const limits = {
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
};

testRule(kubernetesWorkloadResourcesBounded, {
  compliant: [deployment({}, limits)],
  nonCompliant: [deployment({}, {}), deployment({}, { resources: { requests: { cpu: '1' } } })],
});

const probes = {
  liveness_probe: { http_get: { path: '/livez', port: '8080' } },
  readiness_probe: { http_get: { path: '/readyz', port: '8080' } },
};

testRule(kubernetesWorkloadProbesDefined, {
  compliant: [deployment({}, probes)],
  nonCompliant: [deployment({}, { liveness_probe: probes.liveness_probe })],
});

testRule(kubernetesWorkloadSeccompRuntimeDefault, {
  compliant: [
    deployment({ security_context: { seccomp_profile: { type: 'RuntimeDefault' } } }, {}),
  ],
  nonCompliant: [
    deployment({}, {}),
    deployment({}, sc({ seccomp_profile: { type: 'Unconfined' } })),
  ],
});

testRule(kubernetesWorkloadSecretsMountedAsFiles, {
  compliant: [deployment({}, { env: [{ name: 'LOG_LEVEL', value: 'info' }] })],
  nonCompliant: [
    deployment(
      {},
      { env: [{ name: 'PGPASSWORD', value_from: { secret_key_ref: { name: 'db', key: 'pw' } } }] },
    ),
    deployment({}, { env_from: [{ secret_ref: { name: 'db' } }] }),
  ],
});

testRule(kubernetesWorkloadServiceAccountTokenScoped, {
  compliant: [
    deployment({ automount_service_account_token: false }, {}),
    deployment({ service_account_name: 'ingest' }, {}),
  ],
  nonCompliant: [deployment({}, {}), deployment({ service_account_name: 'default' }, {})],
});

testRule(kubernetesWorkloadNotInDefaultNamespace, {
  compliant: [
    deployment({}, {}),
    {
      'kubernetes_namespace_v1.ns': { metadata: { name: 'iot' } },
      'kubernetes_service_v1.svc': {
        metadata: { name: 's', namespace: '${kubernetes_namespace_v1.ns.metadata[0].name}' },
      },
    },
  ],
  nonCompliant: [
    { 'kubernetes_service_v1.svc': { metadata: { name: 's' } } },
    { 'kubernetes_config_map_v1.cm': { metadata: { name: 'c', namespace: 'default' } } },
  ],
});

const NS = 'kubernetes_namespace_v1.iot';
const denyAll = (namespace: string) => ({
  metadata: { name: 'default-deny', namespace },
  spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'] },
});

testRule(kubernetesNamespaceDefaultDenyNetworkPolicy, {
  compliant: [
    { [NS]: { metadata: { name: 'iot' } }, 'kubernetes_network_policy_v1.deny': denyAll('iot') },
    // policy_types omitted defaults to Ingress.
    {
      [NS]: { metadata: { name: 'iot' } },
      'kubernetes_network_policy_v1.deny': {
        metadata: { name: 'd', namespace: 'iot' },
        spec: { pod_selector: [{}] },
      },
    },
    // The namespace referenced through the graph rather than written literally.
    {
      [NS]: { metadata: [{ name: 'iot' }] },
      'kubernetes_network_policy_v1.deny': denyAll(
        '${kubernetes_namespace_v1.iot.metadata[0].name}',
      ),
    },
  ],
  nonCompliant: [
    { [NS]: { metadata: { name: 'iot' } } },
    { [NS]: { metadata: { name: 'iot' } }, 'kubernetes_network_policy_v1.deny': denyAll('other') },
    // An empty selector with an ingress rule allows that traffic to every pod: not a deny-all.
    {
      [NS]: { metadata: { name: 'iot' } },
      'kubernetes_network_policy_v1.p': {
        metadata: { name: 'allow-all-from-web', namespace: 'iot' },
        spec: {
          pod_selector: {},
          policy_types: ['Ingress'],
          ingress: [{ from: [{ pod_selector: {} }] }],
        },
      },
    },
    {
      [NS]: { metadata: { name: 'iot' } },
      'kubernetes_network_policy_v1.p': {
        metadata: { name: 'allow', namespace: 'iot' },
        spec: { pod_selector: { match_labels: { app: 'web' } }, policy_types: ['Ingress'] },
      },
    },
  ],
  unknown: [
    {
      [NS]: { metadata: { name: 'iot' } },
      'kubernetes_network_policy_v1.deny': denyAll('${var.ns}'),
    },
  ],
});

/** A ValidatingAdmissionPolicy implementing restricted, bound to `namespace` with `actions`. */
function admissionPolicy(namespace: string, actions: string[], level = 'restricted') {
  return {
    'kubernetes_manifest.vap': {
      manifest: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: {
          name: 'iot-restricted-except-mesh-init',
          labels: { 'iot.platform/pod-security-standard': level },
        },
        spec: { validations: [{ expression: 'true' }] },
      },
    },
    'kubernetes_manifest.binding': {
      manifest: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'iot-restricted-except-mesh-init' },
        spec: {
          policyName: 'iot-restricted-except-mesh-init',
          validationActions: actions,
          matchResources: {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          },
        },
      },
    },
  };
}
const privileged = {
  [NS]: {
    metadata: { name: 'iot', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
  },
};

testRule(kubernetesNamespacePodSecurityEnforced, {
  compliant: [
    {
      [NS]: {
        metadata: { name: 'iot', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    },
    // a meshed namespace: the label admits istio-init, an admission policy enforces restricted
    { ...privileged, ...admissionPolicy('iot', ['Deny']) },
  ],
  nonCompliant: [
    { [NS]: { metadata: { name: 'iot' } } },
    privileged,
    { ...privileged, ...admissionPolicy('other', ['Deny']) },
    { ...privileged, ...admissionPolicy('iot', ['Audit']) },
    { ...privileged, ...admissionPolicy('iot', ['Deny'], 'privileged') },
  ],
});

testRule(kubernetesServiceAccountTokenNotAutomounted, {
  compliant: [{ 'kubernetes_service_account_v1.sa': { automount_service_account_token: false } }],
  nonCompliant: [{ 'kubernetes_service_account_v1.sa': {} }],
});

const ROLE = 'kubernetes_cluster_role_v1.r';

testRule(kubernetesRoleNoWildcards, {
  compliant: [
    { [ROLE]: { rule: [{ api_groups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } },
  ],
  nonCompliant: [
    { [ROLE]: { rule: [{ api_groups: ['*'], resources: ['pods'], verbs: ['get'] }] } },
    { 'kubernetes_role_v1.r': { rule: [{ api_groups: [''], resources: ['pods'], verbs: ['*'] }] } },
  ],
});

testRule(kubernetesRoleSecretsNotReadable, {
  compliant: [
    { [ROLE]: { rule: [{ api_groups: [''], resources: ['configmaps'], verbs: ['get'] }] } },
  ],
  nonCompliant: [
    { [ROLE]: { rule: [{ api_groups: [''], resources: ['secrets'], verbs: ['list'] }] } },
    { [ROLE]: { rule: [{ api_groups: ['*'], resources: ['*'], verbs: ['get'] }] } },
  ],
});

testRule(kubernetesClusterAdminNotBound, {
  compliant: [
    { 'kubernetes_cluster_role_binding_v1.b': { role_ref: { kind: 'ClusterRole', name: 'view' } } },
  ],
  nonCompliant: [
    {
      'kubernetes_cluster_role_binding_v1.b': {
        role_ref: [{ kind: 'ClusterRole', name: 'cluster-admin' }],
      },
    },
  ],
});

testRule(kubernetesSecretNotInCode, {
  compliant: [
    {
      'kubernetes_secret_v1.s': {
        metadata: { name: 'db' },
        data: { password: '${random_password.db.result}' },
      },
    },
    { 'kubernetes_secret_v1.s': { metadata: { name: 'tls' }, type: 'kubernetes.io/tls' } },
  ],
  nonCompliant: [
    {
      'kubernetes_secret_v1.s': {
        metadata: { name: 'db' },
        data: { password: 'hunter2', user: '${var.user}' },
      },
    },
  ],
});

testRule(kubernetesServiceNotExposedPublicly, {
  compliant: [
    { 'kubernetes_service_v1.svc': { spec: { type: 'ClusterIP' } } },
    { 'kubernetes_service_v1.svc': { spec: {} } },
    {
      'kubernetes_service_v1.svc': {
        metadata: {
          annotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
        },
        spec: { type: 'LoadBalancer' },
      },
    },
  ],
  nonCompliant: [
    { 'kubernetes_service_v1.svc': { spec: { type: 'LoadBalancer' } } },
    { 'kubernetes_service_v1.svc': { spec: [{ type: 'NodePort' }] } },
  ],
  unknown: [{ 'kubernetes_service_v1.svc': { spec: { type: '${var.type}' } } }],
});

const DIGEST = `sha256:${'a'.repeat(64)}`;
/** A deployment whose containers use the given images. */
const withImages = (...images: string[]) => deployment({}, ...images.map((image) => ({ image })));

testRule(kubernetesWorkloadImagePinnedByDigest, {
  compliant: [
    withImages(`acr.io/ingest@${DIGEST}`),
    // A tag kept for readers next to the digest: the digest decides what is pulled.
    withImages(`acr.azurecr.io/iot/ingest:1.4.2@${DIGEST}`),
    withImages(`acr.io/ingest@sha512:${'b'.repeat(128)}`),
    // Registry host from another stack, repository and digest literal.
    withImages(`\${data.terraform_remote_state.platform.outputs.acr}/iot/ingest@${DIGEST}`),
  ],
  nonCompliant: [
    withImages('nginx'),
    withImages('acr.io/ingest:latest'),
    // A release tag is still a tag: the registry can move it (the old heuristic passed these).
    withImages('acr.azurecr.io/iot/ingest:1.4.2'),
    withImages('localhost:5000/ingest:3f2c1ab'),
    withImages('${data.terraform_remote_state.platform.outputs.acr}/iot/ingest:0.1.0'),
    // One digest-pinned container does not excuse another.
    withImages(`acr.io/ingest@${DIGEST}`, 'acr.io/sidecar:2.0.0'),
    // Not a digest: too short.
    withImages('acr.io/ingest@sha256:abc123'),
  ],
  unknown: [
    withImages('${var.image}'),
    // The digest or tag resolves only at apply time.
    withImages('acr.io/ingest@${var.digest}'),
    withImages('acr.io/ingest:${var.tag}'),
  ],
});

/** A digest variable as cdktf writes it, with the given validation conditions. */
const digestVar = (conditions: string[], extra: Record<string, unknown> = {}) => ({
  type: 'string',
  ...extra,
  validation: conditions.map((condition) => ({
    condition,
    error_message: 'Give the image digest (sha256:<64 hex>).',
  })),
});
const VALIDATED = '${can(regex("^sha256:[a-f0-9]{64}$", var.ingest_image_digest))}';
const REGISTRY = '${data.terraform_remote_state.platform.outputs.acr}';
/** The workloads stack's shape: registry from the platform stack, digest from a variable. */
const byVariable = (image: string, variable: Record<string, unknown>) => ({
  'variable.ingest_image_digest': variable,
  ...withImages(image),
});

// Digests passed in at deploy time: PASS only when the variable admits nothing but a digest.
testRule(kubernetesWorkloadImagePinnedByDigest, {
  compliant: [
    byVariable(`${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`, digestVar([VALIDATED])),
    // Several validations: one of them is the digest check.
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar(['${length(var.ingest_image_digest) > 0}', VALIDATED]),
    ),
    // A validated default that is itself a digest.
    byVariable(
      `acr.io/iot/ingest@\${var.ingest_image_digest}`,
      digestVar([VALIDATED], { default: DIGEST }),
    ),
  ],
  nonCompliant: [
    // Declared, but nothing stops a tag-like value.
    byVariable(`${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`, digestVar([])),
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar(['${length(var.ingest_image_digest) > 0}']),
    ),
    // A pattern that admits a tag ("sha256:" is not enforced, or the anchor is missing).
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar(['${can(regex("[a-f0-9]{64}", var.ingest_image_digest))}']),
    ),
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar(['${can(regex("^sha256:.*$", var.ingest_image_digest))}']),
    ),
    // The check reads another variable than the one in the image.
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar(['${can(regex("^sha256:[a-f0-9]{64}$", var.other))}']),
    ),
    // A default that is a tag.
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar([VALIDATED], { default: '0.1.0' }),
    ),
    // Not a string.
    byVariable(
      `${REGISTRY}/iot/ingest@\${var.ingest_image_digest}`,
      digestVar([VALIDATED], { type: 'list(string)' }),
    ),
  ],
  unknown: [
    // A tag from a validated digest variable is still a tag position: never PASS.
    byVariable(`${REGISTRY}/iot/ingest:\${var.ingest_image_digest}`, digestVar([VALIDATED])),
  ],
});
