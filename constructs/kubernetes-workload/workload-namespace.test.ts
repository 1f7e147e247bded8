import { Testing } from 'cdktf';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { testScope } from '../../test/construct-helpers';
import { WorkloadNamespace } from './workload-namespace';

describe('WorkloadNamespace', () => {
  it('enforces the restricted pod security standard and denies all traffic by default', () => {
    const { stack } = testScope();
    new WorkloadNamespace(stack, 'Ns', { name: 'iot', istioRevision: 'asm-1-25' });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(NamespaceV1, {
      metadata: {
        name: 'iot',
        labels: expect.objectContaining({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'istio.io/rev': 'asm-1-25',
        }),
      },
    });
    expect(out).toHaveResourceWithProperties(NetworkPolicyV1, {
      metadata: expect.objectContaining({ name: 'default-deny-all' }),
      spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'] },
    });
  });

  it('rejects a name that is not a dns-1123 label', () => {
    const { stack } = testScope();
    expect(() => new WorkloadNamespace(stack, 'Ns', { name: 'IoT' })).toThrow(
      /test\/Ns: invalid name "IoT"/,
    );
  });
});
