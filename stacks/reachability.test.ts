import { TerraformStack, Testing } from 'cdktf';
import { buildApp } from './app';
import { dev, prod } from './environments';
import type { EnvironmentConfig } from './environments';
import { Reachability } from './reachability';
import type { Endpoint, PodEndpoint } from './reachability';
import { webhookHosts } from './workloads-stack';

/**
 * Part 4's proof: every flow the architecture needs is allowed, every other one is denied, as
 * computed from the synthesized NetworkPolicies, CiliumNetworkPolicies and Istio policies of
 * each environment's workloads stack (stacks/reachability.ts models how the cluster enforces
 * them). Dev gets an alert webhook so processing's internet egress is exercised.
 */
const WEBHOOK = 'https://hooks.contoso.com/iot/alerts';
const ENVS: EnvironmentConfig[] = [
  { ...dev, workloads: { ...dev.workloads, alertWebhookUrls: [WEBHOOK] } },
  prod,
];

function synth(env: EnvironmentConfig): { workloads: object; platform: object } {
  const [stacks] = buildApp(Testing.app(), [env]);
  return {
    workloads: JSON.parse(Testing.synth(stacks.workloads)) as object,
    platform: JSON.parse(Testing.synth(stacks.platform)) as object,
  };
}

/** The `n`-th address of an IPv4 prefix. */
function hostIn(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const x = base.split('.').reduce((a, p) => a * 256 + Number(p), 0) + n;
  return [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
}

const ENTRA_IP = '20.190.160.1';
const WEBHOOK_IP = '52.10.20.30';
const INTERNET_IP = '93.184.215.14';
const HEC_IP = '52.10.20.40';
const DNS = new Map([
  ['login.microsoftonline.com', ENTRA_IP],
  ['hooks.contoso.com', WEBHOOK_IP],
  ['hec.splunk.contoso.com', HEC_IP],
  ['example.org', INTERNET_IP],
]);

const pod = (
  namespace: string,
  labels: Record<string, string>,
  serviceAccount?: string,
  sidecar = false,
): PodEndpoint => ({ kind: 'pod', namespace, labels, serviceAccount, sidecar });

const coreDns = pod('kube-system', { 'k8s-app': 'kube-dns' });
const otherKubeSystem = pod('kube-system', { component: 'konnectivity-agent' });
const istiod = pod('aks-istio-system', { app: 'istiod' });
const gateway = pod(
  'aks-istio-ingress',
  { istio: 'aks-istio-ingressgateway-internal' },
  'aks-istio-ingressgateway-internal',
  true,
);
const otherInGatewayNs = pod('aks-istio-ingress', { app: 'debug' }, 'debug', true);
const metricsAgent = pod('kube-system', { rsName: 'ama-metrics' }, 'ama-metrics-serviceaccount');
const defaultNsPod = pod('default', { app: 'curl' });
const meshedElsewhere = pod('apps', { app: 'curl' }, 'curl', true);

type Row = [string, Endpoint, Endpoint, number, 'TCP' | 'UDP', boolean];

describe.each(ENVS.map((e) => [e.name, e] as const))('reachability in %s', (_name, env) => {
  const stacks = synth(env);
  const r = new Reachability(stacks.workloads as Record<string, unknown>, DNS);
  const net = env.platform.network;
  const ingest = r.pod('ingest');
  const analysis = r.pod('analysis');
  const processing = r.pod('processing');
  const forwarder = r.pod('splunk-forwarder');
  const workloads = [ingest, analysis, processing, forwarder];
  const appPort = (w: PodEndpoint) =>
    w === ingest ? 8080 : w === analysis ? 8081 : w === processing ? 8082 : 8083;
  const name = (p: PodEndpoint) => p.labels['app.kubernetes.io/name'];
  const address = (ip: string, host?: string): Endpoint => ({ kind: 'address', ip, host });
  const privateEndpoint = address(hostIn(net.privateEndpointsPrefix, 4));
  const postgres = address(hostIn(net.postgresPrefix, 4));
  const apim = address(hostIn(net.apiManagementPrefix, 5));
  const kafka =
    env.platform.backbone.kind === 'hdinsight'
      ? address(hostIn(net.hdinsightPrefix!, 10))
      : privateEndpoint;
  const entra = address(ENTRA_IP, 'login.microsoftonline.com');
  const hooks = address(WEBHOOK_IP, 'hooks.contoso.com');
  const hec = address(HEC_IP, 'hec.splunk.contoso.com');
  const webhooks = (env.workloads.alertWebhookUrls ?? []).length > 0;

  const allowed: Row[] = [
    ...workloads.flatMap((w): Row[] => [
      [`${name(w)} → cluster DNS (udp)`, w, coreDns, 53, 'UDP', true],
      [`${name(w)} → cluster DNS (tcp)`, w, coreDns, 53, 'TCP', true],
      [`${name(w)} → Entra ID token endpoint`, w, entra, 443, 'TCP', true],
      [`${name(w)} → istiod xDS`, w, istiod, 15012, 'TCP', true],
      [`${name(w)} → Kafka brokers`, w, kafka, 9093, 'TCP', true],
      [`monitoring agent → ${name(w)} merged metrics`, metricsAgent, w, 15020, 'TCP', true],
    ]),
    ['ingest → Cosmos DB private endpoint', ingest, privateEndpoint, 443, 'TCP', true],
    ['processing → PostgreSQL', processing, postgres, 5432, 'TCP', true],
    [
      'processing → Managed Redis private endpoint',
      processing,
      privateEndpoint,
      10000,
      'TCP',
      true,
    ],
    ['APIM subnet → internal ingress gateway', apim, gateway, 443, 'TCP', true],
    ['internal ingress gateway → ingest', gateway, ingest, 8080, 'TCP', true],
    [
      'internal ingress gateway with a revision-suffixed service account → ingest',
      { ...gateway, serviceAccount: 'aks-istio-ingressgateway-internal-asm-1-29' },
      ingest,
      8080,
      'TCP',
      true,
    ],
    ...(webhooks
      ? ([['processing → alert webhook host', processing, hooks, 443, 'TCP', true]] as Row[])
      : []),
    ['splunk-forwarder → Splunk HEC on its port', forwarder, hec, 8088, 'TCP', true],
  ];

  const denied: Row[] = [
    ...workloads.flatMap((w): Row[] => [
      [`${name(w)} → the internet`, w, address(INTERNET_IP, 'example.org'), 443, 'TCP', false],
      [
        `${name(w)} → Entra's address without resolving it`,
        w,
        address(ENTRA_IP),
        443,
        'TCP',
        false,
      ],
      [`${name(w)} → Entra on port 80`, w, entra, 80, 'TCP', false],
      [`${name(w)} → a public DNS server`, w, address('8.8.8.8'), 53, 'UDP', false],
      [`${name(w)} → another kube-system pod on 53`, w, otherKubeSystem, 53, 'UDP', false],
      [`${name(w)} → istiod's webhook port`, w, istiod, 15017, 'TCP', false],
      [
        `monitoring agent → ${name(w)} app port (plaintext)`,
        metricsAgent,
        w,
        appPort(w),
        'TCP',
        false,
      ],
      [`a pod in default → ${name(w)}`, defaultNsPod, w, appPort(w), 'TCP', false],
    ]),
    ['APIM subnet → ingest directly', apim, ingest, 8080, 'TCP', false],
    ['a meshed pod of another namespace → ingest', meshedElsewhere, ingest, 8080, 'TCP', false],
    ['another pod in the gateway namespace → ingest', otherInGatewayNs, ingest, 8080, 'TCP', false],
    [
      "a pod with the gateway's labels but another identity → ingest",
      { ...gateway, serviceAccount: 'impostor' },
      ingest,
      8080,
      'TCP',
      false,
    ],
    ['internal ingress gateway → analysis', gateway, analysis, 8081, 'TCP', false],
    ['internal ingress gateway → processing', gateway, processing, 8082, 'TCP', false],
    ['ingest → analysis', ingest, analysis, 8081, 'TCP', false],
    ['analysis → processing', analysis, processing, 8082, 'TCP', false],
    ['processing → ingest', processing, ingest, 8080, 'TCP', false],
    ['ingest → a pod in default', ingest, defaultNsPod, 8080, 'TCP', false],
    ['analysis → PostgreSQL', analysis, postgres, 5432, 'TCP', false],
    ['ingest → PostgreSQL', ingest, postgres, 5432, 'TCP', false],
    ['analysis → Cosmos DB private endpoint', analysis, privateEndpoint, 443, 'TCP', false],
    ['processing → Cosmos DB private endpoint', processing, privateEndpoint, 443, 'TCP', false],
    ['ingest → Managed Redis private endpoint', ingest, privateEndpoint, 10000, 'TCP', false],
    ['analysis → Managed Redis private endpoint', analysis, privateEndpoint, 10000, 'TCP', false],
    ['ingest → alert webhook host', ingest, hooks, 443, 'TCP', false],
    ['splunk-forwarder → Splunk HEC on another port', forwarder, hec, 443, 'TCP', false],
    ['splunk-forwarder → alert webhook host', forwarder, hooks, 443, 'TCP', false],
    [
      'splunk-forwarder → Cosmos DB private endpoint',
      forwarder,
      privateEndpoint,
      443,
      'TCP',
      false,
    ],
    ['splunk-forwarder → PostgreSQL', forwarder, postgres, 5432, 'TCP', false],
    ['splunk-forwarder → processing', forwarder, processing, 8082, 'TCP', false],
    ['internal ingress gateway → splunk-forwarder', gateway, forwarder, 8083, 'TCP', false],
    ...[ingest, analysis, processing].map(
      (w): Row => [`${name(w)} → Splunk HEC`, w, hec, 8088, 'TCP', false],
    ),
    ['analysis → alert webhook host', analysis, hooks, 443, 'TCP', false],
    ...(webhooks
      ? []
      : ([
          ['processing → an unconfigured webhook host', processing, hooks, 443, 'TCP', false],
        ] as Row[])),
  ];

  it.each([...allowed, ...denied])(
    '%s: port %i/%s',
    (_what, from, to, port, protocol, expected) => {
      const verdict = r.check({ from, to, port, protocol });
      expect({ allowed: verdict.allowed, reason: verdict.reason }).toEqual({
        allowed: expected,
        reason: expect.any(String),
      });
    },
  );

  // FQDN rules are enforced only with ACNS container network security on the cluster.
  it('runs on a cluster that enforces FQDN egress rules', () => {
    const clusters = Object.values(
      (stacks.platform as { resource: Record<string, Record<string, Record<string, unknown>>> })
        .resource.azurerm_kubernetes_cluster,
    );
    expect(clusters).toHaveLength(1);
    expect(clusters[0].network_profile).toMatchObject({
      network_data_plane: 'cilium',
      advanced_networking: { security_enabled: true },
    });
  });
});

describe('alert webhooks', () => {
  it('reach processing as ALERT_WEBHOOK_URLS', () => {
    const [stacks] = buildApp(Testing.app(), [ENVS[0]]);
    const json = JSON.parse(Testing.synth(stacks.workloads)) as {
      resource: {
        kubernetes_deployment_v1: Record<
          string,
          {
            metadata: { name: string };
            spec: {
              template: { spec: { container: { env: { name: string; value: string }[] }[] } };
            };
          }
        >;
      };
    };
    const envOf = (name: string) =>
      Object.values(json.resource.kubernetes_deployment_v1)
        .find((d) => d.metadata.name === name)!
        .spec.template.spec.container[0].env.filter((e) => e.name === 'ALERT_WEBHOOK_URLS');
    expect(envOf('processing')).toEqual([{ name: 'ALERT_WEBHOOK_URLS', value: WEBHOOK }]);
    expect(envOf('ingest')).toEqual([]);
  });

  it.each([
    ['http://hooks.contoso.com/x', /an https:\/\/ URL on port 443/],
    ['https://hooks.contoso.com:8443/x', /an https:\/\/ URL on port 443/],
    ['not a url', /an https:\/\/ URL on port 443/],
    ['https://user:pw@hooks.contoso.com/x', /"\(credentials redacted\)": a URL without user info/],
  ])('reject %s', (url, message) => {
    const stack = new TerraformStack(Testing.app(), 'iot-dev-workloads');
    expect(() => webhookHosts(stack, [url])).toThrow(message);
  });
});

describe('the reachability model', () => {
  const stack = {
    resource: {
      kubernetes_namespace_v1: {
        a: { metadata: { name: 'a' } },
        m: { metadata: { name: 'm', labels: { 'istio.io/rev': 'asm-1-29' } } },
      },
      kubernetes_network_policy_v1: {
        x: {
          metadata: { name: 'x', namespace: '${kubernetes_namespace_v1.a.metadata[0].name}' },
          spec: {
            pod_selector: { match_labels: { app: 'x' } },
            policy_types: ['Ingress'],
            ingress: [
              {
                from: [{ ip_block: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }],
                ports: [{ port: '80', protocol: 'TCP' }],
              },
            ],
          },
        },
      },
      kubernetes_manifest: {
        strict: {
          manifest: {
            kind: 'PeerAuthentication',
            metadata: { name: 'default', namespace: 'm' },
            spec: { mtls: { mode: 'STRICT' } },
          },
        },
        deny: {
          manifest: {
            kind: 'AuthorizationPolicy',
            metadata: { name: 'deny-evil', namespace: 'm' },
            spec: { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['evil'] } }] }] },
          },
        },
      },
    },
  };
  const r = new Reachability(stack);
  const x = pod('a', { app: 'x' });
  const y = pod('m', { app: 'y' }, 'y', true);
  const at = (ip: string): Endpoint => ({ kind: 'address', ip });

  it.each([
    ['an address inside the ipBlock', at('10.0.2.5'), x, 80, true],
    ['an address in the except range', at('10.0.1.5'), x, 80, false],
    ['another port', at('10.0.2.5'), x, 81, false],
    ['a pod (ipBlocks match outside the pod network only)', pod('b', { app: 'z' }), x, 80, false],
    ['a pod without egress policies to the internet', x, at('93.184.215.14'), 443, true],
    ['a meshed pod into a STRICT namespace', pod('c', { app: 'c' }, 'c', true), y, 8080, true],
    ['a pod without a sidecar into a STRICT namespace', pod('c', { app: 'c' }), y, 8080, false],
    ['the proxy port without a sidecar', pod('c', { app: 'c' }), y, 15020, true],
    ['a meshed pod of a denied namespace', pod('evil', { app: 'e' }, 'e', true), y, 8080, false],
  ] as const)('%s', (_what, from, to, port, expected) => {
    expect(r.check({ from, to, port }).allowed).toBe(expected);
  });

  it('refuses expressions it cannot read rather than guessing', () => {
    expect(
      () =>
        new Reachability({
          resource: {
            kubernetes_network_policy_v1: {
              p: { metadata: { namespace: '${var.ns}' }, spec: { pod_selector: {} } },
            },
          },
        }),
    ).toThrow(/an expression the model cannot read: \$\{var.ns\}/);
  });
});
