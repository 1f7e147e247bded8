/**
 * Helpers rules use to turn attribute values into verdicts. They carry the engine's promise:
 * an unknown value yields UNKNOWN, never PASS; an absent value is judged by the provider
 * default the rule states.
 */
import { parsePureReference } from './resource';
import type { Node, Val } from './resource';
import type { Verdict } from './types';

/** A PASS verdict. */
export const pass = (message: string, attribute?: string): Verdict => ({
  outcome: 'PASS',
  message,
  attribute,
});
/** A FAIL verdict. */
export const fail = (message: string, attribute?: string): Verdict => ({
  outcome: 'FAIL',
  message,
  attribute,
});
/** An UNKNOWN verdict: the configuration does not say until apply time. */
export const unknown = (message: string, attribute?: string): Verdict => ({
  outcome: 'UNKNOWN',
  message,
  attribute,
});
/** A NOT_APPLICABLE verdict: the rule does not concern this resource as configured. */
export const notApplicable = (message: string, attribute?: string): Verdict => ({
  outcome: 'NOT_APPLICABLE',
  message,
  attribute,
});

/** How a value is judged by {@link expectValue}. */
export interface Expectation<T> {
  /** Value the provider uses when the attribute is not written; `undefined` = absent fails. */
  readonly default?: T;
  /** True when the value is compliant. */
  readonly test: (value: T) => boolean;
  /** What compliant means, for messages: `true`, `TLS1_2 or higher`. */
  readonly expected: string;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/** Judges one read value against an expectation. */
export function judge<T>(node: Node, path: string, v: Val<T>, e: Expectation<T>): Verdict {
  const attribute = node.pathOf(path);
  if (v.state === 'unknown')
    return unknown(`${attribute} is not known before apply: ${v.reason}`, attribute);
  if (v.state === 'absent') {
    if (e.default === undefined)
      return fail(`${attribute} is not set (expected ${e.expected})`, attribute);
    return e.test(e.default)
      ? pass(`${attribute} not set; provider default ${show(e.default)} is compliant`, attribute)
      : fail(
          `${attribute} not set; provider default ${show(e.default)} (expected ${e.expected})`,
          attribute,
        );
  }
  return e.test(v.value)
    ? pass(`${attribute} = ${show(v.value)}`, attribute)
    : fail(`${attribute} = ${show(v.value)} (expected ${e.expected})`, attribute);
}

/** Expects a boolean attribute to equal `expected`. */
export function expectBool(
  node: Node,
  path: string,
  expected: boolean,
  providerDefault?: boolean,
): Verdict {
  return judge(node, path, node.bool(path), {
    default: providerDefault,
    test: (v) => v === expected,
    expected: String(expected),
  });
}

/** Expects a string attribute to satisfy a test. */
export function expectString(node: Node, path: string, e: Expectation<string>): Verdict {
  return judge(node, path, node.str(path), e);
}

/** Expects a numeric attribute to satisfy a test. */
export function expectNumber(node: Node, path: string, e: Expectation<number>): Verdict {
  return judge(node, path, node.num(path), e);
}

/** Compares TLS version strings written as `TLS1_2`, `1.2`, `1_2`, `TLS1.2`. */
export function tlsAtLeast(value: string, minimum: string): boolean {
  const n = (s: string) => Number(s.replace(/^tls/i, '').replace('_', '.'));
  const v = n(value);
  return !isNaN(v) && v >= n(minimum);
}

/**
 * The worst of several verdicts (FAIL > UNKNOWN > PASS > NOT_APPLICABLE), for all-of checks;
 * the messages of every verdict with that outcome are kept.
 */
export function worst(verdicts: readonly Verdict[]): Verdict {
  const order = ['FAIL', 'UNKNOWN', 'PASS', 'NOT_APPLICABLE'];
  const top = [...verdicts].sort((a, b) => order.indexOf(a.outcome) - order.indexOf(b.outcome))[0];
  const same = verdicts.filter((v) => v.outcome === top.outcome);
  return { ...top, message: same.map((v) => v.message).join('; ') };
}

/**
 * Expects an attribute to be set to something: a non-empty literal, or a reference to another
 * resource's attribute (an id is never empty once applied). Other expressions (variables,
 * functions) may evaluate to null, so they are UNKNOWN.
 */
export function expectSet(node: Node, path: string, what: string): Verdict {
  const attribute = node.pathOf(path);
  const v = node.get(path);
  if (v.state === 'absent') return fail(`${attribute} is not set (expected ${what})`, attribute);
  if (v.state === 'known') {
    return v.value === ''
      ? fail(`${attribute} is empty (expected ${what})`, attribute)
      : pass(`${attribute} is set`, attribute);
  }
  if (v.expression && parsePureReference(v.expression)) {
    return pass(`${attribute} = ${v.expression}`, attribute);
  }
  return unknown(`${attribute} is not known before apply: ${v.reason}`, attribute);
}
