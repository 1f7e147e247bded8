// The data-science side per environment: Databricks and the lake in the platform stack (wired
// into the VNet and granted what the lakehouse job needs), and the data stack that deploys the
// job through the databricks provider.
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { ValidationError } from '../constructs/core';
import { buildApp } from './app';
import { DataStack, LAKEHOUSE_JOB_DIRECTORY, LAKEHOUSE_SECRET_SCOPE } from './data-stack';
import { dev } from './environments';
import { PlatformStack } from './platform-stack';
import { KAFKA_CA_SECRET_NAME } from './workloads-stack';

type Resource = Record<string, unknown>;
interface Stack {
  resource: Record<string, Record<string, Resource>>;
  provider?: Record<string, Resource[]>;
  variable?: Record<string, Resource>;
}

const raw = new Map<string, string>();
const stacks = new Map<string, Stack>();
for (const s of buildApp(Testing.app())) {
  for (const stack of [s.platform, s.data]) {
    if (!stack) continue;
    const out = Testing.synth(stack);
    raw.set(stack.node.id, out);
    stacks.set(stack.node.id, JSON.parse(out) as Stack);
  }
}

const all = (stack: string, type: string): Array<[string, Resource]> =>
  Object.entries(stacks.get(stack)!.resource[type] ?? {});
const one = (stack: string, type: string): [string, Resource] => {
  const found = all(stack, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe.each(['dev', 'prod'])('%s platform: Databricks and the lake', (env) => {
  const stack = `iot-${env}`;
  const [workspaceAddress, workspace] = one(stack, 'azurerm_databricks_workspace');
  const [connectorAddress] = one(stack, 'azurerm_databricks_access_connector');
  const [lakeAddress, lake] = all(stack, 'azurerm_storage_account').find(([a]) =>
    a.includes('Lake'),
  )!;

  it('injects the workspace into two delegated subnets with NSGs and a NAT gateway, private and premium', () => {
    for (const name of ['databricks-host', 'databricks-container']) {
      const [address, subnet] = all(stack, 'azurerm_subnet').find(([, s]) => s.name === name)!;
      expect(subnet.delegation).toEqual([
        expect.objectContaining({
          service_delegation: expect.objectContaining({ name: 'Microsoft.Databricks/workspaces' }),
        }),
      ]);
      const ref = `\${azurerm_subnet.${address}.id}`;
      expect(
        all(stack, 'azurerm_subnet_nat_gateway_association').some(([, a]) => a.subnet_id === ref),
      ).toBe(true);
      const [association] = all(stack, 'azurerm_subnet_network_security_group_association').find(
        ([, a]) => a.subnet_id === ref,
      )!;
      const params = workspace.custom_parameters as Record<string, unknown>;
      const key = name === 'databricks-host' ? 'public' : 'private';
      expect(params[`${key}_subnet_name`]).toBe(`\${azurerm_subnet.${address}.name}`);
      expect(subnet.name).toBe(name);
      expect(params[`${key}_subnet_network_security_group_association_id`]).toBe(
        `\${azurerm_subnet_network_security_group_association.${association}.id}`,
      );
    }
    expect(workspace).toMatchObject({
      sku: 'premium',
      public_network_access_enabled: false,
      network_security_group_rules_required: 'NoAzureDatabricksRules',
      custom_parameters: { no_public_ip: true },
    });
  });

  it('reaches the workspace and the lake only through private endpoints in the endpoints subnet', () => {
    const endpoints = all(stack, 'azurerm_private_endpoint').map(([, pe]) => pe);
    const to = (address: string) =>
      endpoints
        .filter(
          (pe) =>
            (pe.private_service_connection as Resource).private_connection_resource_id ===
            `\${${address}.id}`,
        )
        .map(
          (pe) =>
            (pe.private_service_connection as { subresource_names: string[] }).subresource_names[0],
        )
        .sort();
    expect(to(`azurerm_databricks_workspace.${workspaceAddress}`)).toEqual([
      'browser_authentication',
      'databricks_ui_api',
    ]);
    expect(to(`azurerm_storage_account.${lakeAddress}`)).toEqual(['blob', 'dfs']);
    expect(all(stack, 'azurerm_private_dns_zone').map(([, z]) => z.name)).toContain(
      'privatelink.azuredatabricks.net',
    );
    expect(lake).toMatchObject({
      is_hns_enabled: true,
      shared_access_key_enabled: false,
      public_network_access_enabled: false,
    });
  });

  it('grants the access connector exactly the lake (and, on Event Hubs, the two topics the job reads)', () => {
    const connector = `\${azurerm_databricks_access_connector.${connectorAddress}.identity[0].principal_id}`;
    const grants = all(stack, 'azurerm_role_assignment')
      .map(([, g]) => g)
      .filter((g) => g.principal_id === connector);
    const onLake = grants.filter(
      (g) => g.scope === `\${azurerm_storage_account.${lakeAddress}.id}`,
    );
    expect(onLake.map((g) => g.role_definition_name)).toEqual(['Storage Blob Data Contributor']);
    const receivers = grants.filter(
      (g) => g.role_definition_name === 'Azure Event Hubs Data Receiver',
    );
    if (env === 'dev') {
      const hubs = new Map(
        all(stack, 'azurerm_eventhub').map(([a, h]) => [`\${azurerm_eventhub.${a}.id}`, h.name]),
      );
      expect(receivers.map((g) => hubs.get(g.scope as string)).sort()).toEqual([
        'alerts',
        'telemetry.analyzed',
      ]);
      expect(grants).toHaveLength(3);
    } else {
      expect(receivers).toHaveLength(0);
      expect(grants).toHaveLength(1);
    }
  });

  it('lets the AzureDatabricks application read the vault for the secret scope, from a validated input', () => {
    const reader = all(stack, 'azurerm_role_assignment').find(
      ([, g]) => g.principal_id === '${var.azure_databricks_principal_object_id}',
    );
    expect(reader?.[1]).toMatchObject({
      role_definition_name: 'Key Vault Secrets User',
      principal_type: 'ServicePrincipal',
    });
    const variable = stacks.get(stack)!.variable!.azure_databricks_principal_object_id;
    expect(JSON.stringify(variable.validation)).toContain('[0-9a-f]{8}-');
  });
});

describe.each(['dev', 'prod'])('iot-%s-data: the lakehouse job', (env) => {
  const stack = `iot-${env}-data`;
  const data = stacks.get(stack)!;
  const [, job] = one(stack, 'databricks_job');
  const task = (job.task as Array<{ spark_python_task: { parameters: string[] } }>)[0]!;
  const params = task.spark_python_task.parameters;
  const arg = (name: string) => params[params.indexOf(name) + 1];

  it('configures the databricks provider from the platform workspace (Azure auth, no token)', () => {
    const provider = data.provider!.databricks![0]!;
    expect(provider.host).toMatch(/^https:\/\/\$\{.*databricks_workspace.*workspace_url\}$/);
    expect(provider.azure_workspace_resource_id).toMatch(/azurerm_databricks_workspace.*id\}$/);
    expect(provider.token).toBeUndefined();
  });

  it('uploads the job folder from data-science/jobs as relative assets', () => {
    const paths = all(stack, 'databricks_workspace_file').map(([, f]) => f.path as string);
    expect(paths).toContain('/Shared/iot/telemetry-lakehouse/telemetry_lakehouse.py');
    expect(paths.some((p) => p.startsWith('/Shared/iot/telemetry-lakehouse/lakehouse/'))).toBe(
      true,
    );
    expect(raw.get(stack)).not.toContain(LAKEHOUSE_JOB_DIRECTORY);
    expect(raw.get(stack)).not.toContain(join(__dirname, '..'));
  });

  it('writes the tables and checkpoints to the lake through unity catalog external locations', () => {
    expect(arg('--lakehouse-path')).toMatch(
      /^abfss:\/\/lakehouse@\$\{.*storage_account.*name\}\.dfs\.core\.windows\.net\/telemetry$/,
    );
    expect(arg('--checkpoint-path')).toMatch(/^abfss:\/\/checkpoints@.*\/telemetry-lakehouse$/);
    expect(all(stack, 'databricks_external_location').map(([, l]) => l.url)).toHaveLength(2);
    expect(arg('--readings-topic')).toBe('telemetry.analyzed');
    expect(arg('--alerts-topic')).toBe('alerts');
    expect(job.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^databricks_external_location\./)]),
    );
  });

  it('reads Kafka as the Node workloads do on this backbone', () => {
    const cluster = (job.job_cluster as Array<{ new_cluster: Resource }>)[0]!.new_cluster;
    if (env === 'dev') {
      expect(arg('--kafka-mode')).toBe('eventhubs');
      expect(arg('--eventhubs-auth')).toBe('entra');
      expect(arg('--eventhubs-namespace')).toMatch(/eventhub_namespace.*name\}$/);
      expect(arg('--eventhubs-service-credential')).toMatch(/^\$\{databricks_credential\./);
      const [, credential] = one(stack, 'databricks_credential');
      expect(credential.purpose).toBe('SERVICE');
      expect(cluster.spark_env_vars).toBeUndefined();
    } else {
      expect(arg('--kafka-mode')).toBe('hdinsight');
      expect(arg('--kafka-brokers')).toBe('${var.kafka_bootstrap_servers}');
      expect(cluster.spark_env_vars).toEqual({
        KAFKA_TLS_CA_PEM: `{{secrets/${LAKEHOUSE_SECRET_SCOPE}/${KAFKA_CA_SECRET_NAME}}}`,
      });
      expect(all(stack, 'databricks_credential')).toHaveLength(0);
    }
    const [, scope] = one(stack, 'databricks_secret_scope');
    expect(scope.name).toBe(LAKEHOUSE_SECRET_SCOPE);
    expect(scope.keyvault_metadata).toEqual({
      resource_id: expect.stringMatching(/key_vault.*id\}$/),
      dns_name: expect.stringMatching(/key_vault.*vault_uri\}$/),
    });
  });
});

