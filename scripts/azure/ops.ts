/**
 * The hand steps around `cdktf deploy`, as commands: each prints the bash script it would run, so
 * an operator reads exactly what will happen, and `| bash` runs it.
 *
 *   npm run -s ops -- prepare iot-dev | bash     # resource providers, features, state backend
 *   npm run -s ops -- teardown-workloads iot-dev-workloads | bash   # where the API server is reachable
 *   npm run -s ops -- teardown iot-dev | bash    # agents, locks, platform (workloads must be gone)
 *
 * Everything is derived from the synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`,
 * `npm run synth` first): the resource providers to register from the resource types the stack
 * uses, the subscription features from what the resources ask for, the state backend from its
 * `terraform.backend.azurerm` block. Exit 2 with a message on bad arguments, a stack that was not
 * synthesized, or a resource type this script cannot place (so no provider is silently missed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { poolResourceGroup, poolTarget } from './deployment-agent-pool';
import { UsageError, resourcesOfType, runScriptCli, shq as q } from './synth-output';
import type { Json } from './synth-output';

/** Resource type prefixes → the resource provider namespace that serves them (longest wins). */
export const RESOURCE_PROVIDERS: ReadonlyArray<readonly [string, string]> = [
  ['azurerm_api_management', 'Microsoft.ApiManagement'],
  ['azurerm_application_insights', 'Microsoft.Insights'],
  ['azurerm_container_registry', 'Microsoft.ContainerRegistry'],
  ['azurerm_cosmosdb_', 'Microsoft.DocumentDB'],
  ['azurerm_databricks_', 'Microsoft.Databricks'],
  ['azurerm_dashboard_grafana', 'Microsoft.Dashboard'],
  ['azurerm_eventhub', 'Microsoft.EventHub'],
  ['azurerm_federated_identity_credential', 'Microsoft.ManagedIdentity'],
  ['azurerm_user_assigned_identity', 'Microsoft.ManagedIdentity'],
  ['azurerm_hdinsight_', 'Microsoft.HDInsight'],
  ['azurerm_key_vault', 'Microsoft.KeyVault'],
  ['azurerm_kubernetes_cluster_extension', 'Microsoft.KubernetesConfiguration'],
  ['azurerm_kubernetes_', 'Microsoft.ContainerService'],
  ['azurerm_linux_web_app', 'Microsoft.Web'],
  ['azurerm_service_plan', 'Microsoft.Web'],
  ['azurerm_log_analytics_', 'Microsoft.OperationalInsights'],
  ['azurerm_managed_redis', 'Microsoft.Cache'],
  ['azurerm_redis_', 'Microsoft.Cache'],
  ['azurerm_management_lock', 'Microsoft.Authorization'],
  ['azurerm_role_assignment', 'Microsoft.Authorization'],
  ['azurerm_role_definition', 'Microsoft.Authorization'],
  ['azurerm_resource_policy_assignment', 'Microsoft.Authorization'],
  ['azurerm_resource_group_policy_assignment', 'Microsoft.Authorization'],
  ['azurerm_monitor_alert_prometheus_rule_group', 'Microsoft.AlertsManagement'],
  ['azurerm_monitor_workspace', 'Microsoft.Monitor'],
  ['azurerm_monitor_', 'Microsoft.Insights'],
  ['azurerm_nat_gateway', 'Microsoft.Network'],
  ['azurerm_network_', 'Microsoft.Network'],
  ['azurerm_private_dns_', 'Microsoft.Network'],
  ['azurerm_private_endpoint', 'Microsoft.Network'],
  ['azurerm_public_ip', 'Microsoft.Network'],
  ['azurerm_route_table', 'Microsoft.Network'],
  ['azurerm_subnet', 'Microsoft.Network'],
  ['azurerm_virtual_network', 'Microsoft.Network'],
  ['azurerm_postgresql_flexible_server', 'Microsoft.DBforPostgreSQL'],
  ['azurerm_resource_group', 'Microsoft.Resources'],
  ['azurerm_storage_', 'Microsoft.Storage'],
];

/** The resource provider namespaces a stack's azurerm resources need, sorted. */
export function resourceProviders(stack: Json): string[] {
  const namespaces = new Set<string>();
  const unknown: string[] = [];
  for (const type of Object.keys((stack.resource ?? {}) as Json)) {
    if (!type.startsWith('azurerm_')) continue;
    const match = RESOURCE_PROVIDERS.filter(([prefix]) => type.startsWith(prefix)).sort(
      (a, b) => b[0].length - a[0].length,
    )[0];
    if (match) namespaces.add(match[1]);
    else unknown.push(type);
  }
  if (unknown.length > 0) {
    throw new UsageError(
      `no resource provider known for ${unknown.sort().join(', ')}: add it to RESOURCE_PROVIDERS in scripts/azure/ops.ts`,
    );
  }
  const clusters = Object.values(resourcesOfType(stack, 'azurerm_kubernetes_cluster'));
  // VM scale sets of the node pools; the Azure Policy add-on reports through PolicyInsights; the
  // monitoring add-on's solution lives in OperationsManagement.
  if (clusters.length > 0) namespaces.add('Microsoft.Compute');
  if (clusters.some((c) => c.azure_policy_enabled === true))
    namespaces.add('Microsoft.PolicyInsights');
  if (clusters.some((c) => c.oms_agent !== undefined))
    namespaces.add('Microsoft.OperationsManagement');
  return [...namespaces].sort();
}

