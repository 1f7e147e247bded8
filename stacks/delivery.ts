/**
 * What the platform provides for its pipeline (docs/adr/0016): the Build and Deploy stages'
 * identities, each federated with exactly one Azure DevOps service connection (no secret), the
 * image-signing certificate in the platform vault, and each identity's grants:
 *
 * - build: AcrPush, ACR Tasks runs and image locking on the platform registry; sign with the
 *   signing certificate's key (Notation's Key Vault plugin).
 * - deploy: what `cdktf deploy` of the environment's two stacks does, and nothing outside the
 *   environment: Contributor and Role Based Access Control Administrator on the platform's
 *   resource group (every resource and role assignment there), Storage Blob Data Contributor on
 *   the state container (the azurerm backend with Entra auth), Azure Kubernetes Service RBAC
 *   Cluster Admin on the cluster (the workloads stack's namespaces, CRD objects, kube-system
 *   settings), AcrPull on the registry (`notation verify` reads the signatures). Key Vault
 *   Certificates Officer comes from the platform itself, which grants it to whoever deploys.
 */
import type { Construct } from 'constructs';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import type { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { Waivers, grantId, grantRole } from '../constructs/core';
import type { IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import { ImageSigningCertificate, PipelineIdentity } from '../constructs/pipeline-identity';
import type { EnvironmentConfig } from './environments';

/** The pipeline identities of one environment and what the pipeline reads from the stack. */
export interface PipelineIdentities {
  readonly build: PipelineIdentity;
  readonly deploy: PipelineIdentity;
  readonly signing: ImageSigningCertificate;
}

/** Declares the pipeline identities, the signing certificate and their grants in `scope`. */
export function addPipelineIdentities(
  scope: Construct,
  env: EnvironmentConfig,
  platform: IotStreamingPlatform,
  client: DataAzurermClientConfig,
): PipelineIdentities {
  const d = env.delivery;
  const organizationId = new TerraformVariable(scope, 'azure_devops_organization_id', {
    type: 'string',
    description:
      "Id (GUID) of the Azure DevOps organization whose service connections deploy this environment: the federated credentials' issuer is https://vstoken.dev.azure.com/<id>.",
    validation: [
      {
        condition:
          '${can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.azure_devops_organization_id))}',
        errorMessage:
          'azure_devops_organization_id must be the organization id, a lower-case GUID (Organization settings, or the service connection page shows the issuer).',
      },
    ],
  }).stringValue;
  const identity = (id: string, role: 'build' | 'deploy', connection: string) =>
    new PipelineIdentity(scope, id, {
      name: `id-${env.platform.namePrefix}-${env.name}-pipeline-${role}`,
      resourceGroup: platform.resourceGroup,
      serviceConnection: {
        organizationId,
        organizationName: d.organization,
        projectName: d.project,
        serviceConnectionName: connection,
      },
    });
  const build = identity('BuildIdentity', 'build', d.buildServiceConnection);
  const deploy = identity('DeployIdentity', 'deploy', d.deployServiceConnection);

  // Build: push with ACR Tasks, lock what it pushed, sign it.
  platform.registry.grantPush(build);
  platform.registry.grantRunBuilds(build);
  platform.registry.grantLockImages(build);
  const signing = new ImageSigningCertificate(scope, 'ImageSigning', {
    keyVault: platform.keyVault,
    subject: d.signingSubject,
    // The deployer creates it through the vault's data plane, as the ingress certificate.
    dependsOn: [platform.keyVault.grantCertificatesManage({ principalId: client.objectId })],
  });
  signing.grantSign(build);

  // Deploy: the environment's resource group, its state, its cluster.
  const rg = platform.resourceGroup.id;
  const privileged = [
    grantRole(scope, grantId('DeployContributor', scope, deploy), {
      scope: rg,
      roleDefinitionName: 'Contributor',
      principal: deploy,
      description: 'cdktf deploy creates and changes every resource of the platform',
    }),
    grantRole(scope, grantId('DeployRbacAdmin', scope, deploy), {
      scope: rg,
      roleDefinitionName: 'Role Based Access Control Administrator',
      principal: deploy,
      description: "cdktf deploy creates the platform's role assignments (the grant* methods)",
    }),
  ];
  for (const assignment of privileged) {
    Waivers.of(assignment).add({
      rule: 'role-assignment-not-privileged',
      reason:
        "the deploy identity is what applies the platform: it must create every resource of the environment's resource group and the role assignments the constructs' grants declare; it is scoped to that group, usable only from the one federated service connection (no secret), and prod's deploy job runs only the approved plan",
      owner: d.deployRoleWaiver.owner,
      expires: d.deployRoleWaiver.expires,
    });
  }
  if (env.backend) {
    const b = env.backend;
    grantRole(scope, grantId('DeployState', scope, deploy), {
      scope: `/subscriptions/${client.subscriptionId}/resourceGroups/${b.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${b.storageAccountName}/blobServices/default/containers/${b.containerName}`,
      roleDefinitionName: 'Storage Blob Data Contributor',
      principal: deploy,
      description:
        "read and write this environment's Terraform state (azurerm backend, Entra auth)",
    });
  }
  grantRole(scope, grantId('DeployCluster', scope, deploy), {
    scope: platform.cluster.id,
    roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
    principal: deploy,
    description: 'the workloads stack applies namespaces, workloads and cluster settings',
  });
  platform.registry.grantPull(deploy);

  const outputs: Record<string, { value: string; description: string }> = {
    pipeline_build_client_id: {
      value: build.clientId,
      description: `client id for the service connection ${d.buildServiceConnection}`,
    },
    pipeline_deploy_client_id: {
      value: deploy.clientId,
      description: `client id for the service connection ${d.deployServiceConnection}`,
    },
    image_signing_key_id: {
      value: signing.keyId,
      description: 'versionless key id of the Notation signing certificate',
    },
    image_signing_certificate_name: {
      value: signing.name,
      description: 'name of the Notation signing certificate in the platform vault',
    },
  };
  for (const [name, o] of Object.entries(outputs)) new TerraformOutput(scope, name, o);
  return { build, deploy, signing };
}
