import type { IUserAssignedIdentity } from './interfaces';

/** Which managed identities a resource gets (the AVM `managedIdentities`). */
export interface ManagedIdentitiesProps {
  /**
   * Whether the resource gets a system-assigned identity.
   * @default false
   */
  readonly systemAssigned?: boolean;
  /**
   * User-assigned identities to attach.
   * @default - none
   */
  readonly userAssigned?: IUserAssignedIdentity[];
}

/** The identity block azurerm resources share, or undefined when no identity is asked for. */
export function identityBlock(
  props: ManagedIdentitiesProps | undefined,
): { type: string; identityIds?: string[] } | undefined {
  const system = props?.systemAssigned === true;
  const user = props?.userAssigned ?? [];
  if (!system && user.length === 0) return undefined;
  const type =
    system && user.length > 0
      ? 'SystemAssigned, UserAssigned'
      : system
        ? 'SystemAssigned'
        : 'UserAssigned';
  return user.length > 0 ? { type, identityIds: user.map((u) => u.id) } : { type };
}
