/**
 * Reading attribute values safely. Every read returns a `Val`: known, absent, or unknown
 * (variables, expressions, computed attributes, unresolvable references). Rules turn unknown
 * into the UNKNOWN outcome, so nothing that cannot be known is ever reported as PASS.
 */
import { describeJson } from './config';
import type { WaiverRecord } from './types';

/** A value read from the configuration. */
export type Val<T = unknown> =
  | { readonly state: 'known'; readonly value: T }
  | { readonly state: 'absent' }
  | {
      readonly state: 'unknown';
      readonly reason: string;
      /** The expression text, when the value is one (`${azurerm_x.y.id}`). */
      readonly expression?: string;
    };

/** Shorthands for building values. */
export const known = <T>(value: T): Val<T> => ({ state: 'known', value });
export const ABSENT: Val<never> = { state: 'absent' };
export const unknownVal = (
  reason: string,
  expression?: string,
): { readonly state: 'unknown'; readonly reason: string; readonly expression?: string } =>
  expression === undefined
    ? { state: 'unknown', reason }
    : { state: 'unknown', reason, expression };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True when a string holds a Terraform expression (`${…}`) or template directive (`%{…}`);
 * `$${` and `%%{` are escaped literals, not expressions.
 */
export function isExpression(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  if (!v.includes('${') && !v.includes('%{')) return false;
  return /(^|[^$])\$\{|(^|[^%])%\{/.test(v);
}

const PURE_REF =
  /^\$\{((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)\}$/;

/** Finds a resource by address and reads its attributes: what resolution needs from the graph. */
export interface Resolver {
  lookup(address: string): Resource | undefined;
}

/** Parses `${type.name.a[0].b}` into target address and attribute path (`a.b`), if it is one. */
export function parsePureReference(s: string): { address: string; attribute: string } | undefined {
  const m = PURE_REF.exec(s);
  if (!m) return undefined;
  const attribute = m[2]
    .replace(/\[\d+\]/g, '')
    .split('.')
    .filter(Boolean)
    .join('.');
  return { address: m[1], attribute };
}

/**
 * A view over a block of attributes (a resource, or a nested block such as one container).
 * Paths are dot-separated; a block written as a one-element list is read like an object.
 */
export class Node {
  constructor(
    /** The attributes of this block, after normalisation. */
    readonly attrs: Readonly<Obj>,
    protected readonly resolver: Resolver,
    /** Dot path of this block inside its resource (empty for the resource itself). */
    readonly basePath: string,
    private readonly depth = 0,
  ) {}

  /** Full attribute path of `path` inside the resource, for messages. */
  pathOf(path: string): string {
    return this.basePath ? `${this.basePath}.${path}` : path;
  }

  /** The raw value at `path`, with references to literal attributes of other resources resolved. */
  get(path: string): Val {
    let current: unknown = this.attrs;
    const keys = path.split('.');
    for (let i = 0; i < keys.length; i++) {
      if (isExpression(current)) {
        return unknownVal(`${this.pathOf(keys.slice(0, i).join('.'))} is an expression`);
      }
      if (Array.isArray(current)) {
        if (current.length === 0) return ABSENT;
        if (current.length > 1) {
          return unknownVal(`${this.pathOf(keys.slice(0, i).join('.'))} has several blocks`);
        }
        current = current[0];
      }
      if (!isObj(current)) {
        if (i === 0 || current === undefined || current === null) return ABSENT;
        // A scalar where a block was expected: not "absent", which rules may read as a default.
        return unknownVal(
          `${this.pathOf(keys.slice(0, i).join('.'))} is ${describeJson(current)}, expected a block`,
        );
      }
      current = current[keys[i]];
      if (current === undefined || current === null) return ABSENT;
    }
    if (isExpression(current)) return this.resolve(current);
    return known(current);
  }

  /** Resolves an expression string: a pure reference to a literal attribute is known, the rest unknown. */
  private resolve(expr: string): Val {
    const ref = parsePureReference(expr);
    if (!ref) return unknownVal(`${expr} is an expression`, expr);
    const target = this.resolver.lookup(ref.address);
    if (!target) return unknownVal(`${expr} refers to nothing in this stack`, expr);
    if (this.depth > 8) return unknownVal(`${expr} is a reference chain too deep to follow`, expr);
    const v = new Node(target.attrs, this.resolver, '', this.depth + 1).get(ref.attribute);
    if (v.state === 'known') return v;
    return unknownVal(`${expr} is computed at apply time`, expr);
  }

  /** A boolean; "true"/"false" strings count as booleans. */
  bool(path: string): Val<boolean> {
    const v = this.get(path);
    if (v.state !== 'known') return v;
    if (typeof v.value === 'boolean') return known(v.value);
    if (v.value === 'true' || v.value === 'false') return known(v.value === 'true');
    return unknownVal(`${this.pathOf(path)} is not a boolean (${JSON.stringify(v.value)})`);
  }

  /** A number; numeric strings count as numbers. */
  num(path: string): Val<number> {
    const v = this.get(path);
    if (v.state !== 'known') return v;
    if (typeof v.value === 'number') return known(v.value);
    if (typeof v.value === 'string' && v.value.trim() !== '' && !isNaN(Number(v.value))) {
      return known(Number(v.value));
    }
    return unknownVal(`${this.pathOf(path)} is not a number (${JSON.stringify(v.value)})`);
  }

  /** A string; numbers and booleans are turned into their string form. */
  str(path: string): Val<string> {
    const v = this.get(path);
    if (v.state !== 'known') return v;
    if (typeof v.value === 'string') return known(v.value);
    if (typeof v.value === 'number' || typeof v.value === 'boolean') return known(String(v.value));
    return unknownVal(`${this.pathOf(path)} is not a string`);
  }

  /**
   * A list of scalars (strings). Unknown when the list itself is an expression or any element
   * is an unresolvable expression.
   */
  list(path: string): Val<string[]> {
    const v = this.get(path);
    if (v.state !== 'known') return v;
    const items = Array.isArray(v.value) ? v.value : [v.value];
    const out: string[] = [];
    for (const item of items) {
      if (isExpression(item)) {
        const r = this.resolve(item);
        if (r.state !== 'known') return r as Val<never>;
        out.push(String(r.value));
      } else out.push(String(item));
    }
    return known(out);
  }

  /** Nested blocks at `path` as nodes; absent blocks are an empty list. */
  blocks(
    path: string,
  ):
    | { readonly state: 'known'; readonly value: Node[] }
    | { readonly state: 'unknown'; readonly reason: string } {
    const keys = path.split('.');
    let current: Obj[] = [this.attrs as Obj];
    let walked = this.basePath;
    for (const key of keys) {
      const next: Obj[] = [];
      for (const o of current) {
        const v = o[key];
        if (v === undefined || v === null) continue;
        if (isExpression(v))
          return unknownVal(`${this.pathOf(path)} is an expression (dynamic block)`);
        if (Array.isArray(v)) {
          for (const item of v) {
            if (isExpression(item)) return unknownVal(`${this.pathOf(path)} holds an expression`);
            if (!isObj(item)) {
              return unknownVal(
                `${this.pathOf(path)} holds ${describeJson(item)} where a block is expected`,
              );
            }
            next.push(item);
          }
        } else if (isObj(v)) next.push(v);
        else return unknownVal(`${this.pathOf(path)} is ${describeJson(v)}, expected a block`);
      }
      current = next;
      walked = walked ? `${walked}.${key}` : key;
    }
    return {
      state: 'known',
      value: current.map((o, i) => new Node(o, this.resolver, `${walked}[${i}]`, this.depth)),
    };
  }

  /** True when an attribute is written at all (even as an expression). */
  has(path: string): boolean {
    return this.get(path).state !== 'absent';
  }
}

/** A resource of the synthesized configuration. */
export class Resource extends Node {
  /** Terraform address: `type.name` (`data.type.name` for data sources). */
  readonly address: string;

  constructor(
    readonly type: string,
    readonly name: string,
    attrs: Obj,
    resolver: Resolver,
    /** cdktf construct path (`dev/platform/KeyVault/Resource`), `(unknown)` when absent. */
    readonly constructPath: string,
    /** Waivers exactly as found in `//`.waivers (validated by the engine). */
    readonly rawWaivers: unknown,
    /** 1-based line of the resource key in its file. */
    readonly line: number,
    readonly isData = false,
  ) {
    super(attrs, resolver, '');
    this.address = isData ? `data.${type}.${name}` : `${type}.${name}`;
  }
}

/** A reference from one resource's attribute to another resource. */
export interface Reference {
  readonly from: Resource;
  /** Attribute path in `from` holding the reference, list indices dropped (`spec.template.spec.container.image`). */
  readonly fromAttribute: string;
  readonly to: Resource;
  /** Attribute of `to` that is referenced (`id`, `metadata.name`). */
  readonly toAttribute: string;
  /** True when the attribute value is exactly the reference (not part of a larger expression). */
  readonly pure: boolean;
}

/** Cross-resource queries available to every rule. Indexes are built once per stack. */
export interface RuleContext {
  readonly stack: string;
  /** Every resource of a type (resources, not data sources). */
  resources(type: string): readonly Resource[];
  /** A resource or data source by address. */
  lookup(address: string): Resource | undefined;
  /** References pointing at `target`, optionally only from some types / one attribute. */
  referrers(
    target: Resource,
    filter?: { readonly types?: readonly string[]; readonly attribute?: string },
  ): readonly Reference[];
  /** References made by `from`, optionally from one attribute only. */
  references(from: Resource, attribute?: string): readonly Reference[];
  /**
   * The body of input variable `name` as declared in this stack (`type`, `default`,
   * `validation`), or undefined when the stack declares none by that name.
   */
  variable(name: string): Readonly<Record<string, unknown>> | undefined;
  /** Per-stack cache for derived indexes a rule needs (computed once, not per resource). */
  memo<T>(key: string, compute: () => T): T;
}

/** Parses `//`.waivers into records; anything malformed is reported by the engine. */
export type RawWaiver = Partial<WaiverRecord> & Record<string, unknown>;
