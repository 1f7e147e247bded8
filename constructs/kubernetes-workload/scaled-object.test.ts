import { Testing } from 'cdktf';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { testScope } from '../../test/construct-helpers';
import { ScaledObject } from './scaled-object';
import type { ScaledObjectProps } from './scaled-object';

const base: ScaledObjectProps = {
  namespace: 'iot',
  deploymentName: 'processing',
  minReplicas: 2,
  maxReplicas: 8,
};
const synth = (props: Partial<ScaledObjectProps> = {}) => {
  const { stack } = testScope();
  new ScaledObject(stack, 'Scale', { ...base, ...props });
  return Testing.synth(stack);
};

describe('ScaledObject', () => {
  it('scales on CPU alone by default, with no trigger authentication', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(Manifest, {
      manifest: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'processing', namespace: 'iot' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'processing' },
          minReplicaCount: 2,
          maxReplicaCount: 8,
          pollingInterval: 15,
          triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }],
        },
      },
    });
    expect(out).not.toContain('TriggerAuthentication');
  });

  it('adds one lag trigger per topic, plaintext unless a CA secret is given', () => {
    const out = synth({
      kafkaLag: {
        bootstrapServers: 'b0:9093',
        consumerGroup: 'processing',
        topics: ['telemetry.analyzed', 'alerts'],
        lagThreshold: 500,
      },
    });
    expect(out).toHaveResourceWithProperties(Manifest, {
      manifest: expect.objectContaining({
        spec: expect.objectContaining({
          triggers: [
            expect.objectContaining({ type: 'cpu' }),
            {
              type: 'kafka',
              metadata: {
                bootstrapServers: 'b0:9093',
                consumerGroup: 'processing',
                topic: 'telemetry.analyzed',
                lagThreshold: '500',
                offsetResetPolicy: 'earliest',
              },
            },
            expect.objectContaining({
              type: 'kafka',
              metadata: expect.objectContaining({ topic: 'alerts' }),
            }),
          ],
        }),
      }),
    });
  });

  it.each([
    [
      'maxReplicas',
      { maxReplicas: 1 },
      /invalid maxReplicas 1: allowed is an integer from 2 to 300/,
    ],
    ['cpuUtilizationPercent', { cpuUtilizationPercent: 99 }, /invalid cpuUtilizationPercent 99/],
    [
      'kafkaLag.topics',
      { kafkaLag: { bootstrapServers: 'b:9093', consumerGroup: 'g', topics: [] } },
      /invalid kafkaLag.topics \[\]: at least one topic/,
    ],
    [
      'kafkaLag.consumerGroup',
      { kafkaLag: { bootstrapServers: 'b:9093', consumerGroup: 'a b', topics: ['t'] } },
      /invalid kafkaLag.consumerGroup "a b"/,
    ],
  ])('rejects a bad %s', (_p, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
