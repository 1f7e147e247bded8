/**
 * Configuration from the environment, checked once at start against a typed spec. Each service
 * declares `const spec = { PORT: port({ default: 8080 }), … }` and gets a typed object back, or
 * one error naming every bad variable, its value and what is allowed.
 */

/** One environment variable's parser; throws a lower-case reason when the value is not allowed. */
export interface ConfigField<T> {
  /** Parses the raw value (undefined when unset or empty). */
  readonly parse: (raw: string | undefined) => T;
  /** What is allowed, for messages and docs. */
  readonly describe: string;
  /** Whether the value is a secret and must not be echoed in errors. */
  readonly secret?: boolean;
}

/** A service's configuration spec: variable name → field. */
export type ConfigSpec = Record<string, ConfigField<unknown>>;

/** The typed configuration a spec yields. */
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends ConfigField<infer T> ? T : never;
};

/** One bad variable. */
export interface ConfigIssue {
  readonly variable: string;
  /** The value received (`<unset>`, or `<redacted>` for secrets). */
  readonly value: string;
  readonly reason: string;
}

/** Thrown by {@link loadConfig}; the message lists every issue, one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration:\n${issues.map((i) => `  ${i.variable}=${i.value}: ${i.reason}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

class FieldReason extends Error {}

interface Common<T> {
  /** Value when unset; without it (and without `optional`) the variable is required. */
  readonly default?: T;
  /** Secret values are redacted in errors. */
  readonly secret?: boolean;
}

function field<T>(
  describe: string,
  opts: Common<T> & { optional?: boolean },
  convert: (raw: string) => T,
): ConfigField<T> {
  return {
    describe,
    secret: opts.secret,
    parse(raw) {
      if (raw === undefined || raw.trim() === '') {
        if (opts.default !== undefined) return opts.default;
        if (opts.optional) return undefined as T;
        throw new FieldReason(`is required (${describe})`);
      }
      return convert(raw.trim());
    },
  };
}

/** A string; `pattern` restricts it. */
export function str(opts: Common<string> & { pattern?: RegExp }): ConfigField<string>;
export function str(
  opts: Common<string> & { pattern?: RegExp; optional: true },
): ConfigField<string | undefined>;
export function str(
  opts: Common<string> & { pattern?: RegExp; optional?: boolean } = {},
): ConfigField<string | undefined> {
  const describe = opts.pattern ? `a string matching ${opts.pattern}` : 'a string';
  return field<string | undefined>(describe, opts, (raw) => {
    if (opts.pattern && !opts.pattern.test(raw)) throw new FieldReason(`must be ${describe}`);
    return raw;
  });
}

/** An integer within [min, max]. */
export function int(
  opts: Common<number> & { min?: number; max?: number } = {},
): ConfigField<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const describe = `an integer from ${min} to ${max}`;
  return field(describe, opts, (raw) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new FieldReason(`must be ${describe}`);
    }
    return n;
  });
}

/** A finite number within [min, max]. */
export function num(
  opts: Common<number> & { min?: number; max?: number } = {},
): ConfigField<number> {
  const min = opts.min ?? -Number.MAX_VALUE;
  const max = opts.max ?? Number.MAX_VALUE;
  const describe = `a number from ${min} to ${max}`;
  return field(describe, opts, (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new FieldReason(`must be ${describe}`);
    return n;
  });
}

/** A TCP port (0 lets the OS choose, useful in tests). */
export function port(opts: Common<number> = {}): ConfigField<number> {
  return int({ ...opts, min: 0, max: 65535 });
}

/** `true`/`false` (also 1/0, yes/no). */
export function bool(opts: Common<boolean> = {}): ConfigField<boolean> {
  return field('true or false', opts, (raw) => {
    const v = raw.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new FieldReason('must be true or false');
  });
}

/** One of a fixed set of strings. */
export function oneOf<const V extends string>(
  values: readonly V[],
  opts: Common<V> = {},
): ConfigField<V> {
  const describe = `one of ${values.join(', ')}`;
  return field(describe, opts, (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new FieldReason(`must be ${describe}`);
    return raw as V;
  });
}

/** An absolute URL with one of the given protocols. */
export function url(opts: Common<string> & { protocols?: readonly string[] }): ConfigField<string>;
export function url(
  opts: Common<string> & { protocols?: readonly string[]; optional: true },
): ConfigField<string | undefined>;
export function url(
  opts: Common<string> & { protocols?: readonly string[]; optional?: boolean } = {},
): ConfigField<string | undefined> {
  const protocols = opts.protocols ?? ['http:', 'https:'];
  const describe = `a URL (${protocols.join(' or ')})`;
  return field<string | undefined>(describe, opts, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new FieldReason(`must be ${describe}`);
    }
    if (!protocols.includes(parsed.protocol)) throw new FieldReason(`must be ${describe}`);
    return raw;
  });
}

/** A comma-separated list of non-empty items. */
export function list(opts: Common<string[]> & { minItems?: number } = {}): ConfigField<string[]> {
  const minItems = opts.minItems ?? 1;
  const describe = `a comma-separated list of at least ${minItems} item(s)`;
  return field(describe, opts, (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length < minItems) throw new FieldReason(`must be ${describe}`);
    return items;
  });
}

/**
 * A JSON value checked by `validate`, which returns the typed value or throws an Error whose
 * message says what is wrong (lower case).
 */
export function json<T>(
  opts: Common<T> & { validate: (value: unknown) => T; describe?: string },
): ConfigField<T> {
  const describe = opts.describe ?? 'a JSON document';
  return field(describe, opts, (raw) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new FieldReason(`must be ${describe}: ${(error as Error).message}`);
    }
    try {
      return opts.validate(value);
    } catch (error) {
      throw new FieldReason(`must be ${describe}: ${(error as Error).message}`);
    }
  });
}

/**
 * Parses `env` against `spec`, collecting every issue before failing so an operator fixes all of
 * them in one round.
 * @throws ConfigError naming each bad variable, the value received and what is allowed.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [variable, f] of Object.entries(spec)) {
    const raw = env[variable];
    try {
      out[variable] = f.parse(raw);
    } catch (error) {
      if (!(error instanceof FieldReason)) throw error;
      const value =
        raw === undefined || raw.trim() === ''
          ? '<unset>'
          : f.secret
            ? '<redacted>'
            : JSON.stringify(raw);
      issues.push({ variable, value, reason: error.message });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as ConfigOf<S>;
}

/** Exit code for bad configuration (distinct from crashes, so orchestrators can tell). */
export const CONFIG_EXIT_CODE = 2;

/**
 * {@link loadConfig} for a process entry point: on bad config it prints the message to stderr and
 * exits with code 2.
 */
export function loadConfigOrExit<S extends ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  exit: (code: number) => never = process.exit,
): ConfigOf<S> {
  try {
    return loadConfig(spec, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return exit(CONFIG_EXIT_CODE);
  }
}
