import { Construct } from 'constructs';
import { ContainerRegistry as AzContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import type {
  AzureResourceProps,
  CustomerManagedKeyProps,
  IPrincipal,
  IUserAssignedIdentity,
  ManagedIdentitiesProps,
} from '../core';
import {
  checkConstruct,
  isTerraformResource,
  parseResourceId,
  entryCount,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  identityBlock,
  principalTypeOf,
  NamingRules,
  validateIpRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';

/** A container registry as other constructs take it. */
export interface IContainerRegistry {
  readonly id: string;
  readonly name: string;
  /** `<name>.azurecr.io`, the host images are pulled from. */
  readonly loginServer: string;
  /** Grants `AcrPull`: pull images. Nothing else. */
  grantPull(principal: IPrincipal): RoleAssignment;
  /** Grants `AcrPush`: push and pull images (for build pipelines). */
  grantPush(principal: IPrincipal): RoleAssignment;
}

/** A registry created elsewhere, for {@link ContainerRegistry.fromId}. */
export interface ContainerRegistryAttributes {
  /**
   * Resource id, `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>`,
   * or a Terraform reference to one.
   */
  readonly resourceId: string;
  /**
   * The login server.
   * @default - `<name>.azurecr.io`, the name taken from `resourceId`
   */
  readonly loginServer?: string;
}

/** `AcrPull` or `AcrPush` on `registry`, a child of it: the grants every registry has. */
function grantRegistryRole(
  registry: Construct & { readonly id: string },
  role: 'AcrPull' | 'AcrPush',
  principal: IPrincipal,
): RoleAssignment {
  return grantRole(registry, grantId(role, registry, principal), {
    scope: registry.id,
    roleDefinitionName: role,
    principal,
    description: `${role === 'AcrPull' ? 'pull images from' : 'push images to'} ${registry.node.path}`,
  });
}

/** A registry created elsewhere: pull and push grants only. */
class ImportedContainerRegistry extends Construct implements IContainerRegistry {
  public readonly id: string;
  public readonly name: string;
  public readonly loginServer: string;

  constructor(scope: Construct, id: string, attrs: ContainerRegistryAttributes) {
    super(scope, id);
    const parts = parseResourceId(
      this,
      'resourceId',
      attrs.resourceId,
      'Microsoft.ContainerRegistry/registries',
    );
    this.id = parts.id;
    this.name = parts.name;
    this.loginServer = attrs.loginServer ?? `${parts.name}.azurecr.io`;
  }

  public grantPull(principal: IPrincipal): RoleAssignment {
    return grantRegistryRole(this, 'AcrPull', principal);
  }

  public grantPush(principal: IPrincipal): RoleAssignment {
    return grantRegistryRole(this, 'AcrPush', principal);
  }
}

/** A replica of the registry in another region (Premium). */
export interface GeoReplicationProps {
  /** Azure region of the replica; must differ from the registry's own. */
  readonly location: string;
  /**
   * Zone redundancy of the replica.
   * @default false
   */
  readonly zoneRedundancy?: boolean;
}

/** Props of {@link ContainerRegistry}. */
export interface ContainerRegistryProps extends AzureResourceProps {
  /** Registry name: 5–50 letters and digits, globally unique (it becomes `<name>.azurecr.io`). */
  readonly name: string;
  /**
   * SKU. Private endpoints, network rules, retention, zone redundancy, geo-replication,
   * customer-managed keys, dedicated data endpoints and the export policy are Premium-only.
   * @default "Premium" - the only SKU that can be private
   */
  readonly sku?: 'Basic' | 'Standard' | 'Premium';
  /**
   * Whether the public endpoint accepts traffic (Premium: still filtered by `allowedIpRanges`).
   * @default false - pull through the private endpoint
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Public IPv4 addresses or CIDRs allowed through the registry firewall (Premium, with public
   * access on).
   * @default - none
   */
  readonly allowedIpRanges?: string[];
  /**
   * Let trusted Azure services (ACR Tasks, Defender for Containers scanning) bypass the firewall.
   * @default true
   */
  readonly allowTrustedAzureServices?: boolean;
  /**
   * Days untagged manifests are kept before deletion (0–365, Premium).
   * @default 7 - reclaims space from superseded builds while leaving a week to roll back by digest
   */
  readonly retentionDays?: number;
  /**
   * Zone redundancy (Premium). The environments turn it on in production.
   * @default false
   */
  readonly zoneRedundancy?: boolean;
  /**
   * Replicas in other regions (Premium).
   * @default - none
   */
  readonly geoReplications?: GeoReplicationProps[];
  /**
   * Whether images may be exported (`az acr import` from this registry, pipelines out). Azure
   * allows turning it off only with public access off.
   * @default - false when public access is off, true otherwise
   */
  readonly exportPolicy?: boolean;
  /**
   * Dedicated regional data endpoints (`<name>.<region>.data.azurecr.io`), so firewall rules for
   * image layers name this registry instead of all of `*.blob.core.windows.net` (Premium).
   * @default true on Premium
   */
  readonly dataEndpoint?: boolean;
  /**
   * Docker Content Trust. Off by default: Azure deprecates it in favour of Notation signing, and
   * it cannot be combined with a customer-managed key.
   * @default false
   */
  readonly contentTrust?: boolean;
  /**
   * Quarantine: pushed images cannot be pulled until a scanner releases them. Turn on only with a
   * scanner that releases images, or every pull fails.
   * @default false
   */
  readonly quarantine?: boolean;
  /**
   * Managed identities of the registry (for tasks, CMK and cache rules).
   * @default - none, plus the customer-managed key's identity when one is given
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Customer-managed key for encryption at rest (Premium). Its identity is attached to the
   * registry automatically.
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyProps;
}

/**
 * An Azure Container Registry, Premium and private by default: admin user off, anonymous pull
 * off, public access off (private endpoint through `privateEndpoints`), export policy off,
 * dedicated data endpoints, a 7-day untagged-manifest retention. Access only through
 * `grantPull` / `grantPush`.
 *
 * @example
 * const acr = new ContainerRegistry(this, 'Registry', {
 *   name: 'acriotdevweu', resourceGroup: rg,
 *   privateEndpoints: [{ subnet: network.subnet('endpoints'), privateDnsZones: [network.dnsZone('registry')] }],
 *   diagnosticSettings: [{ workspace: monitoring.workspace }],
 * });
 * acr.grantPull(aks.kubeletIdentity);
 */
export class ContainerRegistry extends Construct implements IContainerRegistry {
  /**
   * A registry created elsewhere (another stack, the portal), as an {@link IContainerRegistry}
   * that grants: its role assignments become children of the returned construct.
   */
  public static fromId(
    scope: Construct,
    id: string,
    attrs: ContainerRegistryAttributes,
  ): IContainerRegistry {
    return new ImportedContainerRegistry(scope, id, attrs);
  }

  public readonly id: string;
  public readonly name: string;
  public readonly loginServer: string;
  /** Principal id of the system-assigned identity, when one was asked for. */
  public readonly principalId?: string;
  /** The `azurerm_container_registry`. */
  public readonly resource: AzContainerRegistry;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, checkConstruct(scope, id, props));
    const sku = props.sku ?? 'Premium';
    const publicAccess = props.publicNetworkAccess ?? false;
    const location = props.location ?? props.resourceGroup.location;
    validateName(this, 'name', props.name, NamingRules.containerRegistry);
    validateOneOf(this, 'sku', sku, ['Basic', 'Standard', 'Premium']);
    validateRange(this, 'retentionDays', props.retentionDays, 0, 365, { unit: 'days' });
    validateIpRules(this, publicAccess, props.allowedIpRanges);
    this.validatePremiumOnly(props, sku);
    if (props.exportPolicy === false && publicAccess) {
      throw new ValidationError(
        this,
        'exportPolicy',
        false,
        'azure allows turning the export policy off only with publicNetworkAccess: false',
      );
    }
    if (props.contentTrust === true && props.customerManagedKey) {
      throw new ValidationError(
        this,
        'contentTrust',
        true,
        'content trust cannot be combined with customerManagedKey',
      );
    }
    (props.geoReplications ?? []).forEach((g, i) => {
      if (
        g.location.toLowerCase().replace(/\s+/g, '') === location.toLowerCase().replace(/\s+/g, '')
      ) {
        throw new ValidationError(
          this,
          `geoReplications[${i}].location`,
          g.location,
          "a region other than the registry's own",
        );
      }
    });

    const premium = sku === 'Premium';
    const cmk = props.customerManagedKey;
    const userAssigned: IUserAssignedIdentity[] = [
      ...(props.managedIdentities?.userAssigned ?? []),
    ];
    if (cmk && !userAssigned.includes(cmk.identity)) userAssigned.push(cmk.identity);
    const identity = identityBlock({
      systemAssigned: props.managedIdentities?.systemAssigned,
      userAssigned,
    });

    this.resource = new AzContainerRegistry(this, 'Resource', {
      name: props.name,
      location,
      resourceGroupName: props.resourceGroup.name,
      sku,
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: publicAccess,
      networkRuleBypassOption: props.allowTrustedAzureServices === false ? 'None' : 'AzureServices',
      networkRuleSet: premium
        ? [
            {
              defaultAction: 'Deny',
              ipRule: (props.allowedIpRanges ?? []).map((ipRange) => ({
                action: 'Allow',
                ipRange,
              })),
            },
          ]
        : undefined,
      exportPolicyEnabled: premium ? (props.exportPolicy ?? publicAccess) : undefined,
      dataEndpointEnabled: premium ? (props.dataEndpoint ?? true) : undefined,
      retentionPolicyInDays: premium ? (props.retentionDays ?? 7) : undefined,
      zoneRedundancyEnabled: premium ? (props.zoneRedundancy ?? false) : undefined,
      trustPolicyEnabled: premium ? (props.contentTrust ?? false) : undefined,
      quarantinePolicyEnabled: premium ? (props.quarantine ?? false) : undefined,
      georeplications: props.geoReplications?.map((g) => ({
        location: g.location,
        zoneRedundancyEnabled: g.zoneRedundancy ?? false,
      })),
      identity,
      encryption: cmk
        ? [{ keyVaultKeyId: cmk.key.versionlessId, identityClientId: cmk.identity.clientId }]
        : undefined,
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.loginServer = this.resource.loginServer;
    if (props.managedIdentities?.systemAssigned) {
      this.principalId = this.resource.identity.principalId;
    }
    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'registry' });
  }

  /** Grants `AcrPull`: pull images. Nothing else. */
  public grantPull(principal: IPrincipal): RoleAssignment {
    return grantRegistryRole(this, 'AcrPull', principal);
  }

  /** Grants `AcrPush`: push and pull images (for build pipelines). */
  public grantPush(principal: IPrincipal): RoleAssignment {
    return grantRegistryRole(this, 'AcrPush', principal);
  }

  /**
   * Grants a custom role, defined on this registry only, with exactly
   * `Microsoft.ContainerRegistry/registries/metadata/read` and `metadata/write`: what
   * `az acr repository update --write-enabled false --delete-enabled false` needs to lock an
   * image, its tags and its referrers (signatures, SBOMs) after a push. On a registry in the
   * default (non-ABAC) permission mode these are control-plane actions, which AcrPush lacks.
   */
  public grantLockImages(principal: IPrincipal): RoleAssignment {
    return this.grantCustomRole('ImageLock', 'image locker', principal, [
      'Microsoft.ContainerRegistry/registries/metadata/read',
      'Microsoft.ContainerRegistry/registries/metadata/write',
    ]);
  }

  /**
   * Grants a custom role, defined on this registry only, that runs ACR Tasks quick builds
   * (`az acr build`): upload the build context, schedule the run, read it and its log. AcrPush
   * covers pushing, not scheduling a run on the registry.
   */
  public grantRunBuilds(principal: IPrincipal): RoleAssignment {
    return this.grantCustomRole('TaskRun', 'task runner', principal, [
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.ContainerRegistry/registries/listBuildSourceUploadUrl/action',
      'Microsoft.ContainerRegistry/registries/scheduleRun/action',
      'Microsoft.ContainerRegistry/registries/runs/read',
      'Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action',
    ]);
  }

  /** A role definition scoped and assignable to this registry only, assigned to `principal` once. */
  private grantCustomRole(
    prefix: string,
    title: string,
    principal: IPrincipal,
    actions: string[],
  ): RoleAssignment {
    const id = grantId(prefix, this, principal);
    const existing = this.node.tryFindChild(id);
    // A brand check, not `instanceof` (ADR 0012).
    if (
      isTerraformResource(existing) &&
      existing.terraformResourceType === 'azurerm_role_assignment'
    )
      return existing as RoleAssignment;
    const roleId = `${prefix}Role`;
    const role =
      (this.node.tryFindChild(roleId) as RoleDefinition | undefined) ??
      new RoleDefinition(this, roleId, {
        // Custom role names are unique per tenant: the registry's name makes it so.
        name: `${this.name} ${title}`,
        scope: this.id,
        description: `${title} of ${this.node.path}`,
        permissions: [{ actions }],
        assignableScopes: [this.id],
      });
    const principalType = principalTypeOf(principal);
    return new RoleAssignment(this, id, {
      scope: this.id,
      roleDefinitionId: role.roleDefinitionResourceId,
      principalId: principal.principalId,
      principalType,
      description: `${title} on ${this.node.path}`,
      skipServicePrincipalAadCheck: principalType === 'ServicePrincipal' ? true : undefined,
    });
  }

  private validatePremiumOnly(props: ContainerRegistryProps, sku: string): void {
    if (sku === 'Premium') return;
    const premiumOnly: Array<[string, boolean]> = [
      ['privateEndpoints', entryCount(props.privateEndpoints) > 0],
      ['allowedIpRanges', (props.allowedIpRanges ?? []).length > 0],
      ['retentionDays', props.retentionDays !== undefined],
      ['zoneRedundancy', props.zoneRedundancy === true],
      ['geoReplications', (props.geoReplications ?? []).length > 0],
      ['customerManagedKey', props.customerManagedKey !== undefined],
      ['exportPolicy', props.exportPolicy === false],
      ['dataEndpoint', props.dataEndpoint === true],
      ['contentTrust', props.contentTrust === true],
      ['quarantine', props.quarantine === true],
    ];
    for (const [prop, set] of premiumOnly) {
      if (set) {
        throw new ValidationError(this, prop, `set with sku ${sku}`, `${prop} needs sku "Premium"`);
      }
    }
    if (props.publicNetworkAccess !== true) {
      throw new ValidationError(
        this,
        'publicNetworkAccess',
        props.publicNetworkAccess,
        `sku ${sku} cannot be private: set publicNetworkAccess: true explicitly or use sku "Premium"`,
      );
    }
  }
}
