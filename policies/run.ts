/**
 * The command line, as a function: parse arguments, load stacks and packs, evaluate, print a
 * summary, write reports, and decide the exit code. `cli.ts` only calls it, so tests drive it
 * in process.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RuleSet, evaluateStacks } from './engine/evaluate';
import { loadStacks } from './engine/load';
import { definePack } from './engine/pack';
import type { Finding, Pack, Severity, StackResult } from './engine/types';
import { SEVERITIES, severityRank } from './engine/types';
import { FRAMEWORKS } from './frameworks';
import { azureIotPlatformPack } from './packs/azure-iot-platform';
import { jsonChunks } from './reports/json';
import { junitChunks } from './reports/junit';
import { markdownChunks } from './reports/markdown';
import { sarifChunks } from './reports/sarif';
import { writeChunks } from './reports/stream';
import { isIsoDate } from './waiver';

/** Exit codes: 0 gate passed, 1 unwaived failure at/above the threshold, 2 usage/waiver/load error. */
export const EXIT = { ok: 0, gate: 1, usage: 2 } as const;

/** Report formats and their file names under `<report-dir>/<stack>/`. */
export const REPORT_FILES = {
  json: 'report.json',
  md: 'report.md',
  sarif: 'report.sarif',
  junit: 'junit.xml',
} as const;

type Format = keyof typeof REPORT_FILES;

/** Parsed command line. */
export interface CliOptions {
  readonly target: string;
  /** Threshold for every stack without a per-stack one. */
  readonly failOn: Severity | 'none';
  /** Per-stack thresholds (`--fail-on 'iot-prod*=medium'`), the last matching pattern wins. */
  readonly failOnStacks: readonly StackThreshold[];
  readonly failOnUnknown: boolean;
  readonly packs: readonly string[];
  readonly noDefaultPack: boolean;
  readonly reportDir?: string;
  readonly formats: readonly Format[];
  readonly today?: string;
  readonly verbose: boolean;
  /** Print the rules of the loaded packs instead of evaluating. */
  readonly list: boolean;
}

/** A threshold for the stacks whose name matches `pattern` (`*` matches any characters). */
export interface StackThreshold {
  readonly pattern: string;
  readonly threshold: Severity | 'none';
}

/** Where output goes; tests capture it. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /**
   * Directory every path on the command line is resolved against, and report paths are shown
   * from. `cli.ts` passes `INIT_CWD ?? cwd` (npm runs scripts from the package root and keeps
   * the caller's folder in INIT_CWD). @default process.cwd()
   */
  readonly cwd?: string;
}

/**
 * Console output for the CLI: stdout lines go out in 64 KB blocks rather than one write each
 * (a large stack prints a line per failure), flushed before anything goes to stderr so the two
 * streams stay in order. Call `flush()` when done.
 */
export function consoleIo(cwd: string): CliIo & { readonly flush: () => void } {
  let pending = '';
  const flush = () => {
    if (pending) process.stdout.write(pending);
    pending = '';
  };
  return {
    out: (line) => {
      pending += `${line}\n`;
      if (pending.length >= 1 << 16) flush();
    },
    err: (line) => {
      flush();
      process.stderr.write(`${line}\n`);
    },
    cwd,
    flush,
  };
}

/** Default threshold: see "The gate" in docs/policies.md for why high and not medium. */
export const DEFAULT_FAIL_ON: Severity = 'high';

export const USAGE = `usage: npm run policy -- [dir|file] [options]
  dir|file              cdktf output dir (default cdktf.out) or one cdk.tf.json; paths are
                        relative to the folder you run from
  --fail-on <severity>  critical | high | medium | low | none (default high, see docs/policies.md)
  --fail-on <stack>=<severity>
                        threshold for the stacks matching a name pattern (* any characters),
                        e.g. 'iot-prod*=medium'; repeatable, the last match wins
  --fail-on-unknown     also fail on UNKNOWN findings at/above the threshold
  --pack <path>         add a pack module (repeatable); exports a Pack (default export or any)
  --no-default-pack     evaluate only the --pack packs
  --report-dir <dir>    write <dir>/<stack>/{report.json,report.md,report.sarif,junit.xml}
  --format <list>       formats to write: json,md,sarif,junit (default all)
  --today <YYYY-MM-DD>  day waivers are checked against (default today, UTC)
  --verbose             print every finding, passes included
  --list                print the rules of the packs (severity, types, framework controls)`;

