import type { Construct } from 'constructs';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';

/** A management lock on a resource (the AVM `lock`). */
export interface LockProps {
  /** `CanNotDelete` keeps the resource from deletion; `ReadOnly` also blocks changes. */
  readonly kind: 'CanNotDelete' | 'ReadOnly';
  /**
   * Name of the lock.
   * @default "lock-<kind>"
   */
  readonly name?: string;
  /**
   * Why the lock exists, shown to whoever hits it.
   * @default - a note naming this library
   */
  readonly notes?: string;
}

/** Creates the lock as child `Lock` of `scope`, or nothing when `lock` is undefined. */
export function addLock(
  scope: Construct,
  targetId: string,
  lock: LockProps | undefined,
): ManagementLock | undefined {
  if (!lock) return undefined;
  return new ManagementLock(scope, 'Lock', {
    name: lock.name ?? `lock-${lock.kind.toLowerCase()}`,
    scope: targetId,
    lockLevel: lock.kind,
    notes:
      lock.notes ?? 'Managed by the IoT streaming platform; remove through infrastructure as code.',
  });
}
