import { Testing } from 'cdktf';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { PlatformStack } from './platform-stack';
import { dev, prod } from './environments';
import type { EnvironmentConfig } from './environments';

function stack(env: EnvironmentConfig): PlatformStack {
  return new PlatformStack(Testing.app(), `iot-${env.name}`, env);
}

describe('PlatformStack', () => {
  it('keeps state in the environment azurerm backend with Entra auth', () => {
    const json = JSON.parse(Testing.synth(stack(dev)));
    const s = stack(dev);
    const full = s.toTerraform();
    expect(full.terraform.backend.azurerm).toEqual({
      resource_group_name: 'rg-iot-tfstate',
      storage_account_name: 'stiottfstate7k2q',
      container_name: 'tfstate',
      key: 'iot-dev.tfstate',
      use_azuread_auth: true,
    });
    expect(json.provider.azurerm[0]).toMatchObject({ storage_use_azuread: true, features: [{}] });
  });

  it('outputs what an operator needs', () => {
    const outputs = Object.keys(stack(dev).toTerraform().output);
    for (const o of [
      'ingest_gateway_url',
      'aks_cluster_name',
      'acr_login_server',
      'cosmos_endpoint',
      'postgres_fqdn',
      'redis_hostname',
      'ingest_client_id',
      'web_client_id',
    ]) {
      expect(outputs).toContain(o);
    }
  });

  it('takes the HDInsight gateway password from a sensitive variable, never from code', () => {
    const full = stack(prod).toTerraform();
    expect(full.variable.hdinsight_gateway_password).toMatchObject({
      type: 'string',
      sensitive: true,
    });
    const cluster = Object.values(full.resource.azurerm_hdinsight_kafka_cluster)[0] as {
      gateway: { password: string };
    };
    expect(cluster.gateway.password).toBe('${var.hdinsight_gateway_password}');
  });

  it('runs prod zone-redundant and dev single-zone, from data', () => {
    expect(Testing.synth(stack(prod))).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      high_availability: expect.objectContaining({ mode: 'ZoneRedundant' }),
      geo_redundant_backup_enabled: true,
    });
    const devPg = Testing.synth(stack(dev));
    expect(devPg).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      geo_redundant_backup_enabled: false,
    });
    expect(devPg).toHaveResourceWithProperties(LinuxWebApp, { https_only: true });
  });

  it('writes environment waivers into the waived resource and rejects an unknown path', () => {
    const full = stack(dev).toTerraform();
    const pg = Object.values(full.resource.azurerm_postgresql_flexible_server)[0] as {
      '//': { waivers: { rule: string }[] };
    };
    expect(pg['//'].waivers.map((w) => w.rule)).toEqual([
      'postgresql-flexible-server-geo-redundant-backup',
    ]);
    const bad: EnvironmentConfig = {
      ...dev,
      waivers: [
        {
          path: 'Platform/Nope',
          rule: 'x-rule',
          reason: 'a reason long enough',
          owner: 'me',
          expires: '2027-01-01',
        },
      ],
    };
    expect(() => stack(bad)).toThrow(
      /invalid waivers\[x-rule\]\.path "Platform\/Nope": no construct Nope under iot-dev\/Platform/,
    );
  });
});