class UsageError extends Error {}

/** Parses argv (without node and script). Throws a usage error with a message naming the problem. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let target: string | undefined;
  let failOn: Severity | 'none' = DEFAULT_FAIL_ON;
  const failOnStacks: StackThreshold[] = [];
  let failOnUnknown = false;
  const packs: string[] = [];
  let noDefaultPack = false;
  let reportDir: string | undefined;
  let formats: Format[] = ['json', 'md', 'sarif', 'junit'];
  let today: string | undefined;
  let verbose = false;
  let list = false;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--fail-on': {
        const v = value(i++, a);
        const eq = v.lastIndexOf('=');
        const pattern = eq >= 0 ? v.slice(0, eq) : undefined;
        const threshold = eq >= 0 ? v.slice(eq + 1) : v;
        if (threshold !== 'none' && !SEVERITIES.includes(threshold as Severity)) {
          throw new UsageError(
            `--fail-on ${v}: expected one of ${SEVERITIES.join(', ')}, none, or <stack>=<one of them>`,
          );
        }
        if (pattern === undefined) failOn = threshold as Severity | 'none';
        else if (!/^[A-Za-z0-9*_.-]+$/.test(pattern)) {
          throw new UsageError(
            `--fail-on ${v}: expected a stack name pattern (letters, digits, -_. and *) before =`,
          );
        } else failOnStacks.push({ pattern, threshold: threshold as Severity | 'none' });
        break;
      }
      case '--fail-on-unknown':
        failOnUnknown = true;
        break;
      case '--pack':
        packs.push(value(i++, a));
        break;
      case '--no-default-pack':
        noDefaultPack = true;
        break;
      case '--report-dir':
        reportDir = value(i++, a);
        break;
      case '--format': {
        const list = value(i++, a)
          .split(',')
          .map((s) => s.trim());
        const bad = list.filter((f) => !(f in REPORT_FILES));
        if (bad.length > 0) {
          throw new UsageError(`--format ${bad.join(',')}: expected json, md, sarif, junit`);
        }
        formats = list as Format[];
        break;
      }
      case '--today': {
        const v = value(i++, a);
        if (!isIsoDate(v)) throw new UsageError(`--today ${v}: expected YYYY-MM-DD`);
        today = v;
        break;
      }
      case '--verbose':
        verbose = true;
        break;
      case '--list':
        list = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (target !== undefined) throw new UsageError(`one target only, got ${target} and ${a}`);
        target = a;
    }
  }
  if (noDefaultPack && packs.length === 0)
    throw new UsageError('--no-default-pack needs at least one --pack');
  return {
    target: target ?? 'cdktf.out',
    failOn,
    failOnStacks,
    failOnUnknown,
    packs,
    noDefaultPack,
    reportDir,
    formats,
    today,
    verbose,
    list,
  };
}

function isPack(v: unknown): v is Pack {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as Pack).rules) &&
    typeof (v as Pack).id === 'string'
  );
}

/**
 * Lets the compiled CLI load a pack written in TypeScript: registers tsx's loader once, unless
 * the process already compiles TypeScript (run through tsx or ts-jest).
 */
function registerTypeScript(path: string): void {
  if (require.extensions['.ts']) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('tsx/cjs/api') as { register: () => void }).register();
  } catch {
    throw new UsageError(
      `${path} is TypeScript: install tsx (npm i -D tsx) to load it, or compile the pack to JavaScript`,
    );
  }
}

/**
 * Loads a pack module (path relative to `cwd`): `module.exports` when it is a pack, else its
 * default export, else every export that is a pack.
 */
