import type { IConstruct } from 'constructs';
import type { TerraformResource } from 'cdktf';
import { WAIVERS_OVERRIDE_PATH, waiverProblems } from '../../policies/waiver';
import type { Waiver } from '../../policies/waiver';
import { isTerraformResource } from './brand';
import { ValidationError } from './errors';

export type { Waiver } from '../../policies/waiver';

const registered = new WeakMap<TerraformResource, Waiver[]>();

/**
 * Policy waivers declared in code on the narrowest construct. Each waiver is written into the
 * waived resource's `//` metadata in `cdk.tf.json`, so the synthesized artifact carries its own
 * exceptions and the policy engine reports them (an expired one counts as a failure again, one
 * that matches no finding is an error).
 *
 * @example
 * Waivers.of(platform.apiManagement).add({
 *   rule: 'api-management-public-network-disabled',
 *   reason: 'APIM in External mode is the device ingress from the internet',
 *   owner: 'platform-team',
 *   expires: '2027-06-30',
 * });
 */
export class Waivers {
  /** The waivers of `scope`: the resource itself, or a construct's main child `Resource`. */
  public static of(scope: IConstruct): Waivers {
    return new Waivers(scope, Waivers.resolve(scope));
  }

  private static resolve(scope: IConstruct): TerraformResource {
    // Brand checks, not `instanceof`: the resource may come from another copy of `cdktf`.
    if (isTerraformResource(scope)) return scope;
    const main = scope.node.tryFindChild('Resource');
    if (isTerraformResource(main)) return main;
    const resources = scope.node.children.filter(isTerraformResource);
    if (resources.length === 1) return resources[0];
    throw new ValidationError(
      scope,
      'waiver target',
      scope.node.path,
      'a waiver targets a terraform resource or a construct with one main resource (child "Resource"); name the resource itself',
    );
  }

  private constructor(
    private readonly scope: IConstruct,
    private readonly resource: TerraformResource,
  ) {}

  /** Adds a waiver; its reason (10+ characters), owner and expiry date are checked now. */
  public add(waiver: Waiver): this {
    const problems = waiverProblems(waiver);
    if (problems.length > 0) {
      throw new ValidationError(this.scope, `waiver(${waiver.rule})`, waiver, problems.join('; '));
    }
    const list = registered.get(this.resource) ?? [];
    if (list.some((w) => w.rule === waiver.rule)) {
      throw new ValidationError(
        this.scope,
        `waiver(${waiver.rule})`,
        waiver.rule,
        'one waiver per rule and resource',
      );
    }
    list.push({
      rule: waiver.rule,
      reason: waiver.reason.trim(),
      owner: waiver.owner,
      expires: waiver.expires,
    });
    list.sort((a, b) => (a.rule < b.rule ? -1 : 1));
    registered.set(this.resource, list);
    this.resource.addOverride(
      WAIVERS_OVERRIDE_PATH,
      list.map((w) => ({ ...w })),
    );
    return this;
  }

  /** The waivers declared so far on the resource. */
  public list(): readonly Waiver[] {
    return registered.get(this.resource) ?? [];
  }
}
