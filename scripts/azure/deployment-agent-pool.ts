/**
 * The Managed DevOps Pool that applies an environment's workloads stack from inside its VNet
 * (docs/adr/0009): prints the bash script, so an operator reads exactly what will happen, and
 * `| bash` runs it. Run once per environment after `cdktf deploy iot-<env>`.
 *
 *   npx tsx scripts/azure/deployment-agent-pool.ts iot-prod --organization https://dev.azure.com/contoso | bash
 *   npx tsx scripts/azure/deployment-agent-pool.ts iot-prod --delete | bash   # before a teardown
 *
 * Names come from the synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`, `npm run synth`
 * first): the platform resource group, its region, the VNet and the `deployment-agents` subnet.
 * The pool, its dev center and project live in a resource group of their own
 * (`rg-<platform>-agents`): the platform's resource group holds only what Terraform manages, so
 * `cdktf destroy` never meets resources it does not know. Exit 2 with a message on bad arguments,
 * a stack that was not synthesized, or a stack without a deployment-agents subnet.
 */
import { resolve } from 'node:path';
import { UsageError, loadStack } from './synth-output';
import type { Json } from './synth-output';

/** A usage or input error: the CLI prints it and exits 2. */
export class PoolScriptError extends Error {}

/** ARM API version of `Microsoft.DevOpsInfrastructure/pools` the properties below follow. */
export const POOL_API_VERSION = '2024-10-19';

/** What the script needs from the platform stack. */
export interface PoolTarget {
  readonly resourceGroup: string;
  readonly location: string;
  readonly virtualNetwork: string;
  readonly subnet: string;
}

/** Reads the platform stack's resource group, region, VNet and agents subnet names. */
export function poolTarget(stack: Json): PoolTarget {
  const r = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  const literal = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v.includes('${')) {
      throw new PoolScriptError(`${what} is not a literal in the stack (${JSON.stringify(v)})`);
    }
    return v;
  };
  const groups = Object.values(r.azurerm_resource_group ?? {});
  const vnets = Object.values(r.azurerm_virtual_network ?? {});
  const subnet = Object.values(r.azurerm_subnet ?? {}).find((s) => s.name === 'deployment-agents');
  if (groups.length !== 1 || vnets.length !== 1) {
    throw new PoolScriptError(
      `expected one resource group and one virtual network, found ${groups.length} and ${vnets.length}: is this a platform stack (iot-<env>)?`,
    );
  }
  if (!subnet) {
    throw new PoolScriptError(
      'the stack has no deployment-agents subnet: set network.deploymentAgentsPrefix in the environment',
    );
  }
  return {
    resourceGroup: literal(groups[0].name, 'the resource group name'),
    location: literal(groups[0].location, 'the region'),
    virtualNetwork: literal(vnets[0].name, 'the virtual network name'),
    subnet: literal(subnet.name, 'the subnet name'),
  };
}

