// The pipeline identities in the platform stacks: one federated credential per service
// connection, the exact grants of each stage, and the waiver of the deploy identity's roles.
import { Testing } from 'cdktf';
import { buildApp } from './app';
import { dev, environments, prod } from './environments';

type Json = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  variable: Record<string, Record<string, unknown>>;
  output: Record<string, unknown>;
};

const synthesized = new Map<string, Json>();
for (const { platform } of buildApp(Testing.app())) {
  // toTerraform keeps the `//` metadata (waivers) that Testing.synth strips.
  synthesized.set(platform.node.id, JSON.parse(JSON.stringify(platform.toTerraform())) as Json);
}

describe.each(environments.map((e) => [e.name, e] as const))(
  'pipeline identities of %s',
  (name, env) => {
    const json = synthesized.get(`iot-${name}`)!;
    const identities = json.resource.azurerm_user_assigned_identity;
    const addressOf = (suffix: string) =>
      Object.keys(identities).find((k) => (identities[k].name as string).endsWith(suffix))!;
    const principal = (suffix: string) =>
      `\${azurerm_user_assigned_identity.${addressOf(suffix)}.principal_id}`;
    const rolesOf = (p: string) =>
      Object.values(json.resource.azurerm_role_assignment)
        .filter((r) => r.principal_id === p)
        .map((r) => String(r.role_definition_name ?? r.role_definition_id))
        .sort();

    it('federates the build and deploy identities with their service connections only', () => {
      const creds = Object.values(json.resource.azurerm_federated_identity_credential).filter((c) =>
        String(c.issuer).startsWith('https://vstoken.dev.azure.com/'),
      );
      expect(creds.map((c) => [c.subject, c.issuer, c.audience]).sort()).toEqual([
        [
          `sc://${env.delivery.organization}/${env.delivery.project}/${env.delivery.buildServiceConnection}`,
          'https://vstoken.dev.azure.com/${var.azure_devops_organization_id}',
          ['api://AzureADTokenExchange'],
        ],
        [
          `sc://${env.delivery.organization}/${env.delivery.project}/${env.delivery.deployServiceConnection}`,
          'https://vstoken.dev.azure.com/${var.azure_devops_organization_id}',
          ['api://AzureADTokenExchange'],
        ],
      ]);
      expect(json.variable.azure_devops_organization_id.validation).toHaveLength(1);
    });

    it('gives the build identity push, task runs (unless it promotes), image locking and signing, nothing else', () => {
      expect(rolesOf(principal('-pipeline-build'))).toEqual([
        expect.stringMatching(/ImageLockRole_.*role_definition_resource_id/),
        // a promoting environment copies with oras: it never schedules an ACR Tasks run
        ...(env.delivery.promoteFrom
          ? []
          : [expect.stringMatching(/TaskRunRole_.*role_definition_resource_id/)]),
        'AcrPush',
        'Key Vault Certificate User',
        'Key Vault Crypto User',
      ]);
    });

    it('gives the deploy identity what cdktf deploy needs on its own environment', () => {
      expect(rolesOf(principal('-pipeline-deploy'))).toEqual([
        'AcrPull',
        'Azure Kubernetes Service RBAC Cluster Admin',
        'Contributor',
        'Role Based Access Control Administrator',
        'Storage Blob Data Contributor',
      ]);
      const state = Object.values(json.resource.azurerm_role_assignment).find(
        (r) =>
          r.role_definition_name === 'Storage Blob Data Contributor' &&
          r.principal_id === principal('-pipeline-deploy'),
      )!;
      expect(state.scope).toBe(
        `/subscriptions/\${data.azurerm_client_config.client.subscription_id}/resourceGroups/${env.backend!.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${env.backend!.storageAccountName}/blobServices/default/containers/${env.backend!.containerName}`,
      );
      for (const role of ['Contributor', 'Role Based Access Control Administrator']) {
        const a = Object.values(json.resource.azurerm_role_assignment).find(
          (r) => r.role_definition_name === role,
        )!;
        expect(a.scope).toMatch(/^\$\{azurerm_resource_group\.[^}]+\.id\}$/);
        expect((a['//'] as { waivers: unknown[] }).waivers).toEqual([
          expect.objectContaining({
            rule: 'role-assignment-not-privileged',
            owner: env.delivery.deployRoleWaiver.owner,
            expires: env.delivery.deployRoleWaiver.expires,
          }),
        ]);
      }
    });

    it("constrains the deploy identity's RBAC Administrator to the roles the stack assigns", () => {
      const assignments = Object.values(json.resource.azurerm_role_assignment);
      const admin = assignments.find(
        (r) => r.role_definition_name === 'Role Based Access Control Administrator',
      )!;
      expect(admin.condition_version).toBe('2.0');
      const condition = String(admin.condition);
      // write and delete both constrained, by the same list
      const lists = [
        ...condition.matchAll(
          /@(Request|Resource)\[Microsoft\.Authorization\/roleAssignments:RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([^}]*(?:\}[^}]*)*?)\}\)\)/g,
        ),
      ];
      expect(lists.map((m) => m[1])).toEqual(['Request', 'Resource']);
      expect(condition).toContain(
        "(!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'}))",
      );
      expect(condition).toContain(
        "(!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}))",
      );
      // the built-in roles, looked up by name: exactly those the stack's other assignments use
      const lookups = Object.entries(json.data.azurerm_role_definition ?? {});
      const byName = lookups.map(([, d]) => d.name as string).sort();
      const others = assignments.filter(
        (r) => r !== admin && r.role_definition_name !== 'Contributor',
      );
      expect(byName).toEqual(
        [
          ...new Set(others.map((r) => r.role_definition_name).filter((n) => n !== undefined)),
        ].sort(),
      );
      for (const [key, d] of lookups) {
        // read where the deploy identity may read: its resource group
        expect(d.scope).toMatch(
          /^\$\{azurerm_resource_group\.Platform_ResourceGroup_[0-9A-F]+\.id\}$/,
        );
        expect(condition).toContain(`\${data.azurerm_role_definition.${key}.role_definition_id}`);
      }
      // the custom roles (image locker, task runner) by their definitions' GUIDs
      for (const r of others.filter((o) => o.role_definition_id !== undefined)) {
        expect(condition).toContain(
          String(r.role_definition_id).replace(/^\$\{(.*)\}$/, '${basename($1)}'),
        );
      }
      // never a role that could grant itself more
      for (const privileged of [
        'Owner',
        'Contributor',
        'User Access Administrator',
        'Role Based Access Control Administrator',
      ]) {
        expect(byName).not.toContain(privileged);
      }
    });

    it('puts the signing certificate in the platform vault, created after the deployer may', () => {
      const cert = Object.values(json.resource.azurerm_key_vault_certificate).find(
        (c) => c.name === 'image-signing',
      )!;
      expect(cert.key_vault_id).toMatch(
        /^\$\{azurerm_key_vault\.Platform_KeyVault_[0-9A-F]+\.id\}$/,
      );
      expect(cert.depends_on).toEqual([
        expect.stringMatching(/^azurerm_role_assignment\.Platform_KeyVault_CertificatesOfficer/),
      ]);
      expect(Object.keys(json.output)).toEqual(
        expect.arrayContaining([
          'pipeline_build_client_id',
          'pipeline_deploy_client_id',
          'image_signing_key_id',
          'image_signing_certificate_name',
        ]),
      );
    });
  },
);