export function loadPackModule(path: string, cwd: string = process.cwd()): Pack[] {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  if (/\.[cm]?ts$/.test(abs)) registerTypeScript(path);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(abs) as Record<string, unknown>;
  const candidates = isPack(mod)
    ? [mod]
    : isPack(mod.default)
      ? [mod.default]
      : Object.values(mod).filter(isPack);
  if (candidates.length === 0)
    throw new UsageError(`${path} exports no pack (an object with id and rules)`);
  return candidates.map((p) => definePack(p));
}

function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`).test(name);
}

/**
 * The threshold a stack is gated at: the last `--fail-on <pattern>=<severity>` its name matches
 * (so a later flag overrides an earlier one), else `--fail-on`.
 */
export function thresholdFor(stack: string, o: CliOptions): Severity | 'none' {
  for (let i = o.failOnStacks.length - 1; i >= 0; i--) {
    if (globMatches(o.failOnStacks[i].pattern, stack)) return o.failOnStacks[i].threshold;
  }
  return o.failOn;
}

function describeThreshold(o: CliOptions): string {
  return [o.failOn, ...o.failOnStacks.map((t) => `${t.threshold} for ${t.pattern}`)].join(', ');
}

function gated(f: Finding, o: CliOptions): boolean {
  const threshold = thresholdFor(f.stack, o);
  if (threshold === 'none') return false;
  const counts = f.outcome === 'FAIL' || (o.failOnUnknown && f.outcome === 'UNKNOWN');
  return counts && severityRank(f.severity) <= severityRank(threshold);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function printStack(r: StackResult, o: CliOptions, io: CliIo): void {
  const count = (outcome: string) => r.findings.filter((f) => f.outcome === outcome).length;
  io.out(
    `\n${r.stack} (${r.file}): ${r.resourceCount} resources, ${r.findings.length} findings — ` +
      `${count('FAIL')} fail, ${count('WAIVED')} waived, ${count('UNKNOWN')} unknown, ${count('PASS')} pass, ${count('NOT_APPLICABLE')} n/a`,
  );
  if (r.resourceCount === 0) io.out('  the configuration declares no resources: nothing to judge');
  const shown = r.findings
    .filter(
      (f) => o.verbose || f.outcome === 'FAIL' || f.outcome === 'UNKNOWN' || f.outcome === 'WAIVED',
    )
    .sort(
      (a, b) =>
        ['FAIL', 'UNKNOWN', 'WAIVED', 'PASS', 'NOT_APPLICABLE'].indexOf(a.outcome) -
          ['FAIL', 'UNKNOWN', 'WAIVED', 'PASS', 'NOT_APPLICABLE'].indexOf(b.outcome) ||
        severityRank(a.severity) - severityRank(b.severity) ||
        (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) ||
        (a.ruleId < b.ruleId ? -1 : 1),
    );
  for (const f of shown) {
    const mark = gated(f, o) ? '✗' : ' ';
    io.out(
      `${mark} ${pad(f.outcome, 8)} ${pad(f.severity, 8)} ${pad(f.ruleId, 50)} ${f.address}  [${f.constructPath}]`,
    );
    io.out(`             ${f.message}`);
  }
  for (const e of r.waiverErrors) {
    io.err(`waiver error: ${e.address} [${e.constructPath}] rule ${e.rule}: ${e.message}`);
  }
}

/** A path as printed: relative to `cwd`, posix separators. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return (isAbsolute(rel) ? path : rel || '.').split(sep).join('/');
}

function writeReports(
  results: readonly StackResult[],
  packs: readonly Pack[],
  o: CliOptions,
  io: CliIo,
  cwd: string,
): void {
  if (!o.reportDir) return;
  const root = resolve(cwd, o.reportDir);
  for (const r of results) {
    const dir = join(root, r.stack);
    mkdirSync(dir, { recursive: true });
    // Streamed: a report is never held whole in memory (see reports/stream.ts).
    const render: Record<Format, () => Iterable<string>> = {
      json: () => jsonChunks(r, packs),
      md: () => markdownChunks(r, packs),
      sarif: () => sarifChunks(r, packs),
      junit: () => junitChunks(r),
    };
    for (const f of o.formats) writeChunks(join(dir, REPORT_FILES[f]), render[f]());
    io.out(`reports: ${shown(dir, cwd)}/{${o.formats.map((f) => REPORT_FILES[f]).join(',')}}`);
  }
}

/**
 * The rules of the packs, one line each: severity, id, the resource types it judges, and its
 * framework control ids (`mcsb-v3:DP-8`). Most severe first, then by id.
 */
export function listRules(packs: readonly Pack[]): string[] {
  const out: string[] = [];
  for (const pack of packs) {
    out.push(`${pack.id}@${pack.version}: ${pack.title} (${pack.rules.length} rules)`);
    const rules = [...pack.rules].sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0),
    );
    for (const r of rules) {
      const controls = Object.entries(r.controls ?? {})
        .sort(
          ([x], [y]) =>
            FRAMEWORKS.findIndex((f) => f.id === x) - FRAMEWORKS.findIndex((f) => f.id === y),
        )
        .flatMap(([fw, ids]) => ids.map((id) => `${fw}:${id}`));
      out.push(
        `  ${pad(r.severity, 8)} ${pad(r.rule.id, 50)} ${r.rule.appliesTo.join(',')}` +
          `${r.unwaivable ? '  (unwaivable)' : ''}`,
      );
      out.push(`           ${r.title}${controls.length > 0 ? ` [${controls.join(' ')}]` : ''}`);
    }
  }
  return out;
}

/**
 * Runs the CLI and returns its exit code: 0 gate passed, 1 gate failed, 2 for usage errors,
 * input it cannot read, waiver errors, and any internal error (never a pass).
 */
export function runCli(
  argv: readonly string[],
  io: CliIo = { out: console.log, err: console.error },
): number {
  try {
    return run(argv, io);
  } catch (e) {
    io.err(`policy: internal error: ${(e as Error).stack ?? String(e)}`);
    return EXIT.usage;
  }
}

function run(argv: readonly string[], io: CliIo): number {
  const cwd = resolve(io.cwd ?? process.cwd());
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) io.err(`policy: ${e.message}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    throw e;
  }
  let results: StackResult[];
  let packs: Pack[];
  try {
    packs = [
      ...(o.noDefaultPack ? [] : [azureIotPlatformPack]),
      ...o.packs.flatMap((p) => loadPackModule(p, cwd)),
    ];
    if (o.list) {
      for (const line of listRules(packs)) io.out(line);
      return EXIT.ok;
    }
    const started = process.hrtime.bigint();
    results = evaluateStacks(loadStacks(o.target, { cwd }), new RuleSet(packs), {
      today: o.today,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const r of results) printStack(r, o, io);
    const rules = packs.reduce((n, p) => n + p.rules.length, 0);
    io.out(`\nevaluated ${results.length} stack(s), ${rules} rules in ${ms.toFixed(0)} ms`);
  } catch (e) {
    io.err(`policy: ${(e as Error).message}`);
    return EXIT.usage;
  }
  try {
    writeReports(results, packs, o, io, cwd);
  } catch (e) {
    io.err(`policy: cannot write the reports: ${(e as Error).message}`);
    return EXIT.usage;
  }
  const waiverErrors = results.reduce((n, r) => n + r.waiverErrors.length, 0);
  const failing = results.flatMap((r) => r.findings).filter((f) => gated(f, o));
  if (waiverErrors > 0) {
    io.err(`policy: ${waiverErrors} waiver error(s); fix or remove the waivers`);
    return EXIT.usage;
  }
  if (failing.length > 0) {
    io.err(
      `policy: gate failed: ${failing.length} unwaived finding(s) at or above ${describeThreshold(o)}`,
    );
    return EXIT.gate;
  }
  io.out(`policy: gate passed (no unwaived failure at or above ${describeThreshold(o)})`);
  return EXIT.ok;
}
