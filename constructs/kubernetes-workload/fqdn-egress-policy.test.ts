import { Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { testScope } from '../../test/construct-helpers';
import { FqdnEgressPolicy } from './fqdn-egress-policy';
import type { FqdnEgressPolicyProps } from './fqdn-egress-policy';

const base: FqdnEgressPolicyProps = {
  namespace: 'iot',
  name: 'processing-fqdn-egress',
  podLabels: { 'app.kubernetes.io/name': 'processing' },
  hosts: ['login.microsoftonline.com', '*.contoso.com', 'login.microsoftonline.com'],
};
const synth = (props: Partial<FqdnEgressPolicyProps> = {}) => {
  const { stack } = testScope();
  new FqdnEgressPolicy(stack, 'Fqdn', { ...base, ...props });
  return Testing.synth(stack);
};

describe('FqdnEgressPolicy', () => {
  it('sends DNS through the Cilium proxy and opens TLS only to the named hosts', () => {
    expect(synth()).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'processing-fqdn-egress', namespace: 'iot' },
        spec: {
          endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'processing' } },
          egress: [
            {
              toEndpoints: [
                {
                  matchLabels: {
                    'k8s:io.kubernetes.pod.namespace': 'kube-system',
                    'k8s:k8s-app': 'kube-dns',
                  },
                },
              ],
              toPorts: [
                {
                  ports: [
                    { port: '53', protocol: 'UDP' },
                    { port: '53', protocol: 'TCP' },
                  ],
                  rules: { dns: [{ matchPattern: '*' }] },
                },
              ],
            },
            {
              toFQDNs: [
                { matchPattern: '*.contoso.com' },
                { matchName: 'login.microsoftonline.com' },
              ],
              toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
            },
          ],
        },
      },
    });
  });

  it.each([
    ['hosts', { hosts: [] }, /invalid hosts \[\]: at least one host name/],
    [
      'hosts[0]',
      { hosts: ['https://hooks.contoso.com'] },
      /invalid hosts\[0\] "https:\/\/hooks.contoso.com"/,
    ],
    ['hosts[0]', { hosts: ['Hooks.Contoso.com'] }, /invalid hosts\[0\]/],
    ['port', { port: 0 }, /invalid port 0/],
  ])('rejects a bad %s', (_p, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
