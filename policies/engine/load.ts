/**
 * Loading synthesized Terraform JSON: every `cdk.tf.json` under a cdktf output directory, or
 * one file. Records the line of each resource so SARIF can point into the file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigShapeError, readConfig } from './config';

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
}

/**
 * Lines of the resource and data source keys, found with a small scanner rather than a
 * second parse: the key of a name two labels under a top-level `resource`/`data`, with any
 * level written as an array of objects (`"resource": [ { "t": { "n": {…} } } ]`).
 */
export function resourceLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const frames: Frame[] = [];
  let line = 1;
  let lastString = '';
  let lastStringLine = 1;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) line++;
    else if (c === 34 /* " */) {
      let j = i + 1;
      let s = '';
      let start = j;
      while (j < text.length && text.charCodeAt(j) !== 34) {
        if (text.charCodeAt(j) === 92 /* \ */) {
          s += text.slice(start, j) + text[j + 1];
          j += 2;
          start = j;
        } else j++;
      }
      lastString = s + text.slice(start, j);
      lastStringLine = line;
      i = j;
    } else if (c === 58 /* : */) {
      pendingKey = lastString;
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
      frames.push({ array: c === 91, key: parent?.array ? undefined : pendingKey });
      pendingKey = undefined;
    } else if (c === 125 /* } */ || c === 93 /* ] */) frames.pop();
    else if (c === 44 /* , */) pendingKey = undefined;
  }
  return lines;
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
  return { name, file: shown, json, lines: resourceLines(text) };
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
