import { Testing } from 'cdktf';
import { PlatformStack } from './platform-stack';
import { environments } from './environments';

/**
 * The first `cdktf deploy` of a platform stack runs from outside the VNet (an operator or a
 * Microsoft-hosted agent): the agents inside it are created afterwards (docs/adr/0009). Every
 * resource whose creation calls a service's data plane must therefore target a service that the
 * deployer can reach at that point: one whose public endpoint opens to exactly the
 * `key_vault_deployer_ip_ranges` input. Everything else must go through Azure Resource Manager,
 * which a private endpoint or a firewall does not filter (docs/adr/0010).
 */

type Resource = Record<string, unknown>;
interface StackJson {
  provider: { azurerm: { features: unknown[] }[] };
  variable: Record<string, { default?: unknown }>;
  resource: Record<string, Record<string, Resource>>;
}

/**
 * Resource types the azurerm provider 4.55 creates and reads through Azure Resource Manager
 * only. A type missing from both tables fails the test, so a new one is classified on purpose.
 */
const CONTROL_PLANE = new Set([
  // API Management: the service and its APIs, products, subscriptions and policies are ARM
  // child resources (Microsoft.ApiManagement/service/*).
  'azurerm_api_management',
  'azurerm_api_management_api',
  'azurerm_api_management_api_policy',
  'azurerm_api_management_backend',
  'azurerm_api_management_product',
  'azurerm_api_management_product_api',
  'azurerm_api_management_subscription',
  'azurerm_application_insights',
  'azurerm_container_registry',
  // Databricks workspace and access connector: Microsoft.Databricks/workspaces and
  // /accessConnectors; what happens inside the workspace is the data stack's, through its provider.
  'azurerm_databricks_access_connector',
  'azurerm_databricks_workspace',
  // Cosmos DB databases, containers and SQL role assignments are ARM child resources
  // (Microsoft.DocumentDB/databaseAccounts/sqlDatabases, …/sqlRoleAssignments).
  'azurerm_cosmosdb_account',
  'azurerm_cosmosdb_sql_container',
  'azurerm_cosmosdb_sql_database',
  'azurerm_cosmosdb_sql_role_assignment',
  // Event hubs and consumer groups: Microsoft.EventHub/namespaces/eventhubs/*.
  'azurerm_eventhub',
  'azurerm_eventhub_consumer_group',
  'azurerm_eventhub_namespace',
  'azurerm_federated_identity_credential',
  'azurerm_hdinsight_kafka_cluster',
  // The vault itself is ARM; its read tolerates a failing certificate-contacts call.
  'azurerm_key_vault',
  'azurerm_kubernetes_cluster',
  'azurerm_kubernetes_cluster_node_pool',
  'azurerm_linux_web_app',
  'azurerm_log_analytics_workspace',
  // Managed Redis and its access policy assignments (ARM template deployments).
  'azurerm_managed_redis',
  'azurerm_resource_group_template_deployment',
  // Custom role definitions (the registry's task-runner and image-locker roles).
  'azurerm_role_definition',
  'azurerm_management_lock',
  'azurerm_monitor_action_group',
  'azurerm_monitor_alert_prometheus_rule_group',
  'azurerm_monitor_data_collection_endpoint',
  'azurerm_monitor_data_collection_rule',
  'azurerm_monitor_data_collection_rule_association',
  'azurerm_monitor_diagnostic_setting',
  'azurerm_monitor_metric_alert',
  'azurerm_monitor_scheduled_query_rules_alert_v2',
  'azurerm_monitor_workspace',
  'azurerm_nat_gateway',
  'azurerm_nat_gateway_public_ip_association',
  'azurerm_network_security_group',
  'azurerm_network_security_rule',
  // PostgreSQL databases, configurations and Entra admins: Microsoft.DBforPostgreSQL/flexibleServers/*.
  'azurerm_postgresql_flexible_server',
  'azurerm_postgresql_flexible_server_active_directory_administrator',
  'azurerm_postgresql_flexible_server_configuration',
  'azurerm_postgresql_flexible_server_database',
  'azurerm_private_dns_a_record',
  'azurerm_private_dns_zone',
  'azurerm_private_dns_zone_virtual_network_link',
  'azurerm_private_endpoint',
  'azurerm_public_ip',
  'azurerm_resource_group',
  // Role assignments are ARM, even when scoped to a vault's secret.
  'azurerm_role_assignment',
  'azurerm_service_plan',
  'azurerm_subnet',
  'azurerm_subnet_nat_gateway_association',
  'azurerm_subnet_network_security_group_association',
  'azurerm_user_assigned_identity',
  'azurerm_virtual_network',
]);

