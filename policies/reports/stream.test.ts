import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LazyArray, prettyJson, writeChunks } from './stream';

const print = (v: unknown) => [...prettyJson(v)].join('');

describe('prettyJson', () => {
  it.each([
    ['a scalar', 'x'],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested values', { a: [1, { b: null, c: undefined, d: [] }], e: { f: 'g' } }],
  ])('prints %s exactly as JSON.stringify(v, null, 2)', (_, v) => {
    expect(print(v)).toBe(JSON.stringify(v, null, 2));
  });

  it('expands lazy arrays where they stand, element by element, with the same text', () => {
    const rows = [
      { a: 1, b: [2, 3] },
      { a: 4, b: [] },
    ];
    let built = 0;
    const lazy = {
      head: { x: 1, skip: undefined },
      rows: LazyArray.of(rows, (r) => {
        built++;
        return r;
      }),
      none: new LazyArray(0, () => 0),
      deep: [{ inner: LazyArray.of(rows, (r) => r.a) }],
    };
    const chunks = prettyJson(lazy);
    expect(built).toBe(0);
    expect([...chunks].join('')).toBe(
      JSON.stringify({ head: { x: 1 }, rows, none: [], deep: [{ inner: [1, 4] }] }, null, 2),
    );
    expect(built).toBe(2);
  });

  it('writes chunks to a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-stream-')), 'out.json');
    writeChunks(file, prettyJson({ rows: LazyArray.of(['a', 'b'], (s) => s) }));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ rows: ['a', 'b'] });
  });
});
