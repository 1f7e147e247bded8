import { Construct } from 'constructs';
import { Token } from 'cdktf';
import type { IResolvable } from 'cdktf';
import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { AzureResourceProps, IPrincipal, ISubnet } from '../core';
import {
  checkConstruct,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  isUnresolved,
  NamingRules,
  parseResourceId,
  validateIpRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/**
 * A Key Vault as other constructs take it: one this program creates ({@link KeyVault}) or one
 * created elsewhere ({@link KeyVault.fromId}). Both grant the same roles.
 */
export interface IKeyVault {
  readonly id: string;
  readonly name: string;
  /** `https://<name>.vault.azure.net/`. */
  readonly vaultUri: string;
  /** Grants `Key Vault Secrets User`: read secret values. Nothing else. */
  grantSecretsRead(principal: IPrincipal): RoleAssignment;
  /** Grants `Key Vault Secrets Officer`: manage secrets (for deployment pipelines). */
  grantSecretsManage(principal: IPrincipal): RoleAssignment;
  /** Grants `Key Vault Certificates Officer`: create and renew certificates (deployers). */
  grantCertificatesManage(principal: IPrincipal): RoleAssignment;
  /** Grants `Key Vault Crypto Service Encryption User`: wrap/unwrap with keys, for CMK. */
  grantEncryptionUser(principal: IPrincipal): RoleAssignment;
}

/** A Key Vault created elsewhere, for {@link KeyVault.fromId}. */
export interface KeyVaultAttributes {
  /**
   * Resource id, `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>`,
   * or a Terraform reference to one (e.g. a `DataAzurermKeyVault`'s `id`).
   */
  readonly resourceId: string;
  /**
   * The vault URI.
   * @default - `https://<name>.vault.azure.net/`, the name taken from `resourceId`
   */
  readonly vaultUri?: string;
}

/**
 * The grants every {@link IKeyVault} of this library has: each is one `azurerm_role_assignment`
 * on the vault, a child of the construct that grants.
 */
export abstract class KeyVaultBase extends Construct implements IKeyVault {
  public abstract readonly id: string;
  public abstract readonly name: string;
  public abstract readonly vaultUri: string;

  public grantSecretsRead(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('SecretsUser', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Key Vault Secrets User',
      principal,
      description: `read secrets of ${this.node.path}`,
    });
  }

  public grantSecretsManage(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('SecretsOfficer', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Key Vault Secrets Officer',
      principal,
      description: `manage secrets of ${this.node.path}`,
    });
  }

  public grantCertificatesManage(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('CertificatesOfficer', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Key Vault Certificates Officer',
      principal,
      description: `manage certificates of ${this.node.path}`,
    });
  }

  public grantEncryptionUser(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('CryptoEncryptionUser', this, principal), {
      scope: this.id,
      roleDefinitionName: 'Key Vault Crypto Service Encryption User',
      principal,
      description: `customer-managed key use of ${this.node.path}`,
    });
  }
}

/** A vault created elsewhere: grants only. */
class ImportedKeyVault extends KeyVaultBase {
  public readonly id: string;
  public readonly name: string;
  public readonly vaultUri: string;

  constructor(scope: Construct, id: string, attrs: KeyVaultAttributes) {
    super(scope, id);
    const parts = parseResourceId(
      this,
      'resourceId',
      attrs.resourceId,
      'Microsoft.KeyVault/vaults',
    );
    this.id = parts.id;
    this.name = parts.name;
    this.vaultUri = attrs.vaultUri ?? `https://${parts.name}.vault.azure.net/`;
  }
}

/** Props of {@link KeyVault}. */
export interface KeyVaultProps extends AzureResourceProps {
  /** Vault name: 3–24 letters, digits and single hyphens, globally unique. */
  readonly name: string;
  /** Entra tenant that authenticates requests to the vault. */
  readonly tenantId: string;
  /**
   * SKU. `premium` adds HSM-backed keys.
   * @default "standard"
   */
  readonly sku?: 'standard' | 'premium';
  /**
   * Days a deleted vault or object stays recoverable (7–90).
   * @default 90 - the longest recovery window
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Purge protection: deleted objects cannot be purged before the retention ends. Once on it
   * cannot be turned off, and Azure requires it for customer-managed keys.
   * @default true
   */
  readonly purgeProtection?: boolean;
  /**
   * Whether the vault's public endpoint accepts traffic (still filtered by `allowedIpRanges`).
   * May be a Terraform expression, e.g. `Op.gte(Fn.lengthOf(deployerRanges), 1)` to open the
   * endpoint only while a deploy-time input lists addresses (docs/adr/0010).
   * @default false - reach the vault through its private endpoint
   */
  readonly publicNetworkAccess?: boolean | IResolvable;
  /**
   * Public IPv4 addresses or CIDR ranges allowed through the firewall when public access is on.
   * A token list (a Terraform variable) is checked by Terraform's validation, not here.
   * @default - none
   */
  readonly allowedIpRanges?: string[];
  /**
   * Subnets (with the `Microsoft.KeyVault` service endpoint) allowed through the firewall.
   * @default - none
   */
  readonly allowedSubnets?: ISubnet[];
  /**
   * Let trusted Azure services (e.g. ARM deployments, disk encryption) bypass the firewall.
   * @default true
   */
  readonly allowTrustedAzureServices?: boolean;
}

