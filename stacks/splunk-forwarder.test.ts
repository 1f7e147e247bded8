// The Splunk forwarder in the workloads stack (and what the platform stack gives its identity):
// the hardened deployment, the HEC token from Key Vault through the CSI driver, egress to the
// HEC host and port only, Kafka on its own consumer group.
import { TerraformStack, Testing } from 'cdktf';
import { buildApp } from './app';
import { dev, prod } from './environments';
import type { EnvironmentConfig, SplunkSettings } from './environments';
import { splunkHecEndpoint } from './splunk-forwarder';

type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface Synth {
  resource: Resources;
  variable?: Record<string, unknown>;
}

function synth(env: EnvironmentConfig): { workloads: Synth; platform: Synth } {
  const [stacks] = buildApp(Testing.app(), [env]);
  return {
    workloads: JSON.parse(Testing.synth(stacks.workloads)) as Synth,
    platform: JSON.parse(Testing.synth(stacks.platform)) as Synth,
  };
}

const manifests = (s: Synth, kind: string) =>
  Object.values(s.resource.kubernetes_manifest ?? {})
    .map(
      (m) =>
        m.manifest as { kind: string; metadata: { name: string }; spec: Record<string, unknown> },
    )
    .filter((m) => m.kind === kind);

interface Container {
  image: string;
  env: { name: string; value: string }[];
  port: { container_port: number }[];
  volume_mount: { name: string; mount_path: string; read_only?: boolean }[];
  security_context: Record<string, unknown>;
}
function deployment(s: Synth, name: string) {
  const d = Object.values(s.resource.kubernetes_deployment_v1).find(
    (x) => (x.metadata as { name: string }).name === name,
  ) as
    | {
        spec: {
          template: {
            spec: {
              container: Container[];
              volume: {
                name: string;
                csi?: { driver: string; volume_attributes: Record<string, string> };
              }[];
              service_account_name: string;
            };
          };
        };
      }
    | undefined;
  return d;
}
const envOf = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));

describe.each([
  ['dev', dev],
  ['prod', prod],
] as const)('splunk forwarder in %s', (name, env) => {
  const stacks = synth(env);
  const d = deployment(stacks.workloads, 'splunk-forwarder')!;
  const container = d.spec.template.spec.container[0];
  const hdinsight = env.platform.backbone.kind === 'hdinsight';

  it('runs the forwarder image by digest, with the HEC settings of the environment', () => {
    expect(container.image).toMatch(
      /\/iot\/splunk-forwarder@\$\{var\.splunk_forwarder_image_digest\}$/,
    );
    expect(envOf(container)).toMatchObject({
      SPLUNK_HEC_URL: env.workloads.splunk!.hecUrl,
      SPLUNK_HEC_TOKEN_FILE: '/mnt/secrets/splunk/hec-token',
      SPLUNK_HEC_ACKS: 'true',
      SPLUNK_INDEX: env.workloads.splunk!.index,
      CONSUMER_GROUP: 'splunk-forwarder',
      PORT: '8083',
      KAFKA_MODE: hdinsight ? 'hdinsight' : 'eventhubs',
      ...(hdinsight ? { KAFKA_TLS_CA_FILE: '/mnt/secrets/splunk/ca.pem' } : {}),
    });
    expect(envOf(container).SPLUNK_HEC_TOKEN).toBeUndefined();
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
    });
    expect(d.spec.template.spec.service_account_name).toBe('splunk-forwarder');
  });

  it('mounts the HEC token from Key Vault as its own identity through the CSI driver', () => {
    const volume = d.spec.template.spec.volume.find((v) => v.csi)!;
    expect(volume.csi).toEqual({
      driver: 'secrets-store.csi.k8s.io',
      read_only: true,
      volume_attributes: { secretProviderClass: 'splunk-forwarder-secrets' },
    });
    expect(container.volume_mount).toContainEqual({
      name: volume.name,
      mount_path: '/mnt/secrets/splunk',
      read_only: true,
    });
    const spc = manifests(stacks.workloads, 'SecretProviderClass').find(
      (m) => m.metadata.name === 'splunk-forwarder-secrets',
    )!;
    const params = spc.spec.parameters as Record<string, string>;
    expect(params.usePodIdentity).toBe('false');
    expect(params.clientID).toMatch(/SplunkForwarderIdentity/);
    expect(params.objects).toContain('objectName: splunk-hec-token');
    expect(params.objects).toContain('objectAlias: hec-token');
    expect(params.objects.includes('objectName: kafka-ca-bundle')).toBe(hdinsight);
    // the token never lands in a Kubernetes secret
    expect(spc.spec.secretObjects).toBeUndefined();
  });

  it('opens egress to the HEC host on its port and to Kafka, nothing else', () => {
    const hec = manifests(stacks.workloads, 'CiliumNetworkPolicy').find(
      (m) => m.metadata.name === 'splunk-forwarder-hec-egress',
    )!;
    expect(hec.spec.egress).toContainEqual({
      toFQDNs: [{ matchName: 'hec.splunk.contoso.com' }],
      toPorts: [{ ports: [{ port: '8088', protocol: 'TCP' }] }],
    });
    const egress = Object.values(stacks.workloads.resource.kubernetes_network_policy_v1).find(
      (p) => (p.metadata as { name: string }).name === 'splunk-forwarder-egress',
    )!;
    const rules = (egress.spec as { egress: { ports: { port: string }[] }[] }).egress;
    expect(rules.map((r) => r.ports.map((p) => p.port))).toEqual([['9093']]);
  });

  it('gives its identity the federated credential, the vault secrets and, on Event Hubs, its topics', () => {
    const p = stacks.platform.resource;
    const fic = Object.values(p.azurerm_federated_identity_credential).map((f) => f.subject);
    expect(fic).toContain('system:serviceaccount:iot:splunk-forwarder');
    const identity = Object.entries(p.azurerm_user_assigned_identity).find(
      ([, i]) => i.name === `id-iot-${name}-splunk-forwarder`,
    )![0];
    const roles = Object.values(p.azurerm_role_assignment)
      .filter((r) => String(r.principal_id).includes(`azurerm_user_assigned_identity.${identity}.`))
      .map((r) => `${String(r.role_definition_name)} ${String(r.scope)}`)
      .sort();
    const expected = ['Key Vault Secrets User'];
    if (!hdinsight)
      expected.push(
        'Azure Event Hubs Data Receiver',
        'Azure Event Hubs Data Receiver',
        'Azure Event Hubs Data Sender',
      );
    expect(roles.map((r) => r.split(' ${')[0]).sort()).toEqual(expected.sort());
    if (!hdinsight) {
      expect(roles.filter((r) => r.startsWith('Azure Event Hubs Data Receiver')).join()).toMatch(
        /telemetryanalyzed|telemetry-analyzed|analyzed/,
      );
      const groups = Object.values(p.azurerm_eventhub_consumer_group ?? {}).map((g) => g.name);
      expect(groups.filter((g) => g === 'splunk-forwarder')).toHaveLength(2);
    }
  });
});

