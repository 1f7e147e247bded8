/**
 * Reading a synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`) for the operator scripts
 * that run after `cdktf deploy`: names of resources and the literal values references point at.
 * Anything missing or not literal is a {@link UsageError}, never a guess.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A usage or input error: the CLIs print it and exit 2. */
export class UsageError extends Error {}

/** A JSON object. */
export type Json = Record<string, unknown>;

/** Reads one synthesized stack from `outDir` (the cdktf output folder). */
export function loadStack(outDir: string, stack: string): Json {
  if (!/^[A-Za-z0-9_-]+$/.test(stack)) {
    throw new UsageError(`stack ${JSON.stringify(stack)} is not a stack name (e.g. iot-prod)`);
  }
  const file = join(outDir, 'stacks', stack, 'cdk.tf.json');
  if (!existsSync(file)) {
    throw new UsageError(
      `${file} does not exist: run \`npm run synth\` first, or check the stack name`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** The resources of one type, by Terraform name. */
export function resourcesOfType(stack: Json, type: string): Record<string, Json> {
  const all = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  return all[type] ?? {};
}

/** The single resource of `type`; an error naming the type when there is none or several. */
export function onlyResource(stack: Json, type: string, what: string): [string, Json] {
  const entries = Object.entries(resourcesOfType(stack, type));
  if (entries.length !== 1) {
    throw new UsageError(
      `the stack has ${entries.length} ${type} resources; this command needs exactly one (${what})`,
    );
  }
  return entries[0];
}

const PURE_REF = /^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/**
 * The literal value of `value`: itself when it is a plain string, or the literal attribute a pure
 * reference (`${type.name.attr}`) points at, followed through further references.
 */
export function literal(stack: Json, value: unknown, what: string, depth = 0): string {
  if (typeof value !== 'string') throw new UsageError(`${what} is not set in the stack`);
  const m = PURE_REF.exec(value);
  if (!m) {
    if (value.includes('${')) {
      throw new UsageError(`${what} is an expression (${value}), known only at apply time`);
    }
    return value;
  }
  const target = resourcesOfType(stack, m[1])[m[2]];
  if (!target || depth > 8) throw new UsageError(`${what} refers to ${m[1]}.${m[2]}, not found`);
  return literal(stack, target[m[3]], `${what} (${m[1]}.${m[2]}.${m[3]})`, depth + 1);
}

/** The Terraform address (`type.name`) a pure reference points at. */
export function referencedAddress(value: unknown): { type: string; name: string } | undefined {
  const m = typeof value === 'string' ? PURE_REF.exec(value) : null;
  return m ? { type: m[1], name: m[2] } : undefined;
}

/** Single-quotes a value for bash. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Parses `<command> <stack> [--out dir]`; throws UsageError on anything else. */
export function parseCommandLine(
  argv: readonly string[],
  commands: readonly string[],
): { command: string; stack: string; outDir: string } | 'help' {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return 'help';
  const rest = [...argv];
  let outDir = 'cdktf.out';
  const i = rest.indexOf('--out');
  if (i >= 0) {
    const dir = rest[i + 1];
    if (dir === undefined || dir.startsWith('--')) throw new UsageError('--out needs a folder');
    outDir = dir;
    rest.splice(i, 2);
  }
  const unknownFlag = rest.find((a) => a.startsWith('-'));
  if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag}`);
  const [command, stack, ...extra] = rest;
  if (!commands.includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}; use ${commands.join(', ')}`);
  }
  if (stack === undefined) throw new UsageError(`${command} needs a stack name, e.g. iot-prod`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  return { command, stack, outDir };
}

/**
 * The shape every operator CLI here shares: `<command> <stack> [--out dir]`, the stack read from
 * the synth output, one printed script per command; help on `--help`, exit 2 with the help on a
 * {@link UsageError}. Returns the exit code.
 */
export function runScriptCli(
  options: {
    readonly name: string;
    readonly help: string;
    /** Command → the script it prints, given the stack and the synth output folder it came from. */
    readonly commands: Record<string, (stackName: string, stack: Json, outDir: string) => string>;
    /** Where `--out` is resolved from. @default process.cwd() */
    readonly cwd?: string;
  },
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  try {
    const parsed = parseCommandLine(argv, Object.keys(options.commands));
    if (parsed === 'help') {
      out(options.help);
      return 0;
    }
    const outDir = resolve(options.cwd ?? process.cwd(), parsed.outDir);
    out(options.commands[parsed.command]!(parsed.stack, loadStack(outDir, parsed.stack), outDir));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${options.name}: ${e.message}\n${options.help}`);
      return 2;
    }
    throw e;
  }
}
