/**
 * Normalisation before judging: 3.x attribute names moved to their 4.x names (data in
 * aliases.ts). Blocks written as an object or a one-element list, and booleans/numbers written
 * as strings, are handled where values are read (resource.ts), so the raw shape stays intact
 * for reports.
 */
import { ATTRIBUTE_ALIASES } from './aliases';
import type { AttributeAlias } from './aliases';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Blocks reached by a dot path: every element of every list on the way. */
function blocksAt(root: Obj, path: readonly string[]): Obj[] {
  let current: Obj[] = [root];
  for (const key of path) {
    const next: Obj[] = [];
    for (const o of current) {
      const v = o[key];
      if (Array.isArray(v)) next.push(...v.filter(isObj));
      else if (isObj(v)) next.push(v);
    }
    current = next;
  }
  return current;
}

function invertValue(v: unknown): unknown {
  if (v === true || v === 'true') return false;
  if (v === false || v === 'false') return true;
  // An expression cannot be inverted here: make it visibly unknowable rather than wrong.
  return '${!(' + String(v) + ')}';
}

function applyAlias(attrs: Obj, alias: AttributeAlias): void {
  const from = alias.from.split('.');
  const to = alias.to.split('.');
  const sameParent = from.length === to.length && from.slice(0, -1).every((k, i) => k === to[i]);
  if (sameParent) {
    for (const block of blocksAt(attrs, from.slice(0, -1))) {
      const oldKey = from[from.length - 1];
      const newKey = to[to.length - 1];
      if (!(oldKey in block)) continue;
      // The 4.x name wins when both are written; the 3.x one is dropped either way.
      if (!(newKey in block)) {
        block[newKey] = alias.invert ? invertValue(block[oldKey]) : block[oldKey];
      }
      delete block[oldKey];
    }
    return;
  }
  const parents = blocksAt(attrs, from.slice(0, -1));
  const oldKey = from[from.length - 1];
  const holder = parents.find((p) => oldKey in p);
  if (!holder) return;
  const value = alias.invert ? invertValue(holder[oldKey]) : holder[oldKey];
  delete holder[oldKey];
  let target: Obj = attrs;
  for (const key of to.slice(0, -1)) {
    const existing = target[key];
    const block = Array.isArray(existing) ? existing.find(isObj) : existing;
    if (isObj(block)) target = block;
    else {
      const created: Obj = {};
      target[key] = created;
      target = created;
    }
  }
  const newKey = to[to.length - 1];
  if (!(newKey in target)) target[newKey] = value;
}

/**
 * Returns a copy of a resource's attributes with every known 3.x name moved to its 4.x name.
 * The `//` metadata key is removed (it is read separately).
 */
export function normaliseAttributes(type: string, raw: Obj): Obj {
  const aliases = [...(ATTRIBUTE_ALIASES[type] ?? []), ...(ATTRIBUTE_ALIASES['*'] ?? [])];
  const { '//': _meta, ...rest } = raw;
  if (aliases.length === 0) return rest;
  const attrs = structuredClone(rest);
  for (const alias of aliases) applyAlias(attrs, alias);
  return attrs;
}
