import { Testing } from 'cdktf';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { testScope } from '../../test/construct-helpers';
import { ValidationError } from '../core';
import { KafkaTopicsJob } from './kafka-topics-job';
import type { KafkaTopicsJobProps } from './kafka-topics-job';

const base: KafkaTopicsJobProps = {
  namespace: 'iot',
  image: 'acrexample.azurecr.io/iot/analysis:1.0.0',
  topics: [
    { name: 'telemetry.raw', partitions: 12, replicationFactor: 3 },
    { name: 'alerts', partitions: 3, replicationFactor: 3 },
  ],
  kafkaEnv: { KAFKA_MODE: 'hdinsight', KAFKA_BROKERS: 'wn0:9093,wn1:9093' },
  brokers: { cidr: '10.50.10.0/24', ports: [9093] },
};

function synth(props: Partial<KafkaTopicsJobProps> = {}) {
  const { stack } = testScope();
  const job = new KafkaTopicsJob(stack, 'Topics', { ...base, ...props });
  return { job, out: Testing.synth(stack) };
}

describe('KafkaTopicsJob', () => {
  it('runs the topics job with the declared partitions, waits for it, outside the mesh', () => {
    const { job, out } = synth();
    expect(job.topicsSpec).toBe('telemetry.raw:12:3,alerts:3:3');
    expect(out).toHaveResourceWithProperties(JobV1, {
      wait_for_completion: true,
      spec: expect.objectContaining({
        backoff_limit: 6,
        template: expect.objectContaining({
          metadata: expect.objectContaining({
            labels: expect.objectContaining({ 'sidecar.istio.io/inject': 'false' }),
          }),
          spec: expect.objectContaining({
            restart_policy: 'Never',
            container: [
              expect.objectContaining({
                command: ['node', 'dist/workloads/topics/main.js'],
                env: [
                  { name: 'KAFKA_BROKERS', value: 'wn0:9093,wn1:9093' },
                  { name: 'KAFKA_MODE', value: 'hdinsight' },
                  { name: 'KAFKA_TOPICS', value: 'telemetry.raw:12:3,alerts:3:3' },
                ],
                security_context: {
                  allow_privilege_escalation: false,
                  capabilities: { drop: ['ALL'] },
                  privileged: false,
                  read_only_root_filesystem: true,
                  run_as_non_root: true,
                },
              }),
            ],
          }),
        }),
      }),
    });
  });

  it('opens egress only to the brokers', () => {
    expect(synth().out).toHaveResourceWithProperties(NetworkPolicyV1, {
      spec: expect.objectContaining({
        pod_selector: {
          match_labels: expect.objectContaining({ 'app.kubernetes.io/name': 'kafka-topics' }),
        },
        policy_types: ['Egress'],
        egress: [
          {
            to: [{ ip_block: { cidr: '10.50.10.0/24' } }],
            ports: [{ port: '9093', protocol: 'TCP' }],
          },
        ],
      }),
    });
  });

  it('mounts the brokers’ CA bundle through the CSI driver and points the job at it', () => {
    const { out } = synth({
      caBundle: { secretProviderClassName: 'kafka-ca', fileName: 'ca.pem' },
      serviceAccountName: 'analysis',
    });
    interface PodSpec {
      service_account_name: string;
      volume: unknown[];
      container: { env: { name: string; value: string }[] }[];
    }
    const job = Object.values(JSON.parse(out).resource.kubernetes_job_v1)[0] as {
      spec: { template: { spec: PodSpec } };
    };
    const pod = job.spec.template.spec;
    expect(pod.service_account_name).toBe('analysis');
    expect(pod.volume).toEqual([
      {
        name: 'kafka-ca',
        csi: {
          driver: 'secrets-store.csi.k8s.io',
          read_only: true,
          volume_attributes: { secretProviderClass: 'kafka-ca' },
        },
      },
    ]);
    expect(pod.container[0].env).toContainEqual({
      name: 'KAFKA_TLS_CA_FILE',
      value: '/var/run/kafka-ca/ca.pem',
    });
  });

  it.each<[Partial<KafkaTopicsJobProps>, RegExp]>([
    [{ topics: [] }, /topics.*at least one topic/],
    [
      { topics: [{ name: 'bad name', partitions: 1, replicationFactor: 1 }] },
      /topics\[0\]\.name.*"bad name"/,
    ],
    [
      {
        topics: [
          { name: 'a', partitions: 1, replicationFactor: 1 },
          { name: 'a', partitions: 2, replicationFactor: 1 },
        ],
      },
      /topics\[1\]\.name.*each topic once/,
    ],
    [{ topics: [{ name: 'a', partitions: 0, replicationFactor: 1 }] }, /topics\[0\]\.partitions/],
    [
      { topics: [{ name: 'a', partitions: 1, replicationFactor: 9 }] },
      /topics\[0\]\.replicationFactor/,
    ],
    [{ image: 'analysis' }, /image.*"analysis"/],
    [{ brokers: { cidr: '10.0.0.0/24', ports: [] } }, /brokers\.ports/],
  ])('rejects %j', (props, message) => {
    expect(() => synth(props)).toThrow(ValidationError);
    expect(() => synth(props)).toThrow(message);
  });
});
