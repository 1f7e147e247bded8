// The workloads stack's Kafka topics: created by a job on HDInsight (whose topics are not Azure
// resources) before any service starts, and left to the platform's event hubs on Event Hubs.
import { Testing } from 'cdktf';
import { buildApp } from './app';
import { PLATFORM_TOPICS } from '../constructs/iot-streaming-platform';
import { prod } from './environments';

interface Resource {
  depends_on?: string[];
  [key: string]: unknown;
}
type Stack = { resource: Record<string, Record<string, Resource>> };

const stacks = new Map<string, Stack>();
for (const s of buildApp(Testing.app())) {
  stacks.set(s.workloads.node.id, JSON.parse(Testing.synth(s.workloads)) as Stack);
}

describe('workloads stack: Kafka topics', () => {
  const prodStack = stacks.get('iot-prod-workloads')!;
  const [jobAddress, job] = Object.entries(prodStack.resource.kubernetes_job_v1 ?? {}).find(
    ([, j]) => (j.metadata as { name: string }).name === 'kafka-topics',
  )!;

  it('creates every platform topic on HDInsight with its partition count, 3 replicas', () => {
    const workers =
      prod.platform.backbone.kind === 'hdinsight' ? prod.platform.backbone.workerCount : 0;
    expect(workers).toBeGreaterThanOrEqual(3);
    const container = (
      job.spec as {
        template: { spec: { container: { env: { name: string; value: string }[] }[] } };
      }
    ).template.spec.container[0]!;
    const topics = container.env.find((e) => e.name === 'KAFKA_TOPICS')!.value;
    expect(topics).toBe(PLATFORM_TOPICS.map((t) => `${t.name}:${t.partitions}:3`).join(','));
    expect(container.env).toContainEqual({ name: 'KAFKA_MODE', value: 'hdinsight' });
    expect(container.env).toContainEqual({
      name: 'KAFKA_TLS_CA_FILE',
      value: '/var/run/kafka-ca/ca.pem',
    });
  });

  it('runs after its CA class and service account, and every deployment waits for it', () => {
    const ref = `kubernetes_job_v1.${jobAddress}`;
    expect(job.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_manifest\.KafkaCa-analysis_/),
        expect.stringMatching(/^kubernetes_service_account_v1\.Workload-analysis_ServiceAccount_/),
      ]),
    );
    const deployments = Object.values(prodStack.resource.kubernetes_deployment_v1!).filter((d) =>
      ['ingest', 'analysis', 'processing'].includes((d.metadata as { name: string }).name),
    );
    expect(deployments).toHaveLength(3);
    for (const d of deployments) expect(d.depends_on).toContain(ref);
  });

  it('has no job on Event Hubs, whose topics are the platform stack’s event hubs', () => {
    expect(stacks.get('iot-dev-workloads')!.resource.kubernetes_job_v1 ?? {}).toEqual({});
  });
});
