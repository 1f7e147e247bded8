import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { IPrincipal, IResourceGroup, IUserAssignedIdentity } from '../core';
import { Tags, ValidationError } from '../core';

/** The audience Entra ID expects in a federated token exchange. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * An Azure Resource Manager service connection of Azure DevOps that authenticates with workload
 * identity federation: the pipeline presents an OIDC token whose issuer is the organization and
 * whose subject names the connection, and Entra ID exchanges it for the identity's token. No
 * secret exists anywhere.
 */
export interface AzureDevOpsServiceConnection {
  /**
   * The organization's id (a GUID: Organization settings → Microsoft Entra, or
   * `az devops invoke --area Location --resource ConnectionData`); the issuer is
   * `https://vstoken.dev.azure.com/<organizationId>`.
   */
  readonly organizationId: string;
  /** Organization name, as in `https://dev.azure.com/<organizationName>`. */
  readonly organizationName: string;
  /** Project name. */
  readonly projectName: string;
  /** Service connection name; the subject is `sc://<organization>/<project>/<connection>`. */
  readonly serviceConnectionName: string;
}

/** The issuer and subject Azure DevOps puts in a service connection's token. */
export function azureDevOpsFederation(c: AzureDevOpsServiceConnection): {
  issuer: string;
  subject: string;
} {
  return {
    issuer: `https://vstoken.dev.azure.com/${c.organizationId}`,
    subject: `sc://${c.organizationName}/${c.projectName}/${c.serviceConnectionName}`,
  };
}

/** Props of {@link PipelineIdentity}. */
export interface PipelineIdentityProps {
  /** Name of the user-assigned identity. */
  readonly name: string;
  /** Resource group of the identity. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Azure region.
   * @default - the resource group's location
   */
  readonly location?: string;
  /**
   * Tags of the identity.
   * @default - none (tags of enclosing scopes still apply)
   */
  readonly tags?: Record<string, string>;
  /** The one service connection allowed to act as this identity. */
  readonly serviceConnection: AzureDevOpsServiceConnection;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Organization: letters, digits, hyphens; the URL segment Azure DevOps allows. */
const ORGANIZATION = /^[A-Za-z0-9][A-Za-z0-9-]{0,48}[A-Za-z0-9]$|^[A-Za-z0-9]$/;
/** A project or connection name: 1-64 printable characters, no `/` or `\` (they would shift the subject's segments). */
const SEGMENT = /^[^/\\\p{Cc}]{1,64}$/u;

/**
 * A user-assigned managed identity that one Azure DevOps service connection, and nothing else,
 * signs in as, through a federated identity credential (issuer
 * `https://vstoken.dev.azure.com/<organization id>`, subject
 * `sc://<organization>/<project>/<connection>`, audience `api://AzureADTokenExchange`). It is an
 * {@link IPrincipal}: give it exactly the roles its stage needs with the resources' `grant*`
 * methods.
 *
 * @example
 * const build = new PipelineIdentity(this, 'BuildIdentity', {
 *   name: 'id-iot-dev-build', resourceGroup: rg,
 *   serviceConnection: { organizationId, organizationName: 'contoso', projectName: 'iot', serviceConnectionName: 'iot-dev-build' },
 * });
 * registry.grantPush(build);
 */
export class PipelineIdentity extends Construct implements IPrincipal, IUserAssignedIdentity {
  public readonly id: string;
  public readonly principalId: string;
  public readonly clientId: string;
  public readonly principalType = 'ServicePrincipal' as const;
  /** Issuer and subject the credential trusts. */
  public readonly issuer: string;
  public readonly subject: string;
  /** The `azurerm_user_assigned_identity`. */
  public readonly resource: UserAssignedIdentity;
  /** The `azurerm_federated_identity_credential`. */
  public readonly credential: FederatedIdentityCredential;

  constructor(scope: Construct, id: string, props: PipelineIdentityProps) {
    super(scope, id);
    const c = props.serviceConnection;
    const check = (prop: string, value: string, pattern: RegExp, allowed: string) => {
      if (!Token.isUnresolved(value) && !pattern.test(value)) {
        throw new ValidationError(this, `serviceConnection.${prop}`, value, allowed);
      }
    };
    check('organizationId', c.organizationId, GUID, 'the organization id, a GUID');
    check(
      'organizationName',
      c.organizationName,
      ORGANIZATION,
      'an organization name: letters, digits and inner hyphens, at most 50',
    );
    check('projectName', c.projectName, SEGMENT, '1-64 printable characters without "/" or "\\"');
    check(
      'serviceConnectionName',
      c.serviceConnectionName,
      SEGMENT,
      '1-64 printable characters without "/" or "\\"',
    );
    if (props.tags) Tags.add(this, props.tags);
    this.resource = new UserAssignedIdentity(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
    });
    const { issuer, subject } = azureDevOpsFederation(c);
    this.issuer = issuer;
    this.subject = subject;
    this.credential = new FederatedIdentityCredential(this, 'Federation', {
      name: `azure-devops-${c.serviceConnectionName}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 120),
      parentId: this.resource.id,
      resourceGroupName: props.resourceGroup.name,
      audience: [TOKEN_EXCHANGE_AUDIENCE],
      issuer,
      subject,
    });
    this.id = this.resource.id;
    this.principalId = this.resource.principalId;
    this.clientId = this.resource.clientId;
  }
}
