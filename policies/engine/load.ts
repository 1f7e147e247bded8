/**
 * Loading synthesized Terraform JSON: every `cdk.tf.json` under a cdktf output directory, or
 * one file. Records the line of each resource so SARIF can point into the file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigShapeError, jsonPath, readConfig } from './config';

/** One synthesized stack as read from disk. */
export interface StackDocument {
  /** Stack name: `//`.metadata.stackName, else the folder name. */
  readonly name: string;
  /** File path relative to the caller's working directory, posix separators. */
  readonly file: string;
  /** The parsed JSON: an object, or an array of objects (both are Terraform JSON). */
  readonly json: unknown;
  /** `type.name` (and `data.type.name`) → 1-based line of its key. */
  readonly lines: ReadonlyMap<string, number>;
}

/** Raised for a path that holds no Terraform JSON, JSON that does not parse, or a shape Terraform does not accept. */
export class PolicyLoadError extends Error {}

interface Frame {
  readonly array: boolean;
  /** Property this container is the value of; undefined for array elements and the root. */
  readonly key: string | undefined;
  /** Path segment for messages: the property, or the index in the parent array. */
  readonly segment: string | number | undefined;
  /** Index of the current element, in an array. */
  index: number;
  /** Keys seen so far, in an object. */
  readonly keys: Set<string> | undefined;
}

/** A key written twice in one object: JSON.parse keeps the last, HCL reads both. */
export interface DuplicateKey {
  /** JSON path of the object holding the key twice. */
  readonly path: string;
  readonly key: string;
  /** 1-based line of the second occurrence. */
  readonly line: number;
}

/** What one pass over the JSON text finds. */
export interface JsonScan {
  /** `type.name` (and `data.type.name`) → 1-based line of its key. */
  readonly lines: Map<string, number>;
  /** The first key written twice in one object, if any. */
  readonly duplicate?: DuplicateKey;
}

function framePath(frames: readonly Frame[]): string {
  let path = '$';
  for (const f of frames) if (f.segment !== undefined) path = jsonPath(path, f.segment);
  return path;
}

/**
 * One pass over the JSON text, rather than a second parse: the line of each resource and data
 * source key (the key of a name two labels under a top-level `resource`/`data`, with any level
 * written as an array of objects, `"resource": [ { "t": { "n": {…} } } ]`), and the first key
 * written twice in one object. Expects text that JSON.parse accepted.
 */
export function scanJson(text: string): JsonScan {
  const lines = new Map<string, number>();
  const frames: Frame[] = [];
  let duplicate: DuplicateKey | undefined;
  let line = 1;
  let lastString = '';
  let lastStringLine = 1;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) line++;
    else if (c === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && text.charCodeAt(j) !== 34) {
        if (text.charCodeAt(j) === 92 /* \ */) {
          escaped = true;
          j += 2;
        } else j++;
      }
      lastString = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
      lastStringLine = line;
      i = j;
    } else if (c === 58 /* : */) {
      pendingKey = lastString;
      const top = frames[frames.length - 1];
      if (top?.keys) {
        if (top.keys.has(pendingKey) && duplicate === undefined) {
          duplicate = { path: framePath(frames), key: pendingKey, line: lastStringLine };
        }
        top.keys.add(pendingKey);
      }
      // Only shallow keys can be labels: root, optional root array, section, and for each of
      // the three levels an optional array.
      if (frames.length <= 7) {
        const keys: string[] = [];
        for (const f of frames) if (f.key !== undefined) keys.push(f.key);
        if (keys.length === 2 && (keys[0] === 'resource' || keys[0] === 'data')) {
          const address = `${keys[0] === 'data' ? 'data.' : ''}${keys[1]}.${pendingKey}`;
          if (!lines.has(address)) lines.set(address, lastStringLine);
        }
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const parent = frames[frames.length - 1];
      frames.push({
        array: c === 91,
        key: parent?.array ? undefined : pendingKey,
        segment: parent?.array ? parent.index : pendingKey,
        index: 0,
        keys: c === 123 ? new Set() : undefined,
      });
      pendingKey = undefined;
    } else if (c === 125 /* } */ || c === 93 /* ] */) frames.pop();
    else if (c === 44 /* , */) {
      pendingKey = undefined;
      const top = frames[frames.length - 1];
      if (top?.array) top.index++;
    }
  }
  return duplicate ? { lines, duplicate } : { lines };
}

