/**
 * What the platform provides for its pipeline (docs/adr/0016): the Build and Deploy stages'
 * identities, each federated with exactly one Azure DevOps service connection (no secret), the
 * image-signing certificate in the platform vault, and each identity's grants:
 *
 * - build: AcrPush, ACR Tasks runs and image locking on the platform registry; sign with the
 *   signing certificate's key (Notation's Key Vault plugin). In an environment that promotes
 *   from another (`delivery.promoteFrom`, docs/adr/0022) the same identity promotes: AcrPull on
 *   the source registry (granted by the source environment's stack), AcrPush, locking and
 *   signing here, no ACR Tasks runs.
 * - deploy: what `cdktf deploy` of the environment's two stacks does, and nothing outside the
 *   environment: Contributor and Role Based Access Control Administrator on the platform's
 *   resource group (every resource and role assignment there), Storage Blob Data Contributor on
 *   the state container (the azurerm backend with Entra auth), Azure Kubernetes Service RBAC
 *   Cluster Admin on the cluster (the workloads stack's namespaces, CRD objects, kube-system
 *   settings), AcrPull on the registry (`notation verify` reads the signatures). Key Vault
 *   Certificates Officer comes from the platform itself, which grants it to whoever deploys.
 */
import type { Construct } from 'constructs';
import {
  DataTerraformRemoteStateAzurerm,
  Fn,
  Op,
  TerraformOutput,
  TerraformVariable,
  Token,
} from 'cdktf';
import type { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermRoleDefinition } from '@cdktf/provider-azurerm/lib/data-azurerm-role-definition';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import {
  ValidationError,
  Waivers,
  grantId,
  grantRole,
  isTerraformResource,
} from '../constructs/core';
import type { IotStreamingPlatform } from '../constructs/iot-streaming-platform';
import { ImageSigningCertificate, PipelineIdentity } from '../constructs/pipeline-identity';
import { environments } from './environments';
import type { EnvironmentConfig } from './environments';

/** The pipeline identities of one environment and what the pipeline reads from the stack. */
export interface PipelineIdentities {
  readonly build: PipelineIdentity;
  readonly deploy: PipelineIdentity;
  readonly signing: ImageSigningCertificate;
}

/** Output of the platform stack: the registry's resource id (what a promoting environment reads). */
export const REGISTRY_ID_OUTPUT = 'acr_id';
/** Output of the platform stack: the build (or, promoting, the promotion) identity's principal id. */
export const BUILD_PRINCIPAL_OUTPUT = 'pipeline_build_principal_id';

/** The platform stack's state of another environment (its outputs), read with Entra auth. */
function platformState(
  scope: Construct,
  id: string,
  env: EnvironmentConfig,
  other: EnvironmentConfig,
  defaults?: Record<string, string>,
): DataTerraformRemoteStateAzurerm {
  if (!other.backend) {
    throw new ValidationError(
      scope,
      'delivery.promoteFrom',
      env.delivery.promoteFrom ?? other.delivery.promoteFrom,
      `environments with remote state: iot-${other.name}'s outputs are read from its state, and it has no backend`,
    );
  }
  return new DataTerraformRemoteStateAzurerm(scope, id, {
    ...other.backend,
    key: `iot-${other.name}.tfstate`,
    useAzureadAuth: true,
    defaults,
  });
}

/**
 * Promotion by digest (docs/adr/0022), on both sides:
 * - in the promoting environment (`env.delivery.promoteFrom` set): a private endpoint of the
 *   source environment's registry in this platform's endpoints subnet, registered in this
 *   network's registry DNS zone, so the deployment agents (and only this VNet) resolve and reach
 *   the source registry; a manual connection, since this stack's deployer has no right on the
 *   source registry: the source registry's owner approves it once (docs/operations.md);
 * - in the source environment (another environment promotes from it): AcrPull on its registry
 *   for that environment's promotion identity, whose principal id is read from that
 *   environment's state; 0 assignments until that environment has been deployed once.
 * Each grant is declared by the stack whose deployer holds Role Based Access Control
 * Administrator over the scope, so no deploy identity reaches into the other environment.
 */
function addPromotion(
  scope: Construct,
  env: EnvironmentConfig,
  platform: IotStreamingPlatform,
  all: readonly EnvironmentConfig[],
): void {
  const from = env.delivery.promoteFrom;
  if (from !== undefined) {
    const source = all.find((e) => e.name === from);
    if (!source || source.name === env.name || source.delivery.promoteFrom !== undefined) {
      throw new ValidationError(
        scope,
        'delivery.promoteFrom',
        from,
        `the name of another environment that builds its own images (${all
          .filter((e) => e.name !== env.name && e.delivery.promoteFrom === undefined)
          .map((e) => e.name)
          .join(', ')})`,
      );
    }
    const state = platformState(scope, 'PromotionSourceState', env, source);
    const name = `pe-${env.platform.namePrefix}-${env.name}-registry-from-${source.name}`;
    new PrivateEndpoint(scope, 'PromotionSourceEndpoint', {
      name,
      location: platform.resourceGroup.location,
      resourceGroupName: platform.resourceGroup.name,
      subnetId: platform.network.subnet('private-endpoints').id,
      customNetworkInterfaceName: `${name}-nic`,
      privateServiceConnection: {
        name: `${name}-connection`,
        // this stack's deployer cannot approve on the source registry: its owner approves once
        isManualConnection: true,
        requestMessage: `iot-${env.name} promotes images by digest from iot-${source.name} (docs/adr/0022)`,
        privateConnectionResourceId: state.getString(REGISTRY_ID_OUTPUT),
        subresourceNames: ['registry'],
      },
      // the login server and the regional data endpoint, in this VNet's privatelink.azurecr.io
      privateDnsZoneGroup: {
        name: 'default',
        privateDnsZoneIds: [platform.network.dnsZone('registry').id],
      },
    });
  }
  for (const target of all.filter((e) => e.delivery.promoteFrom === env.name)) {
    const state = platformState(scope, `PromotionTargetState-${target.name}`, env, target, {
      [BUILD_PRINCIPAL_OUTPUT]: '',
    });
    const principalId = state.getString(BUILD_PRINCIPAL_OUTPUT);
    const pull: RoleAssignment = platform.registry.grantPull({
      principalId,
      principalType: 'ServicePrincipal',
    });
    // none until the promoting environment exists (its first deploy creates the identity): the
    // default is "", a principal id is a 36-character GUID (cdktf drops a literal 0 in `Op`)
    pull.count = Token.asNumber(Fn.conditional(Op.eq(Fn.lengthOf(principalId), 36), 1, 0));
  }
}

