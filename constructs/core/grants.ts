import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { moveFromLegacyId } from './addresses';
import { isConstruct } from './brand';
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
 * The principal type a grant can state: the principal's own `principalType`, else
 * `ServicePrincipal` for a managed identity (anything with a `clientId`, such as an azurerm
 * `UserAssignedIdentity` or an AKS kubelet identity: users and groups have none), else unknown.
 */
export function principalTypeOf(principal: IPrincipal): IPrincipal['principalType'] {
  if (principal.principalType !== undefined) return principal.principalType;
  const clientId = (principal as { clientId?: unknown }).clientId;
  return typeof clientId === 'string' ? 'ServicePrincipal' : undefined;
}

/** A value with its tokens resolved to Terraform references (`${type.name.attr}`). */
function resolveRef(scope: Construct, value: unknown): unknown {
  return Tokenization.resolve(value, {
    scope,
    resolver: new DefaultTokenResolver(new StringConcat()),
  }) as unknown;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}

const granted = new WeakMap<Construct, Map<string, unknown>>();

/**
 * Returns the grant already made by `scope` under `key`, or makes it with `create` and remembers
 * it, so granting the same thing twice returns the first grant instead of failing with a
 * duplicate construct id. `key` names what is granted (role, resource, principal); tokens in
 * it are resolved to their Terraform references, which are stable for a given program.
 */
export function grantOnce<T>(scope: Construct, key: readonly unknown[], create: () => T): T {
  const k = JSON.stringify(key.map((part) => resolveRef(scope, part)));
  let byKey = granted.get(scope);
  if (!byKey) granted.set(scope, (byKey = new Map()));
  if (byKey.has(k)) return byKey.get(k) as T;
  const made = create();
  byKey.set(k, made);
  return made;
}

/**
 * Creates an `azurerm_role_assignment` as child `id` of `scope` and returns it. Every `grant*`
 * method of the library goes through here, so each grant is one visible resource. Idempotent:
 * granting the same role on the same resource to the same principal again returns the first
 * assignment (its description and id are kept).
 */
export function grantRole(scope: Construct, id: string, grant: RoleGrant): RoleAssignment {
  return grantOnce(
    scope,
    ['role', grant.scope, grant.roleDefinitionName, grant.principal.principalId],
    () => {
      const principalType = principalTypeOf(grant.principal);
      // One id, another resource or role (a caller whose id prefix does not name the scope):
      // the resource and role make the id unique, whatever the order of the calls.
      const free = scope.node.tryFindChild(id)
        ? `${id}-${hash([grant.scope, grant.roleDefinitionName].map((p) => resolveRef(scope, p)))}`
        : id;
      const assignment = new RoleAssignment(scope, free, {
        scope: grant.scope,
        roleDefinitionName: grant.roleDefinitionName,
        principalId: grant.principal.principalId,
        principalType,
        description: grant.description,
        skipServicePrincipalAadCheck: principalType === 'ServicePrincipal' ? true : undefined,
      });
      moveFromLegacyGrantId(assignment);
      return assignment;
    },
  );
}

/** Ids `grantId` used to number by call order, by the id it gives now, per scope. */
const legacyIds = new WeakMap<Construct, Map<string, string>>();

/**
 * A construct id for a grant that does not depend on call order: derived from the principal's
 * construct path when the principal is a construct, else from its principal id (a Terraform
 * reference such as `${azurerm_user_assigned_identity.x.principal_id}` for a token, so stable
 * for a given program), hashed: `<prefix>-<8 hex>`.
 *
 * Until 2026-12 non-construct principals were numbered in call order (`<prefix>`,
 * `<prefix>2`, ...); `moveFromLegacyGrantId` moves state from that address, so deployed
 * assignments are renamed in state, not replaced.
 */
export function grantId(prefix: string, scope: Construct, principal: IPrincipal): string {
  // A brand check, not `instanceof`: the principal may come from another copy of `constructs`.
  if (isConstruct(principal)) return `${prefix}-${principal.node.addr.slice(0, 10)}`;
  const id = `${prefix}-${hash(resolveRef(scope, principal.principalId))}`;
  const n = scope.node.children.filter((c) => c.node.id.startsWith(prefix)).length;
  let legacy = legacyIds.get(scope);
  if (!legacy) legacyIds.set(scope, (legacy = new Map()));
  if (!legacy.has(id) && !scope.node.tryFindChild(id)) {
    legacy.set(id, n === 0 ? prefix : `${prefix}${n + 1}`);
  }
  return id;
}

/**
 * Adds a `moved` block from the call-order address `grantId` gave `resource` before ids were
 * stable (see `grantId`), when there was one. `suffix` is what the caller appended to the
 * `grantId` result. A no-op for resources whose id did not come from `grantId`.
 */
export function moveFromLegacyGrantId(resource: TerraformResource, suffix = ''): void {
  const scope = resource.node.scope as Construct | undefined;
  if (!scope) return;
  const id = resource.node.id;
  if (!id.endsWith(suffix)) return;
  const legacy = legacyIds.get(scope)?.get(id.slice(0, id.length - suffix.length));
  if (legacy === undefined) return;
  moveFromLegacyId(resource, `${legacy}${suffix}`);
}

/**
 * The call-order id `grantId` would have given before ids were stable, for a grant id it
 * returned (else `id` itself): for names that Azure keeps and cannot rename in place.
 */
export function legacyGrantId(scope: Construct, id: string): string {
  return legacyIds.get(scope)?.get(id) ?? id;
}
