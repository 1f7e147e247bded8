/**
 * The per-stack index: resources by address and type, and every `${type.name.attr}` reference
 * as an edge, found in one pass over the configuration. Rules query it instead of scanning.
 */
import { readConfig } from './config';
import type { DeclaredBlock } from './config';
import { normaliseAttributes } from './normalise';
import { Resource, parsePureReference } from './resource';
import type { Reference, Resolver, RuleContext } from './resource';
import type { StackDocument } from './load';

type Obj = Record<string, unknown>;

const EMBEDDED_REF =
  /((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)/g;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Index of one stack; it is the `RuleContext` handed to rules. */
export class StackIndex implements RuleContext, Resolver {
  readonly all: Resource[] = [];
  private readonly byAddress = new Map<string, Resource>();
  private readonly byType = new Map<string, Resource[]>();
  private readonly inbound = new Map<string, Reference[]>();
  private readonly outbound = new Map<string, Reference[]>();
  private readonly cache = new Map<string, unknown>();
  private readonly variables = new Map<string, Obj>();

  constructor(readonly doc: StackDocument) {
    this.stack = doc.name;
    // Resources before data sources, as before: evaluation order follows `all`.
    const { blocks, variables } = readConfig(doc.json);
    for (const v of variables) this.variables.set(v.name, v.body);
    this.add(blocks.filter((b) => b.mode === 'managed'));
    this.add(blocks.filter((b) => b.mode === 'data'));
    for (const r of this.all) this.scan(r, r.attrs, []);
  }

  readonly stack: string;

  private add(blocks: readonly DeclaredBlock[]): void {
    for (const block of blocks) {
      const { type, name, body: raw } = block;
      const isData = block.mode === 'data';
      const meta = isObj(raw['//']) ? raw['//'] : {};
      const metadata = isObj(meta.metadata) ? meta.metadata : {};
      const address = isData ? `data.${type}.${name}` : `${type}.${name}`;
      const r = new Resource(
        type,
        name,
        normaliseAttributes(type, raw),
        this,
        typeof metadata.path === 'string' ? metadata.path : '(unknown)',
        meta.waivers,
        this.doc.lines.get(address) ?? 1,
        isData,
      );
      this.all.push(r);
      this.byAddress.set(r.address, r);
      if (!isData) {
        const list = this.byType.get(type) ?? [];
        list.push(r);
        this.byType.set(type, list);
      }
    }
  }

  /** Walks every string once and records the references it makes. */
  private scan(from: Resource, value: unknown, path: string[]): void {
    if (typeof value === 'string') {
      if (!value.includes('${')) return;
      const pure = parsePureReference(value);
      const found = pure
        ? [pure]
        : [...value.matchAll(EMBEDDED_REF)].map((m) => ({
            address: `${m[1]}.${m[2]}`,
            attribute: m[3]
              .replace(/\[\d+\]/g, '')
              .split('.')
              .filter(Boolean)
              .join('.'),
          }));
      for (const ref of found) {
        const to = this.byAddress.get(ref.address);
        if (!to || to === from) continue;
        const edge: Reference = {
          from,
          fromAttribute: path.join('.'),
          to,
          toAttribute: ref.attribute,
          pure: pure !== undefined,
        };
        this.push(this.inbound, to.address, edge);
        this.push(this.outbound, from.address, edge);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) this.scan(from, item, path);
    } else if (isObj(value)) {
      for (const key of Object.keys(value)) this.scan(from, value[key], [...path, key]);
    }
  }

  private push(map: Map<string, Reference[]>, key: string, edge: Reference): void {
    const list = map.get(key);
    if (list) list.push(edge);
    else map.set(key, [edge]);
  }

  resources(type: string): readonly Resource[] {
    return this.byType.get(type) ?? [];
  }

  lookup(address: string): Resource | undefined {
    return this.byAddress.get(address);
  }

  referrers(
    target: Resource,
    filter?: { readonly types?: readonly string[]; readonly attribute?: string },
  ): readonly Reference[] {
    const edges = this.inbound.get(target.address) ?? [];
    if (!filter) return edges;
    return edges.filter(
      (e) =>
        (!filter.types || filter.types.includes(e.from.type)) &&
        (filter.attribute === undefined || e.fromAttribute === filter.attribute),
    );
  }

  references(from: Resource, attribute?: string): readonly Reference[] {
    const edges = this.outbound.get(from.address) ?? [];
    return attribute === undefined ? edges : edges.filter((e) => e.fromAttribute === attribute);
  }

  variable(name: string): Readonly<Obj> | undefined {
    return this.variables.get(name);
  }

  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }
}