/** The line of each resource and data source key (see {@link scanJson}). */
export function resourceLines(text: string): Map<string, number> {
  return scanJson(text).lines;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/**
 * A path as reports show it: relative to `cwd`, posix separators (`../x` for a path outside
 * it). Only a path on another drive (Windows) has no relative form; it is shown from the
 * target's folder name down, never as an absolute path.
 */
export function displayPath(file: string, cwd: string, target: string): string {
  const rel = relative(cwd, file);
  if (!isAbsolute(rel)) return toPosix(rel);
  return toPosix(join(basename(target), relative(target, file)));
}

function readDocument(file: string, cwd: string, target: string): StackDocument {
  const shown = displayPath(file, cwd, target);
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(file, 'utf8');
    json = JSON.parse(text) as unknown;
  } catch (e) {
    throw new PolicyLoadError(`cannot read terraform json ${shown}: ${(e as Error).message}`);
  }
  const scan = scanJson(text);
  if (scan.duplicate) {
    const d = scan.duplicate;
    throw new PolicyLoadError(
      `${shown}:${d.line}: not a Terraform JSON configuration: ${d.path}: key ${JSON.stringify(d.key)} is written twice in one object (JSON readers keep only the last, Terraform reads both)`,
    );
  }
  try {
    readConfig(json);
  } catch (e) {
    if (e instanceof ConfigShapeError) {
      throw new PolicyLoadError(`${shown}: not a Terraform JSON configuration: ${e.message}`);
    }
    throw e;
  }
  const roots = Array.isArray(json) ? json : [json];
  const meta = roots
    .map((r) => (r as Record<string, unknown>)['//'])
    .map((m) =>
      typeof m === 'object' && m !== null ? (m as { metadata?: unknown }).metadata : undefined,
    )
    .find((m) => typeof m === 'object' && m !== null) as { stackName?: unknown } | undefined;
  const name = typeof meta?.stackName === 'string' ? meta.stackName : basename(dirname(file));
  return { name, file: shown, json, lines: scan.lines };
}

function findFiles(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isFile() && entry.name === 'cdk.tf.json') out.push(p);
    else if (entry.isDirectory() && depth > 0 && entry.name !== 'node_modules') {
      out.push(...findFiles(p, depth - 1));
    }
  }
  return out;
}

/** Options for {@link loadStacks}. */
export interface LoadOptions {
  /** Directory relative paths are resolved against and reported from. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Loads a cdktf output directory (`cdktf.out`, every `stacks/<name>/cdk.tf.json`), any folder
 * holding `cdk.tf.json` files up to three levels down, or one JSON file. Sorted by stack name.
 * Every file must be Terraform JSON in a shape Terraform accepts (see config.ts).
 */
export function loadStacks(target: string, options: LoadOptions = {}): StackDocument[] {
  const cwd = resolve(options.cwd ?? process.cwd());
  const abs = resolve(cwd, target);
  if (!existsSync(abs)) throw new PolicyLoadError(`no such file or directory: ${target}`);
  const files = statSync(abs).isFile() ? [abs] : findFiles(abs, 3);
  if (files.length === 0) throw new PolicyLoadError(`no cdk.tf.json under ${target}`);
  const docs = files.map((f) => readDocument(f, cwd, abs));
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.name))
      throw new PolicyLoadError(`two stacks are named ${d.name} under ${target}`);
    seen.add(d.name);
  }
  return docs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
