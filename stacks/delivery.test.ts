// The pipeline identities in the platform stacks: one federated credential per service
// connection, the exact grants of each stage, and the waiver of the deploy identity's roles.
import { Testing } from 'cdktf';
import { buildApp } from './app';
import { environments } from './environments';

type Json = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
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

    it('gives the build identity push, task runs, image locking and signing, nothing else', () => {
      expect(rolesOf(principal('-pipeline-build'))).toEqual([
        expect.stringMatching(/ImageLockRole_.*role_definition_resource_id/),
        expect.stringMatching(/TaskRunRole_.*role_definition_resource_id/),
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
