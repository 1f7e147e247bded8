import { Testing } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { testScope } from '../../test/construct-helpers';
import { ImageSigningCertificate, PipelineIdentity, azureDevOpsFederation } from '.';
import type { AzureDevOpsServiceConnection, PipelineIdentityProps } from '.';

const connection: AzureDevOpsServiceConnection = {
  organizationId: '2f4b1c9e-7d3a-4e8b-9c1f-5a6b7c8d9e0f',
  organizationName: 'contoso',
  projectName: 'IoT Platform',
  serviceConnectionName: 'iot-dev-build',
};

describe('PipelineIdentity', () => {
  function synth(over: Partial<PipelineIdentityProps> = {}) {
    const { stack, rg } = testScope();
    const identity = new PipelineIdentity(stack, 'Build', {
      name: 'id-iot-dev-build',
      resourceGroup: rg,
      serviceConnection: connection,
      ...over,
    });
    return { out: Testing.synth(stack), identity };
  }

  it("trusts exactly one Azure DevOps service connection's token, no secret", () => {
    const { out, identity } = synth();
    expect(out).toHaveResourceWithProperties(FederatedIdentityCredential, {
      issuer: 'https://vstoken.dev.azure.com/2f4b1c9e-7d3a-4e8b-9c1f-5a6b7c8d9e0f',
      subject: 'sc://contoso/IoT Platform/iot-dev-build',
      audience: ['api://AzureADTokenExchange'],
      parent_id: expect.stringMatching(
        /^\$\{azurerm_user_assigned_identity\.Build_[0-9A-F]+\.id\}$/,
      ),
    });
    expect(identity.principalType).toBe('ServicePrincipal');
    expect(Object.keys(JSON.parse(out).resource)).toEqual(
      expect.not.arrayContaining([
        'azuread_application_password',
        'azuread_service_principal_password',
      ]),
    );
  });

  it('derives issuer and subject from the connection', () => {
    expect(azureDevOpsFederation(connection)).toEqual({
      issuer: 'https://vstoken.dev.azure.com/2f4b1c9e-7d3a-4e8b-9c1f-5a6b7c8d9e0f',
      subject: 'sc://contoso/IoT Platform/iot-dev-build',
    });
  });

  it.each<[string, Partial<AzureDevOpsServiceConnection>, RegExp]>([
    [
      'an organization id that is no GUID',
      { organizationId: 'contoso' },
      /invalid serviceConnection.organizationId "contoso": the organization id, a GUID/,
    ],
    [
      'an organization URL',
      { organizationName: 'https://dev.azure.com/contoso' },
      /invalid serviceConnection.organizationName/,
    ],
    [
      'a project with a slash',
      { projectName: 'iot/dev' },
      /invalid serviceConnection.projectName "iot\/dev"/,
    ],
    [
      'an empty connection name',
      { serviceConnectionName: '' },
      /invalid serviceConnection.serviceConnectionName ""/,
    ],
  ])('rejects %s', (_what, over, message) => {
    expect(() => synth({ serviceConnection: { ...connection, ...over } })).toThrow(message);
  });
});

describe('ImageSigningCertificate', () => {
  function build(over: Record<string, unknown> = {}) {
    const { stack } = testScope();
    const cert = new ImageSigningCertificate(stack, 'Signing', {
      keyVault: {
        id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
        name: 'kv',
      },
      subject: { organization: 'Contoso', state: 'WA', country: 'US' },
      ...over,
    });
    return { stack, cert };
  }

  it('is a self-signed code-signing certificate whose key never leaves the vault', () => {
    const { stack } = build();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(KeyVaultCertificate, {
      name: 'image-signing',
      certificate_policy: {
        issuer_parameters: { name: 'Self' },
        secret_properties: { content_type: 'application/x-pem-file' },
        key_properties: { exportable: false, key_type: 'RSA', key_size: 3072, reuse_key: false },
        x509_certificate_properties: expect.objectContaining({
          subject: 'CN=Contoso image signing,O=Contoso,ST=WA,C=US',
          key_usage: ['digitalSignature'],
          extended_key_usage: ['1.3.6.1.5.5.7.3.3'],
          validity_in_months: 12,
        }),
        lifetime_action: [
          { action: { action_type: 'AutoRenew' }, trigger: { days_before_expiry: 30 } },
        ],
      },
    });
  });

  it('lets a signer sign with this key and read this certificate, nothing wider', () => {
    const { stack, cert } = build();
    cert.grantSign({ principalId: 'build', principalType: 'ServicePrincipal' });
    const out = Testing.synth(stack);
    const roles = Object.values(
      (
        JSON.parse(out) as {
          resource: {
            azurerm_role_assignment: Record<
              string,
              { role_definition_name: string; scope: string }
            >;
          };
        }
      ).resource.azurerm_role_assignment,
    ).map((r) => `${r.role_definition_name} @ ${r.scope}`);
    expect(roles.sort()).toEqual([
      expect.stringMatching(
        /^Key Vault Certificate User @ \$\{azurerm_key_vault_certificate\.Signing_[0-9A-F]+\.resource_manager_versionless_id\}$/,
      ),
      expect.stringMatching(
        /^Key Vault Crypto User @ \$\{replace\(azurerm_key_vault_certificate\.Signing_.*\.resource_manager_versionless_id, "\/certificates\/", "\/keys\/"\)\}$/,
      ),
    ]);
    expect(out).toHaveResourceWithProperties(RoleAssignment, { principal_id: 'build' });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a subject with a comma',
      { subject: { organization: 'Contoso, Ltd', state: 'WA', country: 'US' } },
      /invalid subject.organization "Contoso, Ltd"/,
    ],
    [
      'a country that is no code',
      { subject: { organization: 'Contoso', state: 'WA', country: 'USA' } },
      /invalid subject.country "USA"/,
    ],
    [
      'a validity of 0 months',
      { validityMonths: 0 },
      /invalid validityMonths \(0\)|invalid validityMonths "?0"?/,
    ],
  ])('rejects %s', (_what, over, message) => {
    expect(() => build(over)).toThrow(message);
  });
});
