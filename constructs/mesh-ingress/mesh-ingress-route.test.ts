import { Testing } from 'cdktf';
import { testScope } from '../../test/construct-helpers';
import { AKS_ISTIO_INTERNAL_GATEWAY, MeshIngressRoute } from './mesh-ingress-route';
import type { MeshIngressRouteProps } from './mesh-ingress-route';

type Json = Record<string, Record<string, Record<string, unknown>>>;

function make(props: Partial<MeshIngressRouteProps> = {}) {
  const { stack } = testScope();
  new MeshIngressRoute(stack, 'Route', {
    name: 'ingest',
    endpoint: {
      fqdn: 'ingest.iot.dev.internal',
      privateIpAddress: '10.40.4.84',
      subnetName: 'mesh-ingress',
      keyVaultName: 'kv-iot',
      certificateName: 'tls-ingest-gateway',
      certificateVersion: 'abc123',
    },
    tenantId: '11111111-2222-3333-4444-555555555555',
    secretsProviderClientId: 'csi-client-id',
    destination: { namespace: 'iot', service: 'ingest', port: 8080 },
    paths: ['/v1/telemetry'],
    syncImage: 'acr.azurecr.io/iot/ingest:1.2.3',
    ...props,
  });
  const synth = JSON.parse(Testing.synth(stack)) as { resource: Json; data: Json };
  const manifests = Object.values(synth.resource.kubernetes_manifest ?? {}).map(
    (m) =>
      (m as { manifest: { kind: string; metadata: object; spec: Record<string, unknown> } })
        .manifest,
  );
  const kind = (k: string) => manifests.find((m) => m.kind === k)!;
  return { synth, kind };
}

describe('MeshIngressRoute', () => {
  it('puts an internal load balancer with the fixed address in front of the add-on gateway pods', () => {
    const { synth } = make();
    const [svc] = Object.values(synth.resource.kubernetes_service_v1) as Array<{
      metadata: { namespace: string; annotations: Record<string, string> };
      spec: { type: string; selector: object; dynamic: { port: { for_each: string } } };
    }>;
    expect(svc.metadata.namespace).toBe('aks-istio-ingress');
    expect(svc.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'mesh-ingress',
      'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.40.4.84',
    });
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.selector).toEqual({ istio: 'aks-istio-ingressgateway-internal' });
    // the port map is the add-on service's, read at plan time
    expect(svc.spec.dynamic.port.for_each).toMatch(
      /data\.kubernetes_service_v1\.Route_AddonGatewayService_[0-9A-F]+\.spec\[0\]\.port/,
    );
    expect(Object.values(synth.data.kubernetes_service_v1)[0]).toEqual({
      metadata: { name: 'aks-istio-ingressgateway-internal', namespace: 'aks-istio-ingress' },
    });
  });

  it('terminates tls for exactly the host with the synced key vault certificate, tls 1.2+', () => {
    const gw = make().kind('Gateway');
    expect(gw.metadata).toMatchObject({ name: 'ingest-gateway', namespace: 'iot' });
    expect(gw.spec).toEqual({
      selector: AKS_ISTIO_INTERNAL_GATEWAY.selector,
      servers: [
        {
          port: { number: 443, name: 'https-ingest', protocol: 'HTTPS' },
          hosts: ['ingest.iot.dev.internal'],
          tls: {
            mode: 'SIMPLE',
            credentialName: 'ingest-gateway-tls',
            minProtocolVersion: 'TLSV1_2',
          },
        },
      ],
    });
  });

  it('routes only the listed paths of the host to the destination service port', () => {
    const vs = make({ paths: ['/v1/telemetry'] }).kind('VirtualService');
    expect(vs.spec).toEqual({
      hosts: ['ingest.iot.dev.internal'],
      gateways: ['iot/ingest-gateway'],
      http: [
        {
          name: 'ingest',
          match: [{ uri: { exact: '/v1/telemetry' } }],
          route: [
            { destination: { host: 'ingest.iot.svc.cluster.local', port: { number: 8080 } } },
          ],
        },
      ],
    });
  });

  it('syncs the pinned certificate version into a tls secret beside the gateway', () => {
    const { kind, synth } = make();
    const spc = kind('SecretProviderClass');
    expect(spc.metadata).toMatchObject({ namespace: 'aks-istio-ingress' });
    expect(spc.spec.secretObjects).toEqual([
      {
        secretName: 'ingest-gateway-tls',
        type: 'kubernetes.io/tls',
        data: [
          { objectName: 'tls-ingest-gateway', key: 'tls.key' },
          { objectName: 'tls-ingest-gateway', key: 'tls.crt' },
        ],
      },
    ]);
    const params = spc.spec.parameters as Record<string, string>;
    expect(params).toMatchObject({
      useVMManagedIdentity: 'true',
      userAssignedIdentityID: 'csi-client-id',
      keyvaultName: 'kv-iot',
      tenantId: '11111111-2222-3333-4444-555555555555',
    });
    expect(params.objects).toContain('objectName: tls-ingest-gateway');
    expect(params.objects).toContain('objectType: secret');
    expect(params.objects).toContain('objectVersion: abc123');

    const [deploy] = Object.values(synth.resource.kubernetes_deployment_v1) as Array<{
      metadata: { namespace: string };
      spec: { replicas: string; template: { spec: Record<string, unknown> } };
    }>;
    expect(deploy.metadata.namespace).toBe('aks-istio-ingress');
    expect(deploy.spec.replicas).toBe('2');
    const pod = deploy.spec.template.spec as {
      automount_service_account_token: boolean;
      security_context: object;
      container: Array<{ security_context: object; image: string; readiness_probe: object }>;
      volume: Array<{ csi: object }>;
    };
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.security_context).toMatchObject({ run_as_non_root: true });
    expect(pod.container[0].security_context).toMatchObject({
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.container[0].image).toBe('acr.azurecr.io/iot/ingest:1.2.3');
    // ready only once the certificate is mounted, i.e. read from the vault
    expect(pod.container[0]).toMatchObject({
      readiness_probe: {
        exec: {
          command: ['node', '-e', "require('fs').accessSync('/mnt/tls/tls-ingest-gateway')"],
        },
      },
      liveness_probe: { exec: { command: expect.arrayContaining(['node']) } },
    });
    expect(pod.volume[0].csi).toEqual({
      driver: 'secrets-store.csi.k8s.io',
      read_only: true,
      volume_attributes: { secretProviderClass: 'ingest-gateway-tls' },
    });
  });

  it.each<[string, Partial<MeshIngressRouteProps>, RegExp]>([
    ['name', { name: 'Ingest' }, /invalid name "Ingest"/],
    ['paths', { paths: [] }, /invalid paths \[\]: at least one path/],
    [
      'path',
      { paths: ['v1/telemetry'] },
      /invalid paths\[0\] "v1\/telemetry": an absolute url path/,
    ],
    [
      'port',
      { destination: { namespace: 'iot', service: 'ingest', port: 0 } },
      /invalid destination.port 0/,
    ],
  ])('rejects a bad %s', (_what, props, message) => {
    expect(() => make(props)).toThrow(message);
  });
});
