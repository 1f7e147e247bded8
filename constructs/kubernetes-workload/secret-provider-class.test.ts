import { Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { testScope } from '../../test/construct-helpers';
import { SecretProviderClass } from './secret-provider-class';
import type { SecretProviderClassProps } from './secret-provider-class';

const base: SecretProviderClassProps = {
  namespace: 'iot',
  name: 'analysis-kafka-ca',
  keyVaultName: 'kv-iot-dev',
  tenantId: '00000000-0000-0000-0000-000000000001',
  workloadIdentityClientId: 'client-123',
  secrets: [{ secretName: 'kafka-ca-bundle', fileName: 'ca.pem' }],
};
const synth = (props: Partial<SecretProviderClassProps> = {}) => {
  const { stack } = testScope();
  new SecretProviderClass(stack, 'Spc', { ...base, ...props });
  return Testing.synth(stack);
};

describe('SecretProviderClass', () => {
  it('reads the vault as the workload identity, never the node or pod identity', () => {
    expect(synth()).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        metadata: { name: 'analysis-kafka-ca', namespace: 'iot' },
        spec: {
          provider: 'azure',
          parameters: {
            usePodIdentity: 'false',
            clientID: 'client-123',
            keyvaultName: 'kv-iot-dev',
            tenantId: '00000000-0000-0000-0000-000000000001',
            objects:
              'array:\n  - |\n    objectName: kafka-ca-bundle\n    objectType: secret\n    objectAlias: ca.pem',
          },
        },
      },
    });
  });

  it('syncs the files into a Kubernetes secret when asked', () => {
    expect(synth({ syncToSecret: 'analysis-kafka-ca' })).toHaveResourceWithProperties(Manifest, {
      manifest: expect.objectContaining({
        spec: expect.objectContaining({
          secretObjects: [
            {
              secretName: 'analysis-kafka-ca',
              type: 'Opaque',
              data: [{ objectName: 'ca.pem', key: 'ca.pem' }],
            },
          ],
        }),
      }),
    });
  });

  it.each([
    ['secrets', { secrets: [] }, /invalid secrets \[\]: at least one secret/],
    [
      'secrets[0].secretName',
      { secrets: [{ secretName: 'kafka_ca' }] },
      /invalid secrets\[0\].secretName "kafka_ca"/,
    ],
    [
      'secrets[0].fileName',
      { secrets: [{ secretName: 'ca', fileName: '../ca.pem' }] },
      /invalid secrets\[0\].fileName/,
    ],
    ['syncToSecret', { syncToSecret: 'Kafka_CA' }, /invalid syncToSecret "Kafka_CA"/],
  ])('rejects a bad %s', (_p, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
