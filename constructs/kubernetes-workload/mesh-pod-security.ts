import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ValidationError, isUnresolved, validateName } from '../core';
import { KUBERNETES_NAME } from './kubernetes-name';

/**
 * Image repository of the AKS Istio add-on's proxy (the `istio-init` and `istio-proxy`
 * containers the injector adds).
 */
export const AKS_ISTIO_PROXY_IMAGE = 'mcr.microsoft.com/oss/istio/proxyv2';

/** Label the policy carries so the policy gate knows which standard it enforces. */
export const POD_SECURITY_STANDARD_LABEL = 'iot.platform/pod-security-standard';

/** Props of {@link MeshPodSecurityAdmission}. */
export interface MeshPodSecurityAdmissionProps {
  /** Namespace whose pods the policy admits (DNS-1123 label). */
  readonly namespace: string;
  /**
   * Repository of the mesh's proxy image; only an `istio-init` container from it is exempt.
   * @default AKS_ISTIO_PROXY_IMAGE - the AKS Istio add-on's proxyv2
   */
  readonly meshProxyImage?: string;
}

/** Sysctls the Pod Security Standards call safe (baseline and restricted allow only these). */
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

const list = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

/** `c` has securityContext.<path> set (every step checked, as CEL requires). */
const sc = (path: string) => {
  const parts = path.split('.');
  const steps = parts.map(
    (_, i) =>
      `has(c.securityContext${parts
        .slice(0, i + 1)
        .map((p) => `.${p}`)
        .join('')})`,
  );
  return `(${['has(c.securityContext)', ...steps].join(' && ')})`;
};
const podSc = (field: string) =>
  `(has(object.spec.securityContext) && has(object.spec.securityContext.${field}))`;

/**
 * The checks of the `restricted` Pod Security Standard (Kubernetes docs, "Pod Security
 * Standards", v1.30) written as CEL over a Pod, for every container but the mesh's init
 * container. Each entry is one rule with the message the API server returns.
 */
function validations(): { expression: string; message: string }[] {
  return [
    {
      expression:
        '!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && !(has(object.spec.hostPID) && object.spec.hostPID) && !(has(object.spec.hostIPC) && object.spec.hostIPC)',
      message: 'host namespaces (hostNetwork, hostPID, hostIPC) are not allowed',
    },
    {
      expression: `variables.all.all(c, !${sc('privileged')} || c.securityContext.privileged == false)`,
      message: 'privileged containers are not allowed',
    },
    {
      expression: `variables.all.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))`,
      message: 'host ports are not allowed',
    },
    {
      expression: `variables.checked.all(c, ${sc('allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false)`,
      message: 'containers must set securityContext.allowPrivilegeEscalation=false',
    },
    {
      expression: `variables.checked.all(c, ${sc('capabilities.drop')} && 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(a, a == 'NET_BIND_SERVICE')))`,
      message:
        'containers must drop ALL capabilities and may add only NET_BIND_SERVICE (the mesh init container excepted)',
    },
    {
      expression: `variables.checked.all(c, ${sc('runAsNonRoot')} ? c.securityContext.runAsNonRoot == true : (${podSc('runAsNonRoot')} && object.spec.securityContext.runAsNonRoot == true))`,
      message: 'containers must run with runAsNonRoot=true (the mesh init container excepted)',
    },
    {
      expression: `variables.checked.all(c, ${sc('runAsUser')} ? c.securityContext.runAsUser != 0 : !(${podSc('runAsUser')} && object.spec.securityContext.runAsUser == 0))`,
      message: 'containers must not run as uid 0 (the mesh init container excepted)',
    },
    {
      expression: `variables.all.all(c, ${sc('seccompProfile')} ? c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost'] : (${podSc('seccompProfile')} && object.spec.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']))`,
      message: 'containers must use the RuntimeDefault or a Localhost seccomp profile',
    },
    {
      expression:
        '!has(object.spec.volumes) || object.spec.volumes.all(v, has(v.configMap) || has(v.csi) || has(v.downwardAPI) || has(v.emptyDir) || has(v.ephemeral) || has(v.persistentVolumeClaim) || has(v.projected) || has(v.secret))',
      message:
        'volumes are limited to configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret',
    },
    {
      expression: `!(${podSc('sysctls')}) || object.spec.securityContext.sysctls.all(s, s.name in ${list(SAFE_SYSCTLS)})`,
      message: 'only the safe sysctls of the Pod Security Standards are allowed',
    },
    {
      expression: `variables.all.all(c, !${sc('procMount')} || c.securityContext.procMount == 'Default')`,
      message: 'procMount must be Default',
    },
    {
      expression: `variables.all.all(c, !${sc('appArmorProfile')} || c.securityContext.appArmorProfile.type != 'Unconfined') && !(${podSc('appArmorProfile')} && object.spec.securityContext.appArmorProfile.type == 'Unconfined')`,
      message: 'AppArmor must not be Unconfined',
    },
    {
      expression: `variables.all.all(c, !${sc('seLinuxOptions')} || (!has(c.securityContext.seLinuxOptions.user) && !has(c.securityContext.seLinuxOptions.role)))`,
      message: 'SELinux user and role must not be set',
    },
    {
      // The one exemption is narrow: the mesh's own image, and only the two capabilities its
      // iptables setup needs, never privileged or escalating.
      expression: `variables.meshInit.all(c, (!${sc('privileged')} || c.securityContext.privileged == false) && ${sc('allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false && (!${sc('capabilities.add')} || c.securityContext.capabilities.add.all(a, a in ['NET_ADMIN', 'NET_RAW'])))`,
      message: 'the mesh init container may add only NET_ADMIN and NET_RAW, unprivileged',
    },
  ];
}

