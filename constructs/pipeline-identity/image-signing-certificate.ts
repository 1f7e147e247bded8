import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import type { ITerraformDependable } from 'cdktf';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from '../core';
import { ValidationError, grantId, grantRole } from '../core';

/** The vault the certificate lives in (the library's `KeyVault` satisfies it). */
export interface ISigningKeyVault {
  readonly id: string;
  readonly name: string;
}

/** Props of {@link ImageSigningCertificate}. */
export interface ImageSigningCertificateProps {
  /** Vault holding the certificate and its non-exportable key. */
  readonly keyVault: ISigningKeyVault;
  /**
   * Certificate (and key) name in the vault.
   * @default "image-signing"
   */
  readonly name?: string;
  /**
   * Subject of the certificate. The Notary Project requires C, ST (or S) and O in it.
   * @default "CN=<organization> image signing,O=<organization>,ST=<state>,C=<country>" from the fields below
   */
  readonly subject: {
    readonly organization: string;
    readonly state: string;
    readonly country: string;
  };
  /**
   * Months the certificate is valid; Key Vault renews it 30 days before it expires.
   * @default 12 - a signature made before a renewal still verifies with the trust store's old certificate until it expires
   */
  readonly validityMonths?: number;
  /**
   * What creating the certificate must wait for (the deployer's Certificates Officer grant).
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A self-signed code-signing certificate in Key Vault for Notation (the Notary Project) and its
 * Azure Key Vault plugin: RSA 3072, key not exportable (signing happens in the vault), extended
 * key usage code signing, renewed by Key Vault. `grantSign` lets a build identity sign;
 * verifiers trust the certificate (`az keyvault certificate download`) in a Notation trust store.
 *
 * @example
 * const signing = new ImageSigningCertificate(this, 'ImageSigning', {
 *   keyVault: platform.keyVault,
 *   subject: { organization: 'Contoso', state: 'WA', country: 'US' },
 * });
 * signing.grantSign(buildIdentity);
 */
export class ImageSigningCertificate extends Construct {
  /** The `azurerm_key_vault_certificate`. */
  public readonly resource: KeyVaultCertificate;
  /** Certificate name in the vault (also its key's name). */
  public readonly name: string;
  /**
   * `https://<vault>.vault.azure.net/keys/<name>`: the versionless key id; the Build stage signs
   * with the current version (`az keyvault certificate show --query kid`).
   */
  public readonly keyId: string;

  constructor(scope: Construct, id: string, props: ImageSigningCertificateProps) {
    super(scope, id);
    this.name = props.name ?? 'image-signing';
    const months = props.validityMonths ?? 12;
    if (!Token.isUnresolved(months) && (!Number.isInteger(months) || months < 1 || months > 36)) {
      throw new ValidationError(this, 'validityMonths', months, 'a whole number of months, 1-36');
    }
    if (!Token.isUnresolved(props.subject.country) && !/^[A-Z]{2}$/.test(props.subject.country)) {
      throw new ValidationError(
        this,
        'subject.country',
        props.subject.country,
        'a two-letter ISO 3166 country code in capitals',
      );
    }
    for (const [prop, value] of [
      ['subject.organization', props.subject.organization],
      ['subject.state', props.subject.state],
    ] as const) {
      if (!Token.isUnresolved(value) && !/^[A-Za-z0-9 .'&-]{1,64}$/.test(value)) {
        throw new ValidationError(
          this,
          prop,
          value,
          'letters, digits, spaces and . \' & - (1-64): no commas or "=", which would split the subject',
        );
      }
    }
    const { organization, state, country } = props.subject;
    this.resource = new KeyVaultCertificate(this, 'Resource', {
      name: this.name,
      keyVaultId: props.keyVault.id,
      dependsOn: props.dependsOn,
      certificatePolicy: {
        issuerParameters: { name: 'Self' },
        // Signing happens in the vault (the plugin calls keys/sign): the key never leaves it.
        keyProperties: { exportable: false, keyType: 'RSA', keySize: 3072, reuseKey: false },
        secretProperties: { contentType: 'application/x-pem-file' },
        x509CertificateProperties: {
          subject: `CN=${organization} image signing,O=${organization},ST=${state},C=${country}`,
          keyUsage: ['digitalSignature'],
          // id-kp-codeSigning, which Notary Project signing certificates must carry
          extendedKeyUsage: ['1.3.6.1.5.5.7.3.3'],
          validityInMonths: months,
        },
        lifetimeAction: [
          { action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: 30 } },
        ],
      },
    });
    this.keyId = Fn.replace(this.resource.versionlessId, '/certificates/', '/keys/');
  }

  /**
   * Grants what Notation's Azure Key Vault plugin calls to sign with this certificate, on this
   * certificate only: `Key Vault Crypto User` on its key (keys/sign) and `Key Vault Certificate
   * User` on the certificate (certificates/get, to embed the certificate in the signature).
   */
  public grantSign(principal: IPrincipal): RoleAssignment[] {
    return [
      grantRole(this, grantId('Sign', this, principal), {
        scope: Fn.replace(this.resource.resourceManagerVersionlessId, '/certificates/', '/keys/'),
        roleDefinitionName: 'Key Vault Crypto User',
        principal,
        description: `sign with the key of ${this.node.path}`,
      }),
      grantRole(this, grantId('ReadCertificate', this, principal), {
        scope: this.resource.resourceManagerVersionlessId,
        roleDefinitionName: 'Key Vault Certificate User',
        principal,
        description: `read the certificate of ${this.node.path}`,
      }),
    ];
  }
}