// Promotion by digest (docs/adr/0022): prod runs the digests dev built, scanned and signed.
describe('promotion from dev to prod', () => {
  const devJson = synthesized.get('iot-dev')!;
  const prodJson = synthesized.get('iot-prod')!;

  it('prod promotes from dev; dev builds its own images', () => {
    expect(prod.delivery.promoteFrom).toBe('dev');
    expect(dev.delivery.promoteFrom).toBeUndefined();
  });

  it("puts a private endpoint of dev's registry in prod's endpoints subnet and registry DNS zone, as a manual connection", () => {
    const state = prodJson.data.terraform_remote_state.PromotionSourceState;
    expect(state).toMatchObject({
      backend: 'azurerm',
      config: {
        container_name: dev.backend!.containerName,
        resource_group_name: dev.backend!.resourceGroupName,
        storage_account_name: dev.backend!.storageAccountName,
        key: 'iot-dev.tfstate',
        use_azuread_auth: true,
      },
    });
    const pe = prodJson.resource.azurerm_private_endpoint.PromotionSourceEndpoint;
    expect(pe.subnet_id).toMatch(/^\$\{azurerm_subnet\.Platform_Network_Subnet-private-endpoints_/);
    expect(pe.private_dns_zone_group).toEqual({
      name: 'default',
      private_dns_zone_ids: [
        expect.stringMatching(/^\$\{azurerm_private_dns_zone\.Platform_Network_DnsZone-registry_/),
      ],
    });
    expect(pe.private_service_connection).toMatchObject({
      // prod's deployer has no right on dev's registry: dev's owner approves the connection
      is_manual_connection: true,
      private_connection_resource_id:
        '${data.terraform_remote_state.PromotionSourceState.outputs.acr_id}',
      subresource_names: ['registry'],
    });
    expect(devJson.resource.azurerm_private_endpoint.PromotionSourceEndpoint).toBeUndefined();
  });

  it("grants prod's promotion identity AcrPull on dev's registry, in dev's stack, once prod exists", () => {
    const state = devJson.data.terraform_remote_state['PromotionTargetState-prod'];
    expect(state).toMatchObject({
      config: {
        container_name: prod.backend!.containerName,
        resource_group_name: prod.backend!.resourceGroupName,
        storage_account_name: prod.backend!.storageAccountName,
        key: 'iot-prod.tfstate',
        use_azuread_auth: true,
      },
      defaults: { pipeline_build_principal_id: '' },
    });
    const principal =
      '${data.terraform_remote_state.PromotionTargetState-prod.outputs.pipeline_build_principal_id}';
    const pulls = Object.values(devJson.resource.azurerm_role_assignment).filter(
      (r) => r.principal_id === principal,
    );
    expect(pulls).toEqual([
      expect.objectContaining({
        role_definition_name: 'AcrPull',
        scope: expect.stringMatching(/^\$\{azurerm_container_registry\.Platform_Registry_/),
        principal_type: 'ServicePrincipal',
        count:
          '${(length(data.terraform_remote_state.PromotionTargetState-prod.outputs.pipeline_build_principal_id) == 36) ? 1 : 0}',
      }),
    ]);
    // nothing in prod's stack reaches into dev's registry
    expect(JSON.stringify(prodJson.resource.azurerm_role_assignment)).not.toContain(
      'terraform_remote_state',
    );
    expect(prodJson.data.terraform_remote_state['PromotionTargetState-dev']).toBeUndefined();
  });

  it.each([
    ['an unknown environment', 'qa'],
    ['itself', 'prod'],
  ])('rejects promoteFrom naming %s', (_what, from) => {
    expect(() =>
      buildApp(Testing.app(), [{ ...prod, delivery: { ...prod.delivery, promoteFrom: from } }]),
    ).toThrow(/delivery\.promoteFrom.*another environment that builds its own images \(dev\)/s);
  });
});