/** Where a secret's value comes from: always a Terraform-produced value, never a literal. */
export interface KeyVaultSecretOptions {
  /**
   * The value, as a token of another resource's attribute (e.g. a generated password or a
   * connection string). Literal strings are rejected so no secret is ever written in code.
   */
  readonly value: string;
  /**
   * MIME type or hint of the value.
   * @default - none
   */
  readonly contentType?: string;
  /**
   * RFC 3339 expiry of the secret.
   * @default - no expiry
   */
  readonly expirationDate?: string;
}

/**
 * An Azure Key Vault with RBAC authorization, purge protection, the longest soft-delete
 * retention, a deny-by-default firewall and (through `privateEndpoints`) private access.
 *
 * @example
 * const kv = new KeyVault(this, 'KeyVault', {
 *   name: 'kv-iot-dev-weu', resourceGroup: rg, tenantId: client.tenantId,
 *   privateEndpoints: { vault: { subnet: network.subnet('endpoints'), privateDnsZones: [network.dnsZone('vault')] } },
 *   diagnosticSettings: { law: { workspace: monitoring.workspace } },
 * });
 * kv.grantSecretsRead(identity);
 */
export class KeyVault extends KeyVaultBase {
  /**
   * A vault created elsewhere (another stack, the portal), as an {@link IKeyVault} that grants:
   * its role assignments become children of the returned construct.
   *
   * @example
   * const shared = KeyVault.fromId(this, 'SharedVault', { resourceId: sharedVaultId });
   * shared.grantSecretsRead(identity);
   */
  public static fromId(scope: Construct, id: string, attrs: KeyVaultAttributes): IKeyVault {
    return new ImportedKeyVault(scope, id, attrs);
  }

  public readonly id: string;
  public readonly name: string;
  public readonly vaultUri: string;
  /** The `azurerm_key_vault`. */
  public readonly resource: AzKeyVault;

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, checkConstruct(scope, id, props));
    validateName(this, 'name', props.name, NamingRules.keyVault);
    validateOneOf(this, 'sku', props.sku, ['standard', 'premium']);
    validateRange(this, 'softDeleteRetentionDays', props.softDeleteRetentionDays, 7, 90, {
      unit: 'days',
    });
    this.validateNetwork(props);

    this.resource = new AzKeyVault(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      tenantId: props.tenantId,
      skuName: props.sku ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtection ?? true,
      softDeleteRetentionDays: props.softDeleteRetentionDays ?? 90,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? false,
      enabledForDeployment: false,
      enabledForTemplateDeployment: false,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: props.allowTrustedAzureServices === false ? 'None' : 'AzureServices',
        ipRules: props.allowedIpRanges,
        virtualNetworkSubnetIds: props.allowedSubnets?.map((s) => s.id),
      },
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.vaultUri = this.resource.vaultUri;
    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'vault' });
  }

  /**
   * Literal ranges are checked here, token lists by Terraform. Ranges with public access left
   * off (literally) never apply, whether literal or a token, so both are rejected; an
   * expression for public access can only be judged by Terraform.
   */
  private validateNetwork(props: KeyVaultProps): void {
    const access = props.publicNetworkAccess ?? false;
    const ranges = props.allowedIpRanges;
    if (ranges === undefined || !Token.isUnresolved(ranges)) {
      validateIpRules(this, access !== false, ranges);
    } else if (access === false) {
      throw new ValidationError(
        this,
        'allowedIpRanges',
        Token.asString(ranges),
        'ip rules only apply with publicNetworkAccess: true or an expression',
      );
    }
  }

  /**
   * Stores a secret whose value Terraform produces (a token). Returns the secret; reference it
   * from App Service settings as `@Microsoft.KeyVault(SecretUri=<versionlessId>)`.
   */
  public addSecret(name: string, options: KeyVaultSecretOptions): KeyVaultSecret {
    validateName(this, 'secret name', name, {
      resource: 'key vault secret',
      minLength: 1,
      maxLength: 127,
      pattern: /^[a-zA-Z0-9-]+$/,
      patternDescription: 'letters, digits and hyphens',
    });
    if (!isUnresolved(options.value)) {
      throw new ValidationError(
        this,
        `addSecret(${name}).value`,
        '<literal redacted>',
        "a secret value must be a terraform token (another resource's attribute), never a literal in code",
      );
    }
    return new KeyVaultSecret(this, `Secret-${name}`, {
      name,
      keyVaultId: this.id,
      value: options.value,
      contentType: options.contentType ?? 'text/plain',
      expirationDate: options.expirationDate,
    });
  }
}
