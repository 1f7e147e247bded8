import { Construct as ConstructBase } from 'constructs';
import type { Construct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal } from './interfaces';

/** One Azure RBAC role assignment. */
export interface RoleGrant {
  /** Resource id the role is granted on. */
  readonly scope: string;
  /** Built-in role name, e.g. `AcrPull`. Exact names avoid role-id drift across clouds. */
  readonly roleDefinitionName: string;
  /** Who receives the role. */
  readonly principal: IPrincipal;
  /** Why the grant exists; shown in the portal's access review. */
  readonly description?: string;
}

/**
 * Creates an `azurerm_role_assignment` as child `id` of `scope` and returns it. Every `grant*`
 * method of the library goes through here, so each grant is one visible resource.
 */
export function grantRole(scope: Construct, id: string, grant: RoleGrant): RoleAssignment {
  return new RoleAssignment(scope, id, {
    scope: grant.scope,
    roleDefinitionName: grant.roleDefinitionName,
    principalId: grant.principal.principalId,
    principalType: grant.principal.principalType,
    description: grant.description,
    skipServicePrincipalAadCheck:
      grant.principal.principalType === 'ServicePrincipal' ? true : undefined,
  });
}

/**
 * A construct id for a grant that is stable across syntheses: derived from the principal's
 * construct path when the principal is a construct (so reordering grants replaces nothing),
 * else numbered.
 */
export function grantId(prefix: string, scope: Construct, principal: IPrincipal): string {
  if (principal instanceof ConstructBase) return `${prefix}-${principal.node.addr.slice(0, 10)}`;
  const n = scope.node.children.filter((c) => c.node.id.startsWith(prefix)).length;
  return n === 0 ? prefix : `${prefix}${n + 1}`;
}
