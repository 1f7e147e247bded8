import type { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { TerraformResource } from 'cdktf';
import { ValidationError } from './errors';

/**
 * A key of a name-keyed collection (`privateEndpoints`, `diagnosticSettings`): it becomes part of
 * a construct id, and so of a Terraform address, so it keeps to characters every address
 * accepts.
 */
const KEY = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

/** What a key may be, for error messages. */
export const KEY_RULE =
  '1 to 63 letters, digits, hyphens and underscores, starting and ending with a letter or digit';

/**
 * The entries of a name-keyed collection prop, in insertion order, after checking its shape:
 * a record (not a list: list positions made addresses that shifted when an entry was removed),
 * keys by {@link KEY_RULE} and unique ignoring case (two keys that differ only in case read as
 * the same entry), values objects. Throws `ValidationError` naming `prop`.
 */
export function keyedEntries<T>(
  scope: Construct,
  prop: string,
  record: Readonly<Record<string, T>> | undefined,
): [string, T][] {
  if (record === undefined || record === null) return [];
  if (Array.isArray(record) || typeof record !== 'object') {
    throw new ValidationError(
      scope,
      prop,
      Array.isArray(record) ? `a list of ${(record as unknown[]).length}` : record,
      `a record keyed by name, e.g. { main: {...} }: the key names the entry's terraform address, so removing one entry leaves the others in place`,
    );
  }
  const entries = Object.entries(record);
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    if (!KEY.test(key)) {
      throw new ValidationError(scope, `${prop} key`, key, KEY_RULE);
    }
    const folded = key.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      throw new ValidationError(
        scope,
        `${prop} key`,
        key,
        `keys unique ignoring case ("${other}" is already one)`,
      );
    }
    seen.set(folded, key);
    if (value === null || typeof value !== 'object') {
      throw new ValidationError(scope, `${prop}.${key}`, value, 'an object of settings');
    }
  }
  return entries;
}

/**
 * Adds a `moved` block to `resource` from the address a construct with id `legacyId` at the
 * same place in the tree had, so state is renamed, not replaced, when a construct id changes.
 * A no-op in Terraform when nothing was ever deployed at the old address.
 */
export function moveFromLegacyId(resource: TerraformResource, legacyId: string): void {
  const scope = resource.node.scope as Construct | undefined;
  if (!scope) return;
  const stack = TerraformStack.of(scope);
  // The logical id the stack would have given a construct with the old id at the same path.
  const node = { scopes: [...scope.node.scopes, { node: { id: legacyId } }] };
  const logicalId = stack.getLogicalId(node as unknown as Construct['node']);
  resource.moveFromId(`${resource.terraformResourceType}.${logicalId}`);
}

/** How many entries a name-keyed collection prop has (0 when unset). */
export function entryCount(record: Readonly<Record<string, unknown>> | undefined): number {
  return record === undefined || record === null ? 0 : Object.keys(record).length;
}
