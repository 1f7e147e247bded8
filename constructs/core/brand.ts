import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { TerraformResource } from 'cdktf';

/**
 * Type checks that hold across package copies. An app that installs this library can end up
 * with two copies of `constructs`, `cdktf` or the library itself (a nested `node_modules`, a
 * linked checkout), and `instanceof` is false for an object made by the other copy. A brand is
 * a property keyed by a `Symbol.for` symbol, which every copy shares through the global symbol
 * registry: the scheme of `Construct.isConstruct` and cdktf's `TerraformResource.isTerraformResource`.
 */

/** Prefix of the library's brand symbols; part of the library's contract, never change it. */
const BRAND_PREFIX = 'iot-streaming-platform.';

/** The shared symbol of brand `name`, e.g. `brandSymbol('EventHubsKafka')`. */
export function brandSymbol(name: string): symbol {
  return Symbol.for(`${BRAND_PREFIX}${name}`);
}

/** Marks `target` with `brand` (a non-enumerable, read-only property). */
export function addBrand(target: object, brand: symbol): void {
  Object.defineProperty(target, brand, { value: true, enumerable: false, writable: false });
}

/** Whether `x` carries `brand`, whichever copy of the library made it. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    (x as Record<symbol, unknown>)[brand] === true
  );
}

/** Whether `x` is a construct of any copy of `constructs` (`Construct.isConstruct`). */
export function isConstruct(x: unknown): x is IConstruct {
  return Boolean(Construct.isConstruct(x));
}

/** Whether `x` is a Terraform resource of any copy of `cdktf`. */
export function isTerraformResource(x: unknown): x is TerraformResource {
  return TerraformResource.isTerraformResource(x);
}
