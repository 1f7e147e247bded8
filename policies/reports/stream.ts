/**
 * Reports for large stacks are written as a stream of chunks, never as one string: a stack of
 * 20,000 resources yields about 100,000 findings and 200 MB of reports, and holding each
 * report (and its object tree) whole doubled the CLI's peak memory. `prettyJson` prints
 * exactly what `JSON.stringify(value, null, 2)` prints, but expands {@link LazyArray}s one
 * element at a time.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** An array whose elements are built only when printed; the elements are plain JSON values. */
export class LazyArray<T = unknown> {
  constructor(
    readonly length: number,
    readonly at: (i: number) => T,
  ) {}

  /** A lazy view of `items` mapped through `map`. */
  static of<S, T>(items: readonly S[], map: (item: S, i: number) => T): LazyArray<T> {
    return new LazyArray(items.length, (i) => map(items[i], i));
  }
}

function hasLazy(v: unknown): boolean {
  if (v instanceof LazyArray) return true;
  if (Array.isArray(v)) return v.some(hasLazy);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(hasLazy);
  return false;
}

function indented(s: string, indent: string): string {
  return indent === '' ? s : s.split('\n').join(`\n${indent}`);
}

/** Elements of a lazy array printed per JSON.stringify call. */
const BATCH = 64;

/**
 * The elements of a plain lazy array, printed in batches: a batch wrapped in as many arrays as
 * the indent is deep comes out of JSON.stringify already indented, so the wrapper's first and
 * last lines are cut off instead of re-indenting every element's text.
 */
function* plainItems(
  length: number,
  at: (i: number) => unknown,
  indent: string,
): Generator<string> {
  const depth = indent.length / 2;
  for (let start = 0; start < length; start += BATCH) {
    let batch: unknown = Array.from({ length: Math.min(BATCH, length - start) }, (_, i) =>
      at(start + i),
    );
    for (let d = 0; d < depth; d++) batch = [batch];
    const text = JSON.stringify(batch, null, 2);
    let from = 0;
    for (let d = 0; d <= depth; d++) from = text.indexOf('\n', from) + 1;
    let to = text.length;
    for (let d = 0; d <= depth; d++) to = text.lastIndexOf('\n', to - 1);
    yield text.slice(from, to);
    yield start + BATCH < length ? ',\n' : '\n';
  }
}

function* items(
  length: number,
  at: (i: number) => unknown,
  indent: string,
  plain: boolean,
): Generator<string> {
  if (length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  if (plain) {
    yield '[\n';
    yield* plainItems(length, at, indent);
    yield `${indent}]`;
    return;
  }
  yield '[\n';
  for (let i = 0; i < length; i++) {
    const v = at(i);
    yield inner;
    // JSON.stringify prints undefined, functions and symbols in arrays as null.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') yield 'null';
    else yield* prettyJson(v, inner);
    yield i < length - 1 ? ',\n' : '\n';
  }
  yield `${indent}]`;
}

/** The chunks of `JSON.stringify(value, null, 2)`, with lazy arrays expanded as they print. */
export function* prettyJson(value: unknown, indent = ''): Generator<string> {
  if (value instanceof LazyArray) {
    yield* items(value.length, value.at, indent, true);
    return;
  }
  if (!hasLazy(value)) {
    yield indented(JSON.stringify(value, null, 2), indent);
    return;
  }
  if (Array.isArray(value)) {
    yield* items(value.length, (i) => value[i], indent, false);
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol',
  );
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  const inner = `${indent}  `;
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    yield `${inner}${JSON.stringify(k)}: `;
    yield* prettyJson(v, inner);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** Writes chunks to a file through a 1 MB buffer. */
export function writeChunks(file: string, chunks: Iterable<string>): void {
  const fd = openSync(file, 'w');
  try {
    let buffer = '';
    for (const c of chunks) {
      buffer += c;
      if (buffer.length >= 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer) writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