/** Options of the pool. */
export interface PoolOptions {
  /** Azure DevOps organization URL, `https://dev.azure.com/<org>`. */
  readonly organization: string;
  /** Agents at most at once. */
  readonly maxAgents: number;
  /** VM size of an agent. */
  readonly vmSize: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The bash script creating the pool and what it needs. */
export function createScript(t: PoolTarget, o: PoolOptions): string {
  const rg = `${t.resourceGroup}-agents`;
  const base = t.resourceGroup.replace(/^rg-/, '');
  const properties = {
    devCenterProjectResourceId: '${project_id}',
    maximumConcurrency: o.maxAgents,
    organizationProfile: {
      kind: 'AzureDevOps',
      organizations: [{ url: o.organization, parallelism: o.maxAgents }],
    },
    agentProfile: { kind: 'Stateless' },
    fabricProfile: {
      kind: 'Vmss',
      sku: { name: o.vmSize },
      images: [{ wellKnownImageName: 'ubuntu-24.04/latest' }],
      networkProfile: { subnetId: '${subnet_id}' },
    },
  };
  return `#!/usr/bin/env bash
# Managed DevOps Pool for ${t.resourceGroup}: agents in ${t.virtualNetwork}/${t.subnet} (docs/adr/0009).
set -euo pipefail
az provider register --namespace Microsoft.DevOpsInfrastructure --wait
az provider register --namespace Microsoft.DevCenter --wait
vnet_id=$(az network vnet show -g ${q(t.resourceGroup)} -n ${q(t.virtualNetwork)} --query id -o tsv)
subnet_id=$(az network vnet subnet show -g ${q(t.resourceGroup)} --vnet-name ${q(t.virtualNetwork)} -n ${q(t.subnet)} --query id -o tsv)
# The service's first-party principal joins the agents' NICs to the delegated subnet.
sp=$(az ad sp list --display-name DevOpsInfrastructure --query '[0].id' -o tsv)
if [ -z "$sp" ]; then echo "no DevOpsInfrastructure service principal in this tenant: register Microsoft.DevOpsInfrastructure first" >&2; exit 1; fi
az role assignment create --assignee-object-id "$sp" --assignee-principal-type ServicePrincipal --role Reader --scope "$vnet_id"
az role assignment create --assignee-object-id "$sp" --assignee-principal-type ServicePrincipal --role 'Network Contributor' --scope "$vnet_id"
az group create -n ${q(rg)} -l ${q(t.location)}
dev_center_id=$(az devcenter admin devcenter create -g ${q(rg)} -n ${q(`dc-${base}`)} -l ${q(t.location)} --query id -o tsv)
project_id=$(az devcenter admin project create -g ${q(rg)} -n ${q(`prj-${base}-deploy`)} -l ${q(t.location)} --dev-center-id "$dev_center_id" --query id -o tsv)
cat > pool-properties.json <<EOF
${JSON.stringify(properties, null, 2)}
EOF
az resource create -g ${q(rg)} -n ${q(`mdp-${base}`)} -l ${q(t.location)} --resource-type Microsoft.DevOpsInfrastructure/pools --api-version ${POOL_API_VERSION} --properties @pool-properties.json
rm pool-properties.json
echo "pool mdp-${base} ready: use it as 'pool: mdp-${base}' for the workloads stage"
`;
}

/** The resource group holding the pool, its dev center and project. */
export function poolResourceGroup(t: PoolTarget): string {
  return `${t.resourceGroup}-agents`;
}

/** The bash script removing the pool, its project and dev center (run before a platform teardown). */
export function deleteScript(t: PoolTarget): string {
  const rg = poolResourceGroup(t);
  return `#!/usr/bin/env bash
# Removes the Managed DevOps Pool of ${t.resourceGroup}, which holds the deployment-agents subnet.
set -euo pipefail
az group delete -n ${q(rg)} --yes
`;
}

/** Parses the CLI arguments; throws {@link PoolScriptError} on anything it does not expect. */
export function parseArgs(argv: readonly string[]): {
  stack: string;
  outDir: string;
  mode: 'create' | 'delete';
  options?: PoolOptions;
} {
  const [stack, ...rest] = argv;
  if (!stack || !/^[A-Za-z0-9_-]+$/.test(stack)) {
    throw new PoolScriptError(
      'usage: deployment-agent-pool.ts <platform stack, e.g. iot-prod> (--organization <https://dev.azure.com/org> [--max-agents N] [--vm-size SIZE] | --delete) [--out cdktf.out]',
    );
  }
  let organization: string | undefined;
  let maxAgents = 2;
  let vmSize = 'Standard_D2ads_v5';
  let outDir = 'cdktf.out';
  let mode: 'create' | 'delete' = 'create';
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new PoolScriptError(`${a} needs a value`);
      return v;
    };
    if (a === '--organization') organization = value();
    else if (a === '--max-agents') maxAgents = Number(value());
    else if (a === '--vm-size') vmSize = value();
    else if (a === '--out') outDir = value();
    else if (a === '--delete') mode = 'delete';
    else throw new PoolScriptError(`unknown argument ${a}`);
  }
  if (mode === 'delete') return { stack, outDir, mode };
  if (
    !organization ||
    !/^https:\/\/dev\.azure\.com\/[A-Za-z0-9][A-Za-z0-9-]*\/?$/.test(organization)
  ) {
    throw new PoolScriptError(
      `--organization must be an Azure DevOps organization URL such as https://dev.azure.com/contoso (got ${JSON.stringify(organization)})`,
    );
  }
  if (!Number.isInteger(maxAgents) || maxAgents < 1 || maxAgents > 20) {
    throw new PoolScriptError(`--max-agents must be an integer from 1 to 20 (got ${maxAgents})`);
  }
  if (!/^Standard_[A-Za-z0-9_]+$/.test(vmSize)) {
    throw new PoolScriptError(
      `--vm-size must be a VM size such as Standard_D2ads_v5 (got ${vmSize})`,
    );
  }
  return {
    stack,
    outDir,
    mode,
    options: { organization: organization.replace(/\/$/, ''), maxAgents, vmSize },
  };
}

function main(argv: readonly string[]): number {
  try {
    const args = parseArgs(argv);
    const target = poolTarget(loadStack(resolve(args.outDir), args.stack));
    process.stdout.write(
      args.mode === 'delete' ? deleteScript(target) : createScript(target, args.options!),
    );
    return 0;
  } catch (e) {
    if (e instanceof PoolScriptError || e instanceof UsageError) {
      process.stderr.write(`deployment-agent-pool: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