/** How a data-plane resource names its parent service. */
interface DataPlaneUse {
  /** Attribute holding the parent's reference, e.g. `key_vault_id`. */
  readonly via: string;
  /** When the resource uses the data plane only in some shapes (e.g. the legacy storage container). */
  readonly when?: (r: Resource) => boolean;
}

/**
 * Resource types whose create or read calls a service's data plane, and where their parent is.
 * Sources: the azurerm 4.55 resources (internal/services/keyvault, internal/services/storage).
 */
const DATA_PLANE: Record<string, DataPlaneUse> = {
  azurerm_key_vault_certificate: { via: 'key_vault_id' },
  azurerm_key_vault_secret: { via: 'key_vault_id' },
  azurerm_key_vault_key: { via: 'key_vault_id' },
  // With storage_account_id the container is an ARM resource (blobServices/default/containers);
  // only the deprecated storage_account_name form calls the blob endpoint.
  azurerm_storage_container: {
    via: 'storage_account_name',
    when: (r) => r.storage_account_name !== undefined,
  },
  azurerm_storage_blob: { via: 'storage_account_name' },
  azurerm_storage_queue: { via: 'storage_account_name' },
  azurerm_storage_share: { via: 'storage_account_name' },
  azurerm_storage_data_lake_gen2_filesystem: { via: 'storage_account_id' },
};

/** Where a parent service's public access and ip rules live. */
const PARENTS: Record<string, { readonly ipRules: string }> = {
  azurerm_key_vault: { ipRules: 'network_acls' },
  azurerm_storage_account: { ipRules: 'network_rules' },
};

const DEPLOYER_VARIABLE = 'key_vault_deployer_ip_ranges';

function block(r: Resource, name: string): Resource | undefined {
  const v = r[name];
  return (Array.isArray(v) ? v[0] : v) as Resource | undefined;
}

/** Findings: each data-plane resource the first deployer could not reach, with the reason. */
function unreachableOnFirstDeploy(json: StackJson): string[] {
  const findings: string[] = [];
  const resources = json.resource;
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, r] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      if (type === 'azurerm_storage_account') {
        // azurerm 4.x polls a new account's blob, queue, file and web endpoints and reads the
        // queue and static-website properties, unless the provider's storage data plane is off.
        const storage = block(json.provider.azurerm[0].features[0] as Resource, 'storage');
        if (storage?.data_plane_available !== false && r.public_network_access_enabled === false)
          findings.push(`${address}: private-only, and the provider still calls its data plane`);
        continue;
      }
      const use = DATA_PLANE[type];
      if (!use) {
        if (!CONTROL_PLANE.has(type)) findings.push(`${address}: unclassified resource type`);
        continue;
      }
      if (use.when && !use.when(r)) continue;
      const ref = /^\$\{(azurerm_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(
        String(r[use.via]),
      );
      const parent = ref ? resources[ref[1]]?.[ref[2]] : undefined;
      const where = ref ? PARENTS[ref[1]] : undefined;
      if (!ref || !parent || !where) {
        findings.push(`${address}: ${use.via} is not a reference to a known parent`);
        continue;
      }
      const access = parent.public_network_access_enabled;
      const ipRules = block(parent, where.ipRules)?.ip_rules;
      if (access !== `\${(length(var.${DEPLOYER_VARIABLE}) >= 1)}`)
        findings.push(
          `${address}: ${ref[1]}.${ref[2]} public_network_access_enabled is ${JSON.stringify(access)}, not opened by var.${DEPLOYER_VARIABLE}`,
        );
      if (ipRules !== `\${var.${DEPLOYER_VARIABLE}}`)
        findings.push(
          `${address}: ${ref[1]}.${ref[2]} ip rules are ${JSON.stringify(ipRules)}, not var.${DEPLOYER_VARIABLE}`,
        );
    }
  }
  return findings;
}

