import type { IConstruct } from 'constructs';
import { Fn } from 'cdktf';
import { ValidationError } from './errors';
import { isUnresolved } from './validation';

/** The parts of an Azure resource id that grants and data-plane resources need. */
export interface ResourceIdParts {
  /** The resource id as given. */
  readonly id: string;
  /** The resource's name (its last segment). */
  readonly name: string;
  /** The resource group's name. */
  readonly resourceGroupName: string;
}

/**
 * Splits `/subscriptions/<sub>/resourceGroups/<rg>/providers/<type>/<name>` for a resource of
 * `type` (e.g. `Microsoft.KeyVault/vaults`). A literal id is checked here (ValidationError
 * naming `prop`); a token (a resource or data source of the same program) is split by Terraform
 * (`element(split("/", id), i)`), so an imported resource needs nothing but its id.
 */
export function parseResourceId(
  scope: IConstruct | string,
  prop: string,
  resourceId: string,
  type: string,
): ResourceIdParts {
  if (isUnresolved(resourceId)) {
    const part = (i: number) => Fn.element(Fn.split('/', resourceId), i) as string;
    return { id: resourceId, name: part(8), resourceGroupName: part(4) };
  }
  const [namespace, kind] = type.split('/');
  const m =
    typeof resourceId === 'string'
      ? new RegExp(
          `^/subscriptions/[^/]+/resourceGroups/([^/]+)/providers/${namespace.replace('.', '\\.')}/${kind}/([^/]+)$`,
          'i',
        ).exec(resourceId)
      : null;
  if (!m) {
    throw new ValidationError(
      scope,
      prop,
      resourceId,
      `a resource id /subscriptions/<id>/resourceGroups/<group>/providers/${type}/<name>, or a terraform reference to one`,
    );
  }
  return { id: resourceId, name: m[2], resourceGroupName: m[1] };
}
