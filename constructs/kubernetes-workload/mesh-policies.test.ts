import { Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { testScope } from '../../test/construct-helpers';
import { MeshNamespacePolicies, WorkloadAuthorizationPolicy } from './mesh-policies';

describe('MeshNamespacePolicies', () => {
  it('requires STRICT mTLS and allows nothing by default', () => {
    const { stack } = testScope();
    new MeshNamespacePolicies(stack, 'Mesh', { namespace: 'iot' });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'iot' },
        spec: { mtls: { mode: 'STRICT' } },
      },
    });
    // An ALLOW policy without rules matches no request: the namespace's default deny.
    expect(out).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'allow-nothing', namespace: 'iot' },
        spec: { action: 'ALLOW' },
      },
    });
  });
});

describe('WorkloadAuthorizationPolicy', () => {
  it('names callers by identity, or by namespace when no service account is given', () => {
    const { stack } = testScope();
    new WorkloadAuthorizationPolicy(stack, 'Authz', {
      namespace: 'iot',
      name: 'ingest',
      podLabels: { 'app.kubernetes.io/name': 'ingest' },
      callers: [
        {
          namespace: 'aks-istio-ingress',
          serviceAccount: 'aks-istio-ingressgateway-internal',
          ports: [8080],
        },
        { namespace: 'tools', ports: [8080, 9090] },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Manifest, {
      manifest: expect.objectContaining({
        spec: {
          action: 'ALLOW',
          selector: { matchLabels: { 'app.kubernetes.io/name': 'ingest' } },
          rules: [
            {
              from: [
                {
                  source: {
                    principals: [
                      'cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-internal',
                    ],
                  },
                },
              ],
              to: [{ operation: { ports: ['8080'] } }],
            },
            {
              from: [{ source: { namespaces: ['tools'] } }],
              to: [{ operation: { ports: ['8080', '9090'] } }],
            },
          ],
        },
      }),
    });
  });

  it('rejects a service account that is not a name or a prefix', () => {
    const { stack } = testScope();
    expect(
      () =>
        new WorkloadAuthorizationPolicy(stack, 'Authz', {
          namespace: 'iot',
          name: 'ingest',
          podLabels: {},
          callers: [{ namespace: 'aks-istio-ingress', serviceAccount: '*', ports: [8080] }],
        }),
    ).toThrow(
      /invalid callers\[0\].serviceAccount "\*": a service account name, optionally ending in \*/,
    );
  });

  it('rejects a policy without callers', () => {
    const { stack } = testScope();
    expect(
      () =>
        new WorkloadAuthorizationPolicy(stack, 'Authz', {
          namespace: 'iot',
          name: 'ingest',
          podLabels: {},
          callers: [],
        }),
    ).toThrow(/invalid callers \[\]: at least one caller/);
  });
});