const synthesized = new Map(
  environments.map((env) => [
    env.name,
    JSON.parse(
      Testing.synth(new PlatformStack(Testing.app(), `iot-${env.name}`, env)),
    ) as StackJson,
  ]),
);

describe.each(environments.map((e) => e.name))('first deploy of iot-%s', (name) => {
  const json = () => synthesized.get(name)!;

  it('creates nothing on a data plane the deployer outside the VNet cannot reach', () => {
    expect(unreachableOnFirstDeploy(json())).toEqual([]);
  });

  it('has data-plane resources to check (the ingress and image-signing certificates in the vault)', () => {
    expect(Object.keys(json().resource.azurerm_key_vault_certificate ?? {})).toHaveLength(2);
  });

  it('keeps the vault private-only unless deployer ranges are given', () => {
    expect(json().variable[DEPLOYER_VARIABLE].default).toEqual([]);
  });
});

describe('unreachableOnFirstDeploy', () => {
  const dev = () => structuredClone(synthesized.get('dev')!);
  const vault = (j: StackJson) => Object.values(j.resource.azurerm_key_vault)[0];

  it('reports a certificate in a vault that is private-only (the original defect)', () => {
    const j = dev();
    vault(j).public_network_access_enabled = false;
    delete (vault(j).network_acls as Resource).ip_rules;
    // both certificates (ingress, image signing), each for both reasons
    const found = unreachableOnFirstDeploy(j).filter((f) =>
      f.startsWith('azurerm_key_vault_certificate.'),
    );
    expect(found).toHaveLength(4);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^azurerm_key_vault_certificate\.ImageSigning.*public_network_access_enabled is false/,
        ),
        expect.stringMatching(/^azurerm_key_vault_certificate\..*ip rules are undefined/),
      ]),
    );
  });

  it('reports a vault opened to other ranges than the deployer input', () => {
    const j = dev();
    (vault(j).network_acls as Resource).ip_rules = ['20.61.14.0/28'];
    const found = unreachableOnFirstDeploy(j).filter((f) =>
      f.startsWith('azurerm_key_vault_certificate.'),
    );
    // one finding per certificate (ingress, image signing)
    expect(found).toEqual([
      expect.stringMatching(/ip rules are \["20/),
      expect.stringMatching(/ip rules are \["20/),
    ]);
  });

  it('reports a private storage account while the provider calls its data plane', () => {
    const j = dev();
    j.provider.azurerm[0].features = [{}];
    j.resource.azurerm_storage_account = { St: { public_network_access_enabled: false } };
    expect(unreachableOnFirstDeploy(j)).toEqual([
      'azurerm_storage_account.St: private-only, and the provider still calls its data plane',
    ]);
  });

  it('reports a storage container addressed by account name, not one by account id', () => {
    const j = dev();
    j.resource.azurerm_storage_account = { St: { public_network_access_enabled: false } };
    j.resource.azurerm_storage_container = {
      ById: { storage_account_id: '${azurerm_storage_account.St.id}' },
      ByName: { storage_account_name: '${azurerm_storage_account.St.name}' },
    };
    expect(unreachableOnFirstDeploy(j)).toEqual([
      expect.stringMatching(/^azurerm_storage_container\.ByName: .*public_network_access_enabled/),
      expect.stringMatching(/^azurerm_storage_container\.ByName: .*ip rules/),
    ]);
  });

  it('reports a resource type nobody has classified', () => {
    const j = dev();
    j.resource.azurerm_redis_cache = { Cache: {} };
    expect(unreachableOnFirstDeploy(j)).toEqual([
      'azurerm_redis_cache.Cache: unclassified resource type',
    ]);
  });
});
