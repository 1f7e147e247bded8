import { testRule } from '../../testing';
import { kubernetesWorkloadIdentityEgressAllowed } from './kubernetes-workload-identity-egress-allowed';

const LABELS = { 'app.kubernetes.io/name': 'ingest', 'azure.workload.identity/use': 'true' };
const deployment = (labels: Record<string, string> = LABELS) => ({
  'kubernetes_deployment_v1.ingest': {
    metadata: { name: 'ingest', namespace: 'iot' },
    spec: {
      selector: { match_labels: { 'app.kubernetes.io/name': 'ingest' } },
      template: {
        metadata: { labels },
        spec: { container: [{ name: 'ingest', image: 'acr.io/ingest:1.0.0' }] },
      },
    },
  },
});
const denyAll = (namespace = 'iot') => ({
  'kubernetes_network_policy_v1.deny': {
    metadata: { name: 'default-deny-all', namespace },
    spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'] },
  },
});
const dnsOnly = {
  'kubernetes_network_policy_v1.dns': {
    metadata: { name: 'allow-dns', namespace: 'iot' },
    spec: {
      pod_selector: {},
      policy_types: ['Egress'],
      egress: [
        {
          to: [
            {
              namespace_selector: {
                match_labels: { 'kubernetes.io/metadata.name': 'kube-system' },
              },
            },
          ],
          ports: [{ port: '53', protocol: 'UDP' }],
        },
      ],
    },
  },
};
const fqdnPolicy = (
  fqdn: Record<string, string>,
  selector = { 'app.kubernetes.io/name': 'ingest' },
  port = '443',
) => ({
  'kubernetes_manifest.fqdn': {
    manifest: {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'ingest-fqdn-egress', namespace: 'iot' },
      spec: {
        endpointSelector: { matchLabels: selector },
        egress: [{ toFQDNs: [fqdn], toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] }],
      },
    },
  },
});

testRule(kubernetesWorkloadIdentityEgressAllowed, {
  compliant: [
    {
      ...deployment(),
      ...denyAll(),
      ...dnsOnly,
      ...fqdnPolicy({ matchName: 'login.microsoftonline.com' }),
    },
    { ...deployment(), ...denyAll(), ...fqdnPolicy({ matchPattern: '*.microsoftonline.com' }) },
    // egress not restricted at all
    { ...deployment() },
    // a default deny in another namespace does not apply
    { ...deployment(), ...denyAll('other') },
    // 443 to anywhere
    {
      ...deployment(),
      ...denyAll(),
      'kubernetes_network_policy_v1.https': {
        metadata: { name: 'https', namespace: 'iot' },
        spec: {
          pod_selector: {},
          policy_types: ['Egress'],
          egress: [
            {
              to: [{ ip_block: { cidr: '0.0.0.0/0' } }],
              ports: [{ port: '443', protocol: 'TCP' }],
            },
          ],
        },
      },
    },
  ],
  nonCompliant: [
    // the finding: default deny plus DNS, private endpoints and Kafka only
    { ...deployment(), ...denyAll(), ...dnsOnly },
    // an FQDN policy for the wrong pods, host or port
    {
      ...deployment(),
      ...denyAll(),
      ...fqdnPolicy(
        { matchName: 'login.microsoftonline.com' },
        { 'app.kubernetes.io/name': 'analysis' },
      ),
    },
    { ...deployment(), ...denyAll(), ...fqdnPolicy({ matchName: 'hooks.contoso.com' }) },
    {
      ...deployment(),
      ...denyAll(),
      ...fqdnPolicy({ matchName: 'login.microsoftonline.com' }, undefined, '80'),
    },
  ],
  unknown: [
    {
      ...deployment(),
      ...denyAll(),
      'kubernetes_network_policy_v1.x': {
        metadata: { name: 'x', namespace: '${var.ns}' },
        spec: { pod_selector: {}, policy_types: ['Egress'] },
      },
    },
  ],
  notApplicable: [{ ...deployment({ 'app.kubernetes.io/name': 'ingest' }), ...denyAll() }],
});