/**
 * The ABAC condition of the deploy identity's Role Based Access Control Administrator
 * assignment (Azure's "constrain roles" delegation): it may create, update or delete role
 * assignments of exactly the roles `assignments` use, by role definition GUID, and no other
 * (so never Owner, Contributor, User Access Administrator or Role Based Access Control
 * Administrator, which would let it escalate). Built-in roles are looked up by name
 * (`azurerm_role_definition` data sources, one per role, at `lookupScope`: the resource group,
 * where the deploy identity may read role definitions; built-in roles are visible at every
 * scope); custom roles by
 * their definition's id. Attributes: learn.microsoft.com/azure/role-based-access-control/conditions-authorization-actions-attributes.
 */
export function assignableRolesCondition(
  scope: Construct,
  lookupScope: string,
  assignments: readonly RoleAssignment[],
): { condition: string; roles: string[] } {
  const guids = new Map<string, string>();
  for (const a of assignments) {
    const name = a.roleDefinitionNameInput;
    const id = a.roleDefinitionIdInput;
    if (name !== undefined) {
      if (!guids.has(name)) {
        const lookup = new DataAzurermRoleDefinition(
          scope,
          `AssignableRole-${name.replace(/[^A-Za-z0-9]+/g, '-')}`,
          { name, scope: lookupScope },
        );
        guids.set(name, lookup.roleDefinitionId);
      }
    } else if (id !== undefined && !guids.has(id)) {
      // a custom role: `/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`
      guids.set(id, Fn.basename(id));
    }
  }
  const list = `{${[...guids.values()].join(', ')}}`;
  const condition = [
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'}))",
    ` OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals ${list}))`,
    " AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}))",
    ` OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals ${list}))`,
  ].join('');
  return { condition, roles: [...guids.keys()].sort() };
}

/** Declares the pipeline identities, the signing certificate and their grants in `scope`. */
export function addPipelineIdentities(
  scope: Construct,
  env: EnvironmentConfig,
  platform: IotStreamingPlatform,
  client: DataAzurermClientConfig,
  all: readonly EnvironmentConfig[] = environments,
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

  // Build: push with ACR Tasks, lock what it pushed, sign it. Promoting (d.promoteFrom): copy
  // with oras (AcrPush here, AcrPull on the source, granted by the source's stack), lock, sign;
  // no ACR Tasks runs.
  platform.registry.grantPush(build);
  if (d.promoteFrom === undefined) platform.registry.grantRunBuilds(build);
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
  const reasons = [
    "the deploy identity is what applies the platform: it must create and change every resource of the environment's resource group; Azure has no narrower built-in role that covers every resource type the platform declares. It is scoped to that group, usable only from the one federated service connection (no secret), and prod's deploy job runs only the approved plan",
    "the deploy identity creates the role assignments the constructs' grants declare, and only those: the assignment carries an ABAC condition (constrain roles) that allows writing and deleting assignments of exactly the roles this stack assigns, by role definition id, so it can grant neither Owner, Contributor, User Access Administrator nor this role, nor change its own assignments; scoped to the environment's resource group, usable only from the one federated service connection",
  ];
  privileged.forEach((assignment, i) => {
    Waivers.of(assignment).add({
      rule: 'role-assignment-not-privileged',
      reason: reasons[i]!,
      owner: d.deployRoleWaiver.owner,
      expires: d.deployRoleWaiver.expires,
    });
  });
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
  addPromotion(scope, env, platform, all);

  // Constrain the RBAC Administrator assignment to the roles the stack's grants assign: every
  // role assignment of this stack but the deploy identity's own two.
  const [, rbacAdmin] = privileged;
  const granted = scope.node
    .findAll()
    .filter(
      (c): c is RoleAssignment =>
        isTerraformResource(c) &&
        c.terraformResourceType === 'azurerm_role_assignment' &&
        !privileged.includes(c as RoleAssignment),
    );
  const { condition } = assignableRolesCondition(scope, rg, granted);
  rbacAdmin!.condition = condition;
  rbacAdmin!.conditionVersion = '2.0';

  const outputs: Record<string, { value: string; description: string }> = {
    pipeline_build_client_id: {
      value: build.clientId,
      description: `client id for the service connection ${d.buildServiceConnection}`,
    },
    pipeline_deploy_client_id: {
      value: deploy.clientId,
      description: `client id for the service connection ${d.deployServiceConnection}`,
    },
    [BUILD_PRINCIPAL_OUTPUT]: {
      value: build.principalId,
      description: `principal id of the identity of ${d.buildServiceConnection} (a source environment grants it AcrPull)`,
    },
    [REGISTRY_ID_OUTPUT]: {
      value: platform.registry.id,
      description:
        'resource id of the registry (a promoting environment connects a private endpoint to it)',
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