/** Subscription features (`namespace/name`) the stack's resources ask for. */
export function features(stack: Json): string[] {
  const out = new Set<string>();
  const hostEncryption = [
    ...Object.values(resourcesOfType(stack, 'azurerm_kubernetes_cluster')).map(
      (c) => (c.default_node_pool as Json | undefined)?.host_encryption_enabled,
    ),
    ...Object.values(resourcesOfType(stack, 'azurerm_kubernetes_cluster_node_pool')).map(
      (p) => p.host_encryption_enabled,
    ),
  ];
  if (hostEncryption.some((v) => v === true)) out.add('Microsoft.Compute/EncryptionAtHost');
  return [...out].sort();
}

/** The stack's azurerm backend, or an error saying the stack keeps local state. */
export function stateBackend(stack: Json): {
  resourceGroup: string;
  storageAccount: string;
  container: string;
} {
  const backend = ((stack.terraform as Json | undefined)?.backend as Json | undefined)?.azurerm as
    | Json
    | undefined;
  if (!backend)
    throw new UsageError('the stack has no azurerm backend (local state): nothing to prepare');
  return {
    resourceGroup: String(backend.resource_group_name),
    storageAccount: String(backend.storage_account_name),
    container: String(backend.container_name),
  };
}

/** The literal location and name of the stack's resource group(s). */
function resourceGroups(stack: Json): { name: string; location: string }[] {
  return Object.values(resourcesOfType(stack, 'azurerm_resource_group')).map((g) => ({
    name: String(g.name),
    location: String(g.location),
  }));
}