/**
 * Enforces the `restricted` Pod Security Standard on a namespace's pods with a Kubernetes
 * ValidatingAdmissionPolicy (CEL, GA since Kubernetes 1.30) and its binding, exempting only
 * the Istio add-on's `istio-init` container from the mesh's own image, and that container only
 * from the capability and user checks its iptables setup needs (NET_ADMIN, NET_RAW, uid 0).
 * Pod Security Admission cannot exempt one container, so a meshed namespace that enforced
 * `restricted` through its labels would reject every pod (see docs/adr/0005).
 *
 * @example
 * new MeshPodSecurityAdmission(this, 'PodSecurity', { namespace: 'iot' });
 */
export class MeshPodSecurityAdmission extends Construct {
  /** Name of the ValidatingAdmissionPolicy (cluster-scoped). */
  public readonly policyName: string;
  /** The `ValidatingAdmissionPolicy` manifest. */
  public readonly policy: Manifest;
  /** The `ValidatingAdmissionPolicyBinding` manifest. */
  public readonly binding: Manifest;

  constructor(scope: Construct, id: string, props: MeshPodSecurityAdmissionProps) {
    super(scope, id);
    validateName(this, 'namespace', props.namespace, KUBERNETES_NAME);
    const image = props.meshProxyImage ?? AKS_ISTIO_PROXY_IMAGE;
    if (!isUnresolved(image) && !/^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+$/.test(image)) {
      throw new ValidationError(
        this,
        'meshProxyImage',
        image,
        'a registry/repository without tag or digest, e.g. mcr.microsoft.com/oss/istio/proxyv2',
      );
    }
    this.policyName = `${props.namespace}-restricted-except-mesh-init`;
    const isMeshInit = `c.name == 'istio-init' && (c.image.startsWith('${image}:') || c.image.startsWith('${image}@'))`;
    this.policy = new Manifest(this, 'Policy', {
      manifest: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: {
          name: this.policyName,
          labels: { [POD_SECURITY_STANDARD_LABEL]: 'restricted' },
        },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: [''],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['pods', 'pods/ephemeralcontainers'],
              },
            ],
          },
          variables: [
            {
              name: 'all',
              expression:
                'object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : []) + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])',
            },
            { name: 'checked', expression: `variables.all.filter(c, !(${isMeshInit}))` },
            { name: 'meshInit', expression: `variables.all.filter(c, ${isMeshInit})` },
          ],
          validations: validations(),
        },
      },
    });
    this.binding = new Manifest(this, 'Binding', {
      dependsOn: [this.policy],
      manifest: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: this.policyName },
        spec: {
          policyName: this.policyName,
          validationActions: ['Deny'],
          matchResources: {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': props.namespace },
            },
          },
        },
      },
    });
  }
}
