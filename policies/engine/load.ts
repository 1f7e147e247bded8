/**
 * Loading synthesized Terraform JSON: every `cdk.tf.json` under a cdktf output directory, or
 * one file. Records the line of each resource so SARIF can point into the file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** One synthesized stack as read from disk. */
export interface StackDocument {
  /** Stack name: `//`.metadata.stackName, else the folder name. */
  readonly name: string;
  /** File path relative to the working directory, posix separators. */
  readonly file: string;
  readonly json: Record<string, unknown>;
  /** `type.name` (and `data.type.name`) → 1-based line of its key. */
  readonly lines: ReadonlyMap<string, number>;
}

/** Raised for a path that holds no Terraform JSON or JSON that does not parse. */
export class PolicyLoadError extends Error {}

/**
 * Lines of the resource and data source keys, found with a small scanner rather than a
 * second parse: the key `"name": {` three levels under `resource`/`data`.
 */
export function resourceLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: string[] = [];
  let line = 1;
  let lastString = '';
  let lastStringLine = 1;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') {
          s += text[j + 1];
          j += 2;
        } else s += text[j++];
      }
      lastString = s;
      lastStringLine = line;
      i = j;
    } else if (c === ':') {
      pendingKey = lastString;
      if (stack.length === 3 && (stack[1] === 'resource' || stack[1] === 'data')) {
        const address = `${stack[1] === 'data' ? 'data.' : ''}${stack[2]}.${pendingKey}`;
        if (!lines.has(address)) lines.set(address, lastStringLine);
      }
    } else if (c === '{' || c === '[') {
      stack.push(pendingKey ?? '');
      pendingKey = undefined;
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') pendingKey = undefined;
  }
  return lines;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function readDocument(file: string): StackDocument {
  let text: string;
  let json: Record<string, unknown>;
  try {
    text = readFileSync(file, 'utf8');
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new PolicyLoadError(`cannot read terraform json ${file}: ${(e as Error).message}`);
  }
  const meta = (json['//'] as { metadata?: { stackName?: string } } | undefined)?.metadata;
  const name = meta?.stackName ?? basename(dirname(file));
  const rel = relative(process.cwd(), file);
  return {
    name,
    file: toPosix(rel.startsWith('..') ? file : rel),
    json,
    lines: resourceLines(text),
  };
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

/**
 * Loads a cdktf output directory (`cdktf.out`, every `stacks/<name>/cdk.tf.json`), any folder
 * holding `cdk.tf.json` files up to three levels down, or one JSON file. Sorted by stack name.
 */
export function loadStacks(target: string): StackDocument[] {
  if (!existsSync(target)) throw new PolicyLoadError(`no such file or directory: ${target}`);
  const files = statSync(target).isFile() ? [target] : findFiles(target, 3);
  if (files.length === 0) throw new PolicyLoadError(`no cdk.tf.json under ${target}`);
  const docs = files.map(readDocument);
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.name))
      throw new PolicyLoadError(`two stacks are named ${d.name} under ${target}`);
    seen.add(d.name);
  }
  return docs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