describe('data science inputs', () => {
  const failure = (build: () => unknown): ValidationError => {
    try {
      build();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return e as ValidationError;
    }
    throw new Error('expected a ValidationError');
  };

  it('refuses dataScience without the two databricks subnets in the address plan', () => {
    const network = { ...dev.platform.network, databricksContainerPrefix: undefined };
    const error = failure(
      () =>
        new PlatformStack(Testing.app(), 'iot-dev', {
          ...dev,
          platform: { ...dev.platform, network },
        }),
    );
    expect(error.prop).toBe('network.databricksHostPrefix');
  });

  it('refuses a data stack for an environment without dataScience', () => {
    const app = Testing.app();
    const platform = new PlatformStack(app, 'iot-dev', dev);
    const error = failure(
      () =>
        new DataStack(app, 'iot-dev-data', { ...dev, dataScience: undefined }, platform.platform),
    );
    expect(error.prop).toBe('dataScience');
  });

  it('creates no data stack, workspace or lake for an environment without dataScience', () => {
    const [s] = buildApp(Testing.app(), [{ ...dev, dataScience: undefined }]);
    expect(s!.data).toBeUndefined();
    expect(s!.platform.platform.databricks).toBeUndefined();
    expect(s!.platform.platform.lake).toBeUndefined();
  });
});