describe('without splunk settings', () => {
  it('deploys no forwarder', () => {
    const { splunk: _s, ...workloads } = dev.workloads;
    const stacks = synth({ ...dev, workloads });
    expect(deployment(stacks.workloads, 'splunk-forwarder')).toBeUndefined();
    expect(
      manifests(stacks.workloads, 'SecretProviderClass').map((m) => m.metadata.name),
    ).not.toContain('splunk-forwarder-secrets');
  });
});

describe('splunkHecEndpoint', () => {
  const forwarder = {
    replicas: 1,
    maxReplicas: 2,
    cpuRequest: '100m',
    memoryRequest: '128Mi',
    memoryLimit: '256Mi',
  };
  const ok: SplunkSettings = {
    hecUrl: 'https://hec.splunk.contoso.com:8088',
    index: 'iot',
    forwarder,
  };
  const check = (s: Partial<SplunkSettings>) =>
    splunkHecEndpoint(new TerraformStack(Testing.app(), 'w'), { ...ok, ...s });

  it('returns the host and port egress opens (443 when the URL names none)', () => {
    expect(check({})).toEqual({ host: 'hec.splunk.contoso.com', port: 8088 });
    expect(check({ hecUrl: 'https://http-inputs-acme.splunkcloud.com' })).toEqual({
      host: 'http-inputs-acme.splunkcloud.com',
      port: 443,
    });
  });

  it.each([
    [
      { hecUrl: 'http://hec.splunk.contoso.com:8088' },
      /workloads\.splunk\.hecUrl.*an https:\/\/ URL on a lower-case DNS name/,
    ],
    [{ hecUrl: 'https://10.1.2.3:8088' }, /an https:\/\/ URL on a lower-case DNS name/],
    [{ hecUrl: 'not a url' }, /an https:\/\/ URL/],
    [
      { hecUrl: 'https://u:p@hec.splunk.contoso.com' },
      /\(credentials redacted\).*a URL without user info/,
    ],
    [{ hecUrl: 'https://hec.splunk.contoso.com/services/collector/event' }, /the base URL/],
    [{ index: '_internal' }, /workloads\.splunk\.index.*a Splunk index name/],
    [{ index: 'Main' }, /a Splunk index name/],
    [{ sourcetype: 'iot telemetry' }, /workloads\.splunk\.sourcetype.*printable ASCII/],
    [{ alertSourcetype: '' }, /workloads\.splunk\.alertSourcetype/],
  ])('rejects %j', (s, message) => {
    expect(() => check(s)).toThrow(message);
  });
});
