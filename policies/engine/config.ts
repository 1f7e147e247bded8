/**
 * The shapes of Terraform JSON configuration, read strictly. HCL's JSON syntax lets a block
 * type, every label level and a block body be written either as an object or as an array of
 * objects (`"resource": [ {...} ]`, `"resource": {"t": [ {...} ]}`, `"t": {"n": [ {...} ]}`),
 * and the root may be an object or an array of objects. Every such form is flattened here into
 * one list of declared blocks; anything else is a {@link ConfigShapeError} naming the JSON path,
 * what was expected there and what was found, so the gate never reads "0 resources" off input
 * it did not understand.
 *
 * Checked against Terraform 1.11.4 (`terraform validate` / `plan`), see docs/policies.md.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Raised for JSON that is not a Terraform configuration; the message starts with a JSON path. */
export class ConfigShapeError extends Error {
  constructor(
    /** JSON path of the offending value, `$.resource.azurerm_storage_account.sa`. */
    readonly path: string,
    /** What was expected and what was found. */
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A `resource` or `data` block as declared, with where it was found. */
export interface DeclaredBlock {
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** The block body (attributes and nested blocks), exactly as written. */
  readonly body: Obj;
  /** JSON path of the body, for messages. */
  readonly path: string;
}

/** A `variable` block as declared. */
export interface DeclaredVariable {
  readonly name: string;
  /** The block body (`type`, `default`, `validation`, …), exactly as written. */
  readonly body: Obj;
}

/** A configuration flattened from any of its JSON shapes. */
export interface TerraformConfig {
  /** Managed resources and data sources, in document order; addresses are unique. */
  readonly blocks: readonly DeclaredBlock[];
  /** Input variables, in document order (rules read their validation blocks). */
  readonly variables: readonly DeclaredVariable[];
}

/** Top-level block types and how many labels each takes (Terraform 1.11). */
const BLOCK_LABELS: Readonly<Record<string, number>> = {
  terraform: 0,
  locals: 0,
  moved: 0,
  import: 0,
  removed: 0,
  provider: 1,
  variable: 1,
  output: 1,
  module: 1,
  check: 1,
  resource: 2,
  data: 2,
  ephemeral: 2,
};

const LABEL_NAMES: Readonly<Record<number, string>> = { 0: 'type', 1: 'name' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends a property to a JSON path (`$.a`, `$["a b"]`). */
export function jsonPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** `a string`, `null`, `an empty array`, … for messages. */
export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return Object.keys(v as Obj).length === 0 ? 'an empty object' : 'an object';
    default:
      return typeof v;
  }
}

/**
 * The objects a value stands for when an object or an array of objects is allowed: the object
 * itself, or each element (each must be an object) with its path.
 */
function objects(value: unknown, path: string, what: string): { o: Obj; path: string }[] {
  if (isObj(value)) return [{ o: value, path }];
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const p = jsonPath(path, i);
      if (!isObj(item)) {
        throw new ConfigShapeError(p, `expected ${what} (an object), got ${describeJson(item)}`);
      }
      return { o: item, path: p };
    });
  }
  throw new ConfigShapeError(
    path,
    `expected ${what}: an object or an array of objects, got ${describeJson(value)}`,
  );
}

/**
 * Walks `labels` levels of a labelled block type and returns every body with its labels.
 * Terraform rejects a label level with no property ("Missing block label"); so does this.
 */
function labelled(
  value: unknown,
  path: string,
  labels: number,
  blockType: string,
  level = 0,
  found: string[] = [],
): { labels: string[]; body: unknown; path: string }[] {
  if (level === labels) return [{ labels: found, body: value, path }];
  const labelName = labels === 2 ? LABEL_NAMES[level] : 'name';
  const out: { labels: string[]; body: unknown; path: string }[] = [];
  const parts = objects(value, path, `${blockType} blocks keyed by ${labelName}`);
  let keys = 0;
  for (const { o, path: p } of parts) {
    for (const key of Object.keys(o)) {
      keys++;
      out.push(
        ...labelled(o[key], jsonPath(p, key), labels, blockType, level + 1, [...found, key]),
      );
    }
  }
  if (keys === 0) {
    throw new ConfigShapeError(
      path,
      `expected at least one ${blockType} ${labelName} as a property, got ${describeJson(value)}`,
    );
  }
  return out;
}

/**
 * The bodies of one labelled block: an object, or a non-empty array of objects. Terraform reads
 * `null` and `[]` as "no block at all"; the gate rejects them, since a generator writing them
 * has almost certainly lost a resource it meant to declare.
 */
function bodies(value: unknown, path: string, what: string): { o: Obj; path: string }[] {
  if (value === null || (Array.isArray(value) && value.length === 0)) {
    throw new ConfigShapeError(
      path,
      `expected ${what}: an object or an array of objects, got ${describeJson(value)} (Terraform would silently declare nothing here)`,
    );
  }
  return objects(value, path, what);
}

const cache = new WeakMap<object, TerraformConfig>();

/**
 * Reads a parsed `*.tf.json` document in any shape Terraform accepts and returns its resource
 * and data blocks. Throws {@link ConfigShapeError} for anything else: a root that is not an
 * object or an array of objects, an unknown top-level key, a block type, label level or body
 * of the wrong type, `null` or `[]` where a block body is expected, or an address declared twice.
 */
export function readConfig(json: unknown): TerraformConfig {
  if (typeof json === 'object' && json !== null) {
    const hit = cache.get(json);
    if (hit) return hit;
  }
  const roots = objects(json, '$', 'a Terraform configuration');
  const blocks: DeclaredBlock[] = [];
  const variables: DeclaredVariable[] = [];
  const seen = new Map<string, string>();
  for (const { o: root, path: rootPath } of roots) {
    for (const key of Object.keys(root)) {
      const path = jsonPath(rootPath, key);
      if (key === '//') continue;
      const labels = BLOCK_LABELS[key];
      if (labels === undefined) {
        throw new ConfigShapeError(
          path,
          `expected a top-level block type (${Object.keys(BLOCK_LABELS).join(', ')} or "//"), got ${JSON.stringify(key)}`,
        );
      }
      if (labels === 0) {
        bodies(root[key], path, `a ${key} block`);
        continue;
      }
      for (const entry of labelled(root[key], path, labels, key)) {
        const what = `the body of ${key} ${entry.labels.map((l) => JSON.stringify(l)).join(' ')}`;
        const found = bodies(entry.body, entry.path, what);
        if (key === 'variable') {
          for (const b of found) variables.push({ name: entry.labels[0], body: b.o });
        }
        if (key !== 'resource' && key !== 'data') continue;
        const [type, name] = entry.labels;
        const address = key === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        for (const b of found) {
          const first = seen.get(address);
          if (first !== undefined) {
            throw new ConfigShapeError(
              b.path,
              `${address} is declared twice (first at ${first}); Terraform rejects duplicate blocks`,
            );
          }
          seen.set(address, b.path);
          blocks.push({
            mode: key === 'data' ? 'data' : 'managed',
            type,
            name,
            body: b.o,
            path: b.path,
          });
        }
      }
    }
  }
  const config = { blocks, variables };
  if (typeof json === 'object' && json !== null) cache.set(json, config);
  return config;
}