/** The bash script that prepares a subscription for the stack. */
export function prepareScript(stackName: string, stack: Json): string {
  const backend = stateBackend(stack);
  const location = resourceGroups(stack)[0]?.location;
  if (!location || location.includes('${')) {
    throw new UsageError(`${stackName} has no resource group with a literal location`);
  }
  const lines = [
    '#!/usr/bin/env bash',
    `# Prepares the signed-in subscription for ${stackName} (generated by scripts/azure/ops.ts). Idempotent.`,
    'set -euo pipefail',
    'az account show --query "{subscription:id, tenant:tenantId, user:user.name}" -o table',
    '',
    '# 1. Resource providers the stack uses (registration is per subscription, takes 1-5 min each).',
    ...resourceProviders(stack).map((ns) => `az provider register --namespace ${ns} --wait`),
  ];
  const feats = features(stack);
  if (feats.length > 0) {
    lines.push(
      '',
      '# 2. Subscription features the resources ask for (then the namespace re-registers).',
    );
    for (const f of feats) {
      const [ns, name] = f.split('/') as [string, string];
      lines.push(
        `az feature register --namespace ${ns} --name ${name} -o none`,
        `until [ "$(az feature show --namespace ${ns} --name ${name} --query properties.state -o tsv)" = Registered ]; do sleep 20; done`,
        `az provider register --namespace ${ns} --wait`,
      );
    }
  }
  const sa = backend.storageAccount;
  const rg = backend.resourceGroup;
  lines.push(
    '',
    '# 3. Terraform state: a storage account with Entra auth only, versioning and soft delete.',
    `az group create --name ${q(rg)} --location ${q(location)} --tags purpose=terraform-state -o none`,
    `az storage account create --name ${q(sa)} --resource-group ${q(rg)} --location ${q(location)} ` +
      '--sku Standard_ZRS --kind StorageV2 --min-tls-version TLS1_2 --https-only true ' +
      '--allow-blob-public-access false --allow-shared-key-access false -o none',
    `az storage account blob-service-properties update --account-name ${q(sa)} --resource-group ${q(rg)} ` +
      '--enable-versioning true --enable-delete-retention true --delete-retention-days 30 ' +
      '--enable-container-delete-retention true --container-delete-retention-days 30 -o none',
    `scope=$(az storage account show --name ${q(sa)} --resource-group ${q(rg)} --query id -o tsv)`,
    'me=$(az ad signed-in-user show --query id -o tsv)',
    'if [ -z "$(az role assignment list --assignee "$me" --role "Storage Blob Data Contributor" --scope "$scope" --query "[0].id" -o tsv)" ]; then',
    '  az role assignment create --assignee-object-id "$me" --assignee-principal-type User --role "Storage Blob Data Contributor" --scope "$scope" -o none',
    '  sleep 60 # role assignments take up to a few minutes to reach the data plane',
    'fi',
    `az storage container create --name ${q(backend.container)} --account-name ${q(sa)} --auth-mode login -o none`,
    `echo "prepared: state in ${sa}/${backend.container}; next: npx cdktf deploy ${stackName}"`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The bash script that removes a platform stack. The workloads stack must already be destroyed:
 * its API server may be reachable only from the deployment agents inside the VNet, while this
 * script deletes those agents (they hold a subnet of the VNet). The script checks the workloads
 * stack's state is empty before it changes anything.
 */
export function teardownScript(
  stackName: string,
  stack: Json,
  workloadsStack: string | undefined,
): string {
  const groups = resourceGroups(stack);
  if (groups.length === 0) throw new UsageError(`${stackName} has no resource group`);
  const vaults = Object.values(resourcesOfType(stack, 'azurerm_key_vault')).map((v) =>
    String(v.name),
  );
  const agents = Object.values(resourcesOfType(stack, 'azurerm_subnet')).some(
    (s) => s.name === 'deployment-agents',
  );
  const lines = [
    '#!/usr/bin/env bash',
    `# Removes ${stackName} (generated by scripts/azure/ops.ts).`,
    'set -euo pipefail',
    'az account show --query "{subscription:id, tenant:tenantId, user:user.name}" -o table',
  ];
  if (workloadsStack) {
    lines.push(
      '',
      `# 1. ${workloadsStack} must be gone first: its state is read from the backend (no API server needed).`,
      `left=$(cd cdktf.out/stacks/${workloadsStack} && terraform init -input=false >/dev/null && terraform state list | wc -l)`,
      'if [ "$left" -gt 0 ]; then',
      `  echo "${workloadsStack} still has $left resources: run 'npm run -s ops -- teardown-workloads ${workloadsStack} | bash' where its API server is reachable (docs/operations.md), then rerun this" >&2`,
      '  exit 1',
      'fi',
    );
  }
  if (agents) {
    const pool = poolResourceGroup(poolTarget(stack));
    lines.push(
      '',
      '# 2. The deployment agents (their pool holds the deployment-agents subnet).',
      `if [ "$(az group exists --name ${q(pool)})" = true ]; then az group delete --name ${q(pool)} --yes; fi`,
    );
  }
  lines.push('', '# 3. Locks (data stores in production carry CanNotDelete locks).');
  for (const g of groups) {
    lines.push(
      `if [ "$(az group exists --name ${q(g.name)})" = true ]; then`,
      `  for id in $(az lock list --resource-group ${q(g.name)} --query "[].id" -o tsv); do az lock delete --ids "$id"; done`,
      'fi',
    );
  }
  lines.push('', '# 4. The platform.', `npx cdktf destroy ${stackName} --auto-approve`);
  if (vaults.length > 0) {
    lines.push(
      '',
      '# 5. Key Vault has purge protection: the deleted vault is kept for its retention period and its',
      '#    name cannot be reused until then. This lists it; purging is refused by design.',
      ...vaults.map(
        (v) =>
          `az keyvault list-deleted --query "[?name=='${v}'].{name:name, purgeAt:properties.scheduledPurgeDate}" -o table`,
      ),
    );
  }
  lines.push(
    `echo "removed ${stackName}; the state account stays (delete its resource group by hand if wanted)"`,
  );
  return `${lines.join('\n')}\n`;
}

/** The bash script that destroys a workloads stack (run where its API server is reachable). */
export function teardownWorkloadsScript(stackName: string, stack: Json): string {
  const k8s = Object.keys((stack.resource ?? {}) as Json).some((t) => t.startsWith('kubernetes_'));
  if (!k8s)
    throw new UsageError(
      `${stackName} has no kubernetes resources: is it a workloads stack (iot-<env>-workloads)?`,
    );
  return [
    '#!/usr/bin/env bash',
    `# Destroys ${stackName} (generated by scripts/azure/ops.ts): run where the AKS API server is reachable.`,
    'set -euo pipefail',
    'az account show --query "{subscription:id, tenant:tenantId, user:user.name}" -o table',
    `npx cdktf destroy ${stackName} --auto-approve`,
    `echo "destroyed ${stackName}"`,
    '',
  ].join('\n');
}

const USAGE = `usage: npm run -s ops -- <command> <stack> [--out cdktf.out] | bash
  prepare            STACK  resource providers, subscription features and the state backend of STACK
  teardown-workloads STACK  destroy a workloads stack (run where its API server is reachable)
  teardown           STACK  destroy a platform stack once its workloads stack is empty: deployment
                            agents, locks, then the platform`;

/** Runs the CLI; returns the exit code. */
export function main(
  argv: string[],
  cwd: string,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  return runScriptCli(
    {
      name: 'ops',
      help: `${USAGE}\n`,
      cwd,
      commands: {
        prepare: prepareScript,
        'teardown-workloads': teardownWorkloadsScript,
        teardown: (name, stack, outDir) => {
          const workloads = `${name}-workloads`;
          const synthesized = existsSync(join(outDir, 'stacks', workloads, 'cdk.tf.json'));
          return teardownScript(name, stack, synthesized ? workloads : undefined);
        },
      },
    },
    argv,
    out,
    err,
  );
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    process.env.INIT_CWD ?? process.cwd(),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
