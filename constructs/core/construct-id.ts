import type { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/** A construct id: what `constructs` accepts, without the path separator. */
const ID = /^[^/]+$/;

/**
 * Checks a construct's id and, for service constructs, its `resourceGroup` before the construct
 * exists, and returns `id`. Service constructs call it in `super(scope, checkConstruct(scope,
 * id, props))`, so a reused id or a missing resource group is a `ValidationError` naming the
 * path, prop, value and what is allowed, not cdktf's "There is already a Construct with name"
 * or a `TypeError` from reading `resourceGroup.location`.
 */
export function checkConstruct(
  scope: IConstruct,
  id: string,
  props?: { readonly resourceGroup?: unknown },
): string {
  const parent = scope?.node?.path ?? '';
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new ValidationError(parent, 'id', id, 'a construct id is a non-empty string without "/"');
  }
  if (scope.node.tryFindChild(id) !== undefined) {
    const taken = scope.node.children.map((c) => c.node.id);
    throw new ValidationError(
      parent,
      'id',
      id,
      `an id no other child of ${parent || 'the app'} has (taken: ${taken.join(', ')})`,
    );
  }
  if (props !== undefined) {
    const path = parent ? `${parent}/${id}` : id;
    if (props === null || typeof props !== 'object') {
      throw new ValidationError(path, 'props', props, 'an object of props with a resourceGroup');
    }
    const rg = props.resourceGroup as { name?: unknown; location?: unknown } | undefined | null;
    if (
      rg === undefined ||
      rg === null ||
      typeof rg !== 'object' ||
      typeof rg.name !== 'string' ||
      typeof rg.location !== 'string'
    ) {
      throw new ValidationError(
        path,
        'resourceGroup',
        rg,
        'a resource group ({ id, name, location }: an azurerm ResourceGroup, a data source or a literal)',
      );
    }
  }
  return id;
}
