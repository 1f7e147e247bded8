import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct, IConstruct } from 'constructs';
import { ValidationError, Waivers } from '../constructs/core';
import { AzurermBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import type { BackboneProps } from '../constructs/iot-streaming-platform';
import type { EnvironmentConfig, EnvironmentWaiver, StateBackend } from './environments';
import {
  adminGroupObjectIds,
  alertEmailReceivers,
  apimPublisherEmail,
  authorizedIpRanges,
  hdinsightSshPublicKeys,
  keyVaultDeployerIpRanges,
} from './deploy-inputs';
import { imageDigest } from './image-digests';
import { addPipelineIdentities } from './delivery';
import type { PipelineIdentities } from './delivery';

/** The ingest API's OpenAPI document, imported by API Management. */
export const INGEST_OPENAPI = readFileSync(
  join(__dirname, '..', 'workloads', 'ingest', 'openapi.json'),
  'utf8',
);

/** Configures the azurerm backend of a stack when the environment has remote state. */
export function configureBackend(
  stack: TerraformStack,
  backend: StateBackend | undefined,
  key: string,
): void {
  if (!backend) return;
  new AzurermBackend(stack, { ...backend, key: `${key}.tfstate`, useAzureadAuth: true });
}

/** Puts each environment waiver on the construct its path names; an unknown path is an error. */
export function applyEnvironmentWaivers(
  stack: TerraformStack,
  waivers: readonly EnvironmentWaiver[],
): void {
  for (const { path, ...waiver } of waivers) {
    let node: IConstruct = stack;
    for (const part of path.split('/')) {
      const child = node.node.tryFindChild(part);
      if (!child) {
        throw new ValidationError(
          stack,
          `waivers[${waiver.rule}].path`,
          path,
          `no construct ${part} under ${node.node.path}; children: ${node.node.children.map((c) => c.node.id).join(', ')}`,
        );
      }
      node = child;
    }
    Waivers.of(node).add(waiver);
  }
}

/**
 * The platform of one environment: the azurerm provider, remote state, the
 * {@link IotStreamingPlatform} pattern and the outputs an operator needs.
 */
export class PlatformStack extends TerraformStack {
  public readonly platform: IotStreamingPlatform;
  /** The Build and Deploy stages' identities and the image-signing certificate (./delivery.ts). */
  public readonly pipeline: PipelineIdentities;

  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', {
      // The storage accounts are private-only and configure no queue_properties/static_website:
      // with the data plane on, azurerm 4.x polls their queue, file and web endpoints at create
      // and read, which a private-only account answers 403 (docs/adr/0010).
      features: [{ storage: [{ dataPlaneAvailable: false }] }],
      subscriptionId: env.subscriptionId,
      // HDInsight's storage account and the state account have shared-key access off.
      storageUseAzuread: true,
    });
    configureBackend(this, env.backend, id);
    const client = new DataAzurermClientConfig(this, 'client');

    const backbone: BackboneProps =
      env.platform.backbone.kind === 'hdinsight'
        ? {
            ...env.platform.backbone,
            gatewayPassword: new TerraformVariable(this, 'hdinsight_gateway_password', {
              type: 'string',
              sensitive: true,
              description:
                'HDInsight cluster gateway (Ambari) password, from the pipeline secret store',
            }).stringValue,
            sshPublicKeys: hdinsightSshPublicKeys(this),
          }
        : env.platform.backbone;

    // Deploy-time inputs (./deploy-inputs.ts) complete what the environment data leaves out.
    const { alertReceivers, ...monitoring } = env.platform.monitoring;
    this.platform = new IotStreamingPlatform(this, 'Platform', {
      ...env.platform,
      tenantId: client.tenantId,
      // issues the ingress gateway's certificate in the vault
      deployerPrincipal: { principalId: client.objectId },
      // ...and reaches the private vault's data plane from these addresses (docs/adr/0010)
      keyVaultDeployerIpRanges: keyVaultDeployerIpRanges(this),
      webSignInClientId: new TerraformVariable(this, 'web_signin_client_id', {
        type: 'string',
        description:
          'client id of the Entra app registration dashboard users sign in to (npx tsx scripts/azure/web-signin-app-registration.ts register <stack> prints it)',
        validation: [
          {
            condition:
              '${can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.web_signin_client_id))}',
            errorMessage: 'web_signin_client_id must be a GUID (the application (client) id).',
          },
        ],
      }).stringValue,
      backbone,
      // Databricks' Key Vault-backed secret scope reads the vault as the tenant's AzureDatabricks
      // application, whose object id only the deployer can look up (docs/data-science.md).
      dataScience: env.dataScience
        ? {
            lakeReplication: env.dataScience.lakeReplication,
            azureDatabricksPrincipalId: new TerraformVariable(
              this,
              'azure_databricks_principal_object_id',
              {
                type: 'string',
                description:
                  'object id of the AzureDatabricks enterprise application in this tenant: az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv',
                validation: [
                  {
                    condition:
                      '${can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.azure_databricks_principal_object_id))}',
                    errorMessage:
                      'azure_databricks_principal_object_id must be a GUID (the enterprise application object id, not its application id).',
                  },
                ],
              },
            ).stringValue,
          }
        : undefined,
      monitoring: { ...monitoring, alertEmails: alertEmailReceivers(this, alertReceivers) },
      aks: {
        ...env.platform.aks,
        adminGroupObjectIds: adminGroupObjectIds(this),
        // A private API server has no public address to filter.
        authorizedIpRanges:
          env.platform.aks.privateCluster === true
            ? undefined
            : authorizedIpRanges(this, {
                deploymentAgents: env.platform.network.deploymentAgentsPrefix !== undefined,
              }),
      },
      webApp: { ...env.platform.webApp, imageDigest: imageDigest(this, 'web') },
      apiManagement: {
        ...env.platform.apiManagement,
        publisherEmail: apimPublisherEmail(this),
        ingestOpenApiDocument: INGEST_OPENAPI,
      },
    });

    applyEnvironmentWaivers(this, env.waivers ?? []);
    this.pipeline = addPipelineIdentities(this, env, this.platform, client);

    const p = this.platform;
    const outputs: Record<string, { value: string; description: string }> = {
      resource_group: {
        value: p.resourceGroup.name,
        description: 'resource group of the platform',
      },
      ingest_gateway_url: {
        value: p.apiManagement.gatewayUrl,
        description: 'API Management gateway: POST /telemetry/v1/telemetry',
      },
      dashboard_hostname: {
        value: p.webApp.defaultHostname,
        description: 'dashboard web app (private endpoint)',
      },
      aks_cluster_name: { value: p.cluster.name, description: 'AKS cluster' },
      aks_oidc_issuer_url: {
        value: p.cluster.oidcIssuerUrl,
        description: 'OIDC issuer for workload identity',
      },
      acr_login_server: {
        value: p.registry.loginServer,
        description: 'registry the images are pushed to',
      },
      key_vault_uri: { value: p.keyVault.vaultUri, description: 'Key Vault' },
      cosmos_endpoint: {
        value: p.cosmos.endpoint,
        description: 'Cosmos DB endpoint (Entra auth only)',
      },
      postgres_fqdn: {
        value: p.postgres.fqdn,
        description: 'PostgreSQL Flexible Server (private)',
      },
      redis_hostname: { value: p.redis.hostname, description: 'Azure Managed Redis (private)' },
      log_analytics_workspace_id: {
        value: p.monitoring.id,
        description: 'Log Analytics workspace',
      },
      ingest_client_id: {
        value: p.workloadIdentities.ingest.clientId,
        description: 'client id of the ingest identity',
      },
      analysis_client_id: {
        value: p.workloadIdentities.analysis.clientId,
        description: 'client id of the analysis identity',
      },
      processing_client_id: {
        value: p.workloadIdentities.processing.clientId,
        description: 'client id of the processing identity',
      },
      web_client_id: {
        value: p.webIdentity.clientId,
        description: 'client id of the dashboard identity',
      },
    };
    if (p.deploymentAgents) {
      // What scripts/azure/deployment-agent-pool.sh needs to put a Managed DevOps Pool in the VNet.
      outputs.deployment_agents_subnet_id = {
        value: p.network.subnet('deployment-agents').id,
        description: 'subnet the deployment agents (Managed DevOps Pool) run in',
      };
      outputs.deployment_agents_egress_ip = {
        value: p.deploymentAgents.publicIp.ipAddress,
        description: "the deployment agents' outbound address (NAT gateway)",
      };
      outputs.virtual_network_id = {
        value: p.network.id,
        description:
          'platform VNet (the pool service principal needs Reader and Network Contributor)',
      };
    }
    if (p.databricks && p.lake) {
      outputs.databricks_workspace_url = {
        value: p.databricks.workspaceUrl,
        description: 'Databricks workspace (private: through the databricks_ui_api endpoint)',
      };
      outputs.lake_dfs_endpoint = { value: p.lake.dfsEndpoint, description: 'lakehouse ADLS Gen2' };
    }
    for (const [name, o] of Object.entries(outputs)) new TerraformOutput(this, name, o);
  }
}
