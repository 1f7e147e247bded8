/**
 * Every ```ts / ```typescript block of every README.md compiles as written (STYLE.md rule 13).
 * Each block becomes one file under .cache/readme-examples/ (a module: its context is declared in
 * the block itself), and one TypeScript program type-checks them all:
 * - `iot-streaming-platform` (and `/policies`, `/<construct folder>`) maps to this repository's
 *   sources, so the construct and policy READMEs import what an app team imports;
 * - a relative import resolves from the README's own folder (`rootDirs`), as from a file beside it;
 * - ES modules with top-level await, strict, Node types.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const out = join(root, '.cache', 'readme-examples');
const SKIP = new Set(['node_modules', '.git', '.cache', 'dist', 'cdktf.out', 'coverage', '.gen']);

interface Block {
  readme: string; // relative to the repository
  line: number; // of the block's first code line in the README
  code: string;
  file: string; // the generated .ts file
}

/** Lines the generated file puts before the block's code. */
const HEADER_LINES = 1;

function readmes(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = join(dir, e.name);
    if (e.isDirectory()) return readmes(p);
    return e.name === 'README.md' ? [p] : [];
  });
}

/** The ```ts and ```typescript blocks of a Markdown text, with the line their code starts on. */
function extractBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

function generate(readme: string, index: number, code: string): string {
  const rel = relative(root, readme);
  const file = join(out, dirname(rel), `README.md.${index + 1}.ts`);
  mkdirSync(dirname(file), { recursive: true });
  // `export {}` keeps a block without imports a module, so blocks never share a global scope.
  writeFileSync(file, `// ${rel.split(sep).join('/')}\n${code}\nexport {};\n`);
  return file;
}

/** Blocks that must NOT compile: the harness catches what the issue found in the READMEs. */
const BROKEN = {
  undeclared:
    "import { KeyVault } from 'iot-streaming-platform';\nnew KeyVault(stack, 'Kv', props);",
  topLevelThis:
    "import { Network } from 'iot-streaming-platform/network';\nexport const n: Network = this.network;",
};

let blocks: Block[];
let diagnostics: Map<string, { line: number; text: string }[]>;

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  blocks = readmes(root)
    .sort()
    .flatMap((readme) =>
      extractBlocks(readFileSync(readme, 'utf8')).map((b, i) => ({
        readme: relative(root, readme).split(sep).join('/'),
        line: b.line,
        code: b.code,
        file: generate(readme, i, b.code),
      })),
    );
  const broken = Object.entries(BROKEN).map(([name, code]) =>
    generate(join(root, 'test', 'broken', name, 'README.md'), 0, code),
  );
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    rootDirs: [root, out],
    paths: {
      'iot-streaming-platform': [join(root, 'constructs', 'index.ts')],
      'iot-streaming-platform/policies': [join(root, 'policies', 'index.ts')],
      'iot-streaming-platform/*': [join(root, 'constructs', '*', 'index.ts')],
    },
  };
  const program = ts.createProgram([...blocks.map((b) => b.file), ...broken], options);
  diagnostics = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || !d.file.fileName.startsWith(out)) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const list = diagnostics.get(d.file.fileName) ?? [];
    list.push({ line: line + 1 - HEADER_LINES, text: `TS${d.code} ${text}` });
    diagnostics.set(d.file.fileName, list);
  }
}, 300_000);

describe('README examples', () => {
  it('finds the blocks of every README, the construct READMEs included', () => {
    const readmesWithBlocks = new Set(blocks.map((b) => b.readme));
    expect(readmesWithBlocks).toContain('README.md');
    expect(readmesWithBlocks).toContain('constructs/key-vault/README.md');
    expect(readmesWithBlocks).toContain('policies/README.md');
    expect(blocks.length).toBeGreaterThan(20);
  });

  it('reports an undeclared name and a top-level `this` (what the issue found)', () => {
    const of = (name: string) =>
      (diagnostics.get(join(out, 'test', 'broken', name, 'README.md.1.ts')) ?? [])
        .map((d) => d.text)
        .join('\n');
    expect(of('undeclared')).toMatch(/Cannot find name 'stack'/);
    expect(of('topLevelThis')).toMatch(/TS2532|TS7041|'this'/);
  });

  it('compiles every ts block as written', () => {
    const failures = blocks
      .filter((b) => diagnostics.has(b.file))
      .flatMap((b) =>
        diagnostics.get(b.file)!.map((d) => `${b.readme}:${b.line + d.line - 1}: ${d.text}`),
      );
    expect(failures).toEqual([]);
  });
});
