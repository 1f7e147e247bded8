import type { IConstruct } from 'constructs';
import { Aspects } from 'cdktf';
import type { IAspect, TerraformResource } from 'cdktf';
import { isTerraformResource } from './brand';

const declared = new WeakMap<IConstruct, Record<string, string>>();
const ownTags = new WeakMap<IConstruct, Record<string, string> | undefined>();

interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
  resetTags(): void;
}

function isTaggable(node: IConstruct): node is TerraformResource & Taggable {
  // A brand check, not `instanceof`: the resource may come from another copy of `cdktf`.
  return isTerraformResource(node) && typeof (node as unknown as Taggable).resetTags === 'function';
}

/**
 * Applies tags to every taggable resource under a scope at synthesis. Tags declared on an inner
 * scope override those of an outer one, and tags set directly on a resource override both, so
 * the narrowest declaration wins whatever order the aspects run in.
 */
export class Tags implements IAspect {
  /** Declares tags on `scope`; every taggable resource below it receives them. */
  public static add(scope: IConstruct, tags: Record<string, string>): void {
    if (Object.keys(tags).length === 0) return;
    const first = !declared.has(scope);
    declared.set(scope, { ...(declared.get(scope) ?? {}), ...tags });
    if (first) Aspects.of(scope).add(new Tags());
  }

  /** The tags in force at a node: outermost declaration first, innermost last. */
  public static effective(node: IConstruct): Record<string, string> {
    let result: Record<string, string> = {};
    for (const scope of node.node.scopes) {
      const t = declared.get(scope);
      if (t) result = { ...result, ...t };
    }
    return result;
  }

  public visit(node: IConstruct): void {
    if (!isTaggable(node)) return;
    if (!ownTags.has(node)) ownTags.set(node, node.tagsInput ? { ...node.tagsInput } : undefined);
    const merged = { ...Tags.effective(node), ...(ownTags.get(node) ?? {}) };
    if (Object.keys(merged).length > 0) node.tags = sortKeys(merged);
  }
}

function sortKeys(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
