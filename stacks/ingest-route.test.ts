import { Testing } from 'cdktf';
import { cidrContains, parseCidr } from '../constructs/core';
import { buildApp } from './app';
import { dev, prod } from './environments';
import type { EnvironmentConfig } from './environments';

/**
 * The route a sensor's request takes — API Management → private name → fixed private address →
 * the mesh's internal ingress gateway → ingest — checked hop by hop in the synthesized JSON of
 * the two stacks. Every hop must be created by the stacks; an APIM backend whose host resolves to
 * nothing (or to an address no gateway listens on, or without a certificate APIM trusts) fails.
 */

type Resource = Record<string, unknown> & { '//'?: unknown };
type Json = { resource: Record<string, Record<string, Resource>> };

function synth(env: EnvironmentConfig): { platform: Json; workloads: Json } {
  const [stacks] = buildApp(Testing.app(), [env]);
  return {
    platform: JSON.parse(Testing.synth(stacks.platform)) as Json,
    workloads: JSON.parse(Testing.synth(stacks.workloads)) as Json,
  };
}

const of = (json: Json, type: string): Array<[string, Resource]> =>
  Object.entries(json.resource[type] ?? {});
/** The resource a `${type.name.attr}` reference points at. */
function target(json: Json, ref: unknown, type: string): Resource {
  const m = new RegExp(`^\\$\\{${type.replace(/\./g, '\\.')}\\.([^.}]+)\\.[a-z0-9_]+\\}$`).exec(
    String(ref),
  );
  expect(m).not.toBeNull();
  const r = json.resource[type]?.[m![1]];
  expect(r).toBeDefined();
  return r!;
}
const refTo = (type: string, name: string) =>
  new RegExp(`^\\$\\{${type}\\.${name}\\.[a-z0-9_]+\\}$`);

