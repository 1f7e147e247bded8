import { Testing } from 'cdktf';
import { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { buildApp } from './app';
import { dev, prod } from './environments';
import pins from '../scripts/terraform-providers.json';

function synthAll(): Record<string, string> {
  const app = Testing.app();
  const stacks = buildApp(app);
  const out: Record<string, string> = {};
  for (const s of stacks) {
    out[s.platform.node.id] = Testing.synth(s.platform);
    out[s.workloads.node.id] = Testing.synth(s.workloads);
    if (s.data) out[s.data.node.id] = Testing.synth(s.data);
  }
  return out;
}

describe('the app', () => {
  const stacks = synthAll();

  it('has a platform, a workloads and a data stack per environment', () => {
    expect(Object.keys(stacks).sort()).toEqual([
      'iot-dev',
      'iot-dev-data',
      'iot-dev-workloads',
      'iot-prod',
      'iot-prod-data',
      'iot-prod-workloads',
    ]);
  });

  it('synthesizes byte-identical JSON on a second run', () => {
    expect(synthAll()).toEqual(stacks);
  });

  it.each(Object.keys(stacks).sort())('matches the reviewed snapshot of %s', (name) => {
    expect(JSON.parse(stacks[name])).toMatchSnapshot();
  });

  it('together contain every service of the reference architecture', () => {
    const types = new Set(
      Object.values(stacks).flatMap((s) => Object.keys(JSON.parse(s).resource ?? {})),
    );
    for (const t of [
      'azurerm_api_management',
      'azurerm_kubernetes_cluster',
      'azurerm_container_registry',
      'azurerm_key_vault',
      'azurerm_cosmosdb_account',
      'azurerm_hdinsight_kafka_cluster',
      'azurerm_eventhub_namespace',
      'azurerm_postgresql_flexible_server',
      'azurerm_managed_redis',
      'azurerm_linux_web_app',
      'kubernetes_deployment_v1',
    ]) {
      expect(types).toContain(t);
    }
  });

  it('requires exactly the provider versions `npm run validate` validates with', () => {
    for (const [name, json] of Object.entries(stacks)) {
      const required = JSON.parse(json).terraform.required_providers as Record<
        string,
        { source: string; version: string }
      >;
      expect(Object.keys(required).length).toBeGreaterThan(0);
      for (const [provider, req] of Object.entries(required)) {
        const pin = pins.providers[provider as keyof typeof pins.providers];
        expect({ stack: name, provider, version: req.version }).toEqual({
          stack: name,
          provider,
          version: pin?.version,
        });
        expect(pin.source).toBe(
          req.source.includes('/')
            ? `registry.terraform.io/${req.source}`
            : `registry.terraform.io/hashicorp/${req.source}`,
        );
      }
    }
  });

  it('uses Event Hubs in dev and HDInsight in prod, as the environments say', () => {
    expect(dev.platform.backbone.kind).toBe('eventhubs');
    expect(prod.platform.backbone.kind).toBe('hdinsight');
    expect(stacks['iot-dev']).toHaveResource(EventhubNamespace);
    expect(stacks['iot-dev']).not.toContain('azurerm_hdinsight_kafka_cluster');
    expect(stacks['iot-prod']).toContain('"azurerm_hdinsight_kafka_cluster"');
    expect(stacks['iot-prod']).not.toContain('"azurerm_eventhub_namespace"');
  });
});