describe.each([dev, prod])('ingest route in $name', (env) => {
  const { platform, workloads } = synth(env);
  const [[, backend]] = of(platform, 'azurerm_api_management_backend').filter(
    ([, b]) => b.name === 'ingest',
  );
  const host = new URL(String(backend.url)).hostname;
  const [label, ...zoneLabels] = host.split('.');
  const zoneName = zoneLabels.join('.');
  const [[apimKey, apim]] = of(platform, 'azurerm_api_management');

  // the A record: host → address, in a zone linked to APIM's vnet
  const [[zoneKey]] = of(platform, 'azurerm_private_dns_zone').filter(
    ([, z]) => z.name === zoneName,
  );
  const records = of(platform, 'azurerm_private_dns_a_record').filter(
    ([, r]) =>
      r.name === label && refTo('azurerm_private_dns_zone', zoneKey).test(String(r.zone_name)),
  );
  const address = (records[0]?.[1].records as string[] | undefined)?.[0];

  it('apim forwards to an https backend in a private zone, with chain and name validation on', () => {
    expect(backend.url).toMatch(/^https:\/\//);
    expect(backend.tls).toEqual({
      validate_certificate_chain: true,
      validate_certificate_name: true,
    });
    expect(records).toHaveLength(1);
    expect((records[0][1].records as string[]).length).toBe(1);
  });

  it("the backend's zone is linked to the vnet api management is injected into", () => {
    const apimSubnet = target(
      platform,
      (apim.virtual_network_configuration as { subnet_id: string }).subnet_id,
      'azurerm_subnet',
    );
    const apimVnet = target(platform, apimSubnet.virtual_network_name, 'azurerm_virtual_network');
    const linkedVnets = of(platform, 'azurerm_private_dns_zone_virtual_network_link')
      .filter(([, l]) =>
        refTo('azurerm_private_dns_zone', zoneKey).test(String(l.private_dns_zone_name)),
      )
      .map(([, l]) => target(platform, l.virtual_network_id, 'azurerm_virtual_network'));
    expect(linkedVnets).toContain(apimVnet);
    expect(apim.virtual_network_type).toBe(env.platform.apiManagement.virtualNetworkType);
  });

  it('the address is reserved in a subnet of that vnet no node can take it from', () => {
    const [[, subnet]] = of(platform, 'azurerm_subnet').filter(
      ([, s]) => s.name === 'mesh-ingress',
    );
    const prefix = (subnet.address_prefixes as string[])[0];
    expect(cidrContains(parseCidr(prefix)!, parseCidr(`${address}/32`)!)).toBe(true);
    for (const [, other] of of(platform, 'azurerm_subnet').filter(
      ([, s]) => s.name !== 'mesh-ingress',
    )) {
      const p = parseCidr((other.address_prefixes as string[])[0])!;
      expect(cidrContains(p, parseCidr(`${address}/32`)!)).toBe(false);
    }
  });

  it('apim trusts the certificate issued for exactly that host', () => {
    const roots = apim.certificate as Array<{ encoded_certificate: string; store_name: string }>;
    expect(roots).toHaveLength(1);
    expect(roots[0].store_name).toBe('Root');
    const cert = target(platform, roots[0].encoded_certificate, 'azurerm_key_vault_certificate');
    const x509 = (
      cert.certificate_policy as { x509_certificate_properties: Record<string, unknown> }
    ).x509_certificate_properties;
    expect(x509.subject_alternative_names).toEqual({ dns_names: [host] });
    expect(apimKey).toBeDefined();
  });

  it('an internal load balancer holds that address in front of the gateway pods', () => {
    const lbs = of(workloads, 'kubernetes_service_v1').filter(
      ([, s]) => (s.spec as { type?: string }).type === 'LoadBalancer',
    );
    expect(lbs).toHaveLength(1);
    const [, lb] = lbs[0];
    expect((lb.metadata as { annotations: Record<string, string> }).annotations).toMatchObject({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/azure-load-balancer-ipv4': address,
      // the subnet's name, read from the platform stack
      'service.beta.kubernetes.io/azure-load-balancer-internal-subnet':
        expect.stringMatching(/Subnet-mesh-ingress/),
    });
    expect((lb.spec as { selector: object }).selector).toEqual({
      istio: 'aks-istio-ingressgateway-internal',
    });
  });

  it('the gateway terminates tls for the host and routes its api to the ingest service port', () => {
    const manifests = of(workloads, 'kubernetes_manifest').map(
      ([, m]) =>
        (
          m as {
            manifest: {
              kind: string;
              metadata: { name: string; namespace: string };
              spec: Record<string, unknown>;
            };
          }
        ).manifest,
    );
    const gateway = manifests.find(
      (m) => m.kind === 'Gateway' && JSON.stringify(m.spec.servers).includes(`"${host}"`),
    );
    expect(gateway).toBeDefined();
    const server = (
      gateway!.spec.servers as Array<{
        hosts: string[];
        tls: { mode: string; credentialName: string };
      }>
    )[0];
    expect(server.tls.mode).toBe('SIMPLE');
    const synced = manifests.find(
      (m) =>
        m.kind === 'SecretProviderClass' &&
        m.metadata.namespace === 'aks-istio-ingress' &&
        JSON.stringify(m.spec.secretObjects).includes(
          `"secretName":"${server.tls.credentialName}"`,
        ),
    );
    expect(synced).toBeDefined();

    const vs = manifests.find(
      (m) => m.kind === 'VirtualService' && (m.spec.hosts as string[]).includes(host),
    );
    expect(vs).toBeDefined();
    expect(vs!.spec.gateways).toEqual([`${gateway!.metadata.namespace}/${gateway!.metadata.name}`]);
    const route = (
      vs!.spec.http as Array<{
        match: object[];
        route: Array<{ destination: { host: string; port: { number: number } } }>;
      }>
    )[0];
    expect(route.match).toEqual([{ uri: { exact: '/v1/telemetry' } }]);
    const { destination } = route.route[0];
    const [, svcName, ns] = /^([a-z0-9-]+)\.(.+)\.svc\.cluster\.local$/.exec(destination.host)!;
    expect(svcName).toBe('ingest');
    const [[, ingestSvc]] = of(workloads, 'kubernetes_service_v1').filter(
      ([, s]) => (s.metadata as { name: string }).name === svcName,
    );
    // the same namespace the ingest service lives in
    expect((ingestSvc.metadata as { namespace: string }).namespace).toBe(ns);
    expect((ingestSvc.spec as { port: Array<{ port: number }> }).port.map((p) => p.port)).toContain(
      destination.port.number,
    );
  });

  it('ingest refuses the same body size that api management refuses', () => {
    const [[, policy]] = of(platform, 'azurerm_api_management_api_policy');
    const maxSize = /Content-Length&quot;, &quot;0&quot;\)\) &gt; (\d+)\)/.exec(
      String(policy.xml_content),
    )?.[1];
    expect(maxSize).toBeDefined();
    const [[, ingest]] = of(workloads, 'kubernetes_deployment_v1').filter(
      ([, d]) => (d.metadata as { name: string }).name === 'ingest',
    );
    const envVars = (
      ingest.spec as {
        template: { spec: { container: Array<{ env: Array<{ name: string; value?: string }> }> } };
      }
    ).template.spec.container[0].env;
    expect(envVars.find((e) => e.name === 'MAX_BODY_BYTES')?.value).toBe(maxSize);
  });
});
