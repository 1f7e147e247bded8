import { fail, pass, unknown } from '../../engine/check';
import type { RuleContext } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** An OCI content digest at the end of an image reference (`name@sha256:…`, `name:tag@sha256:…`). */
const DIGEST = /@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** `…@${var.name}` at the very end of an image reference. */
const DIGEST_VARIABLE = /@\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/;

/** The patterns a validation may check a digest variable against (anchored, lower-case hex). */
const DIGEST_PATTERNS = new Set([
  '^sha256:[a-f0-9]{64}$',
  '^sha256:[0-9a-f]{64}$',
  '^sha512:[a-f0-9]{128}$',
  '^sha512:[0-9a-f]{128}$',
]);

/**
 * True when `condition` is exactly `can(regex("<digest pattern>", var.<name>))`, the one form
 * this rule accepts as proof that every value Terraform lets through is a content digest
 * (cdktf writes it as `${…}`; spaces are insignificant).
 */
function checksDigest(condition: unknown, name: string): boolean {
  if (typeof condition !== 'string') return false;
  const c = condition.replace(/\s+/g, '');
  const m = /^\$\{can\(regex\("((?:[^"\\]|\\.)*)",var\.([A-Za-z_][A-Za-z0-9_-]*)\)\)\}$/.exec(c);
  if (!m || m[2] !== name) return false;
  let pattern: string;
  try {
    pattern = JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return false;
  }
  return DIGEST_PATTERNS.has(pattern);
}

/** The verdict on `<name>@${var.x}`: PASS only when the stack's variable x admits digests alone. */
function digestVariable(ctx: RuleContext, name: string, at: string): Verdict {
  const v = ctx.variable(name);
  if (!v) return unknown(`image digest is var.${name}, which this stack does not declare`, at);
  if (v.type !== undefined && v.type !== 'string') {
    return fail(`var.${name} is of type ${JSON.stringify(v.type)}, not a string digest`, at);
  }
  const validations = Array.isArray(v.validation)
    ? v.validation
    : v.validation === undefined
      ? []
      : [v.validation];
  const validated = validations.some(
    (b) =>
      typeof b === 'object' &&
      b !== null &&
      checksDigest((b as { condition?: unknown }).condition, name),
  );
  if (!validated) {
    return fail(
      `var.${name} has no validation that admits only a digest: add condition can(regex("^sha256:[a-f0-9]{64}$", var.${name}))`,
      at,
    );
  }
  if (v.default !== undefined && v.default !== null) {
    if (
      typeof v.default !== 'string' ||
      !/^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(v.default)
    ) {
      return fail(
        `var.${name} defaults to ${JSON.stringify(v.default)}, which is not a digest`,
        at,
      );
    }
  }
  return pass(`pinned by digest (var.${name}, validated)`, at);
}

/**
 * Images are referenced by digest, so what runs is the content that was reviewed and scanned.
 * A tag — `latest`, a branch or a release number — is a name the registry can move to other
 * content. A digest given at deploy time (`name@${var.x}`) passes only when the stack declares
 * `x` as a string whose validation is `can(regex("^sha256:[a-f0-9]{64}$", var.x))`, so Terraform
 * refuses anything but a digest; without that validation it fails, and an undeclared variable or
 * any other expression at the end (`${var.image}`, `name:${var.tag}`) is UNKNOWN, never PASS.
 */
export const kubernetesWorkloadImagePinnedByDigest: Rule = {
  id: 'kubernetes-workload-image-pinned-by-digest',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r, ctx) =>
    eachContainer(r, (c) => {
      const at = c.pathOf('image');
      const image = c.str('image');
      if (image.state === 'absent') return fail('no image', at);
      // `${registry}/iot/app:1.2.3`: the registry host is computed, and what follows the last
      // interpolation is literal; a digest can only be at the very end of the reference.
      let text: string;
      if (image.state === 'known') text = image.value;
      else {
        const expr = image.expression ?? '';
        const variable = DIGEST_VARIABLE.exec(expr);
        if (variable) return digestVariable(ctx, variable[1], at);
        const tail = expr.slice(expr.lastIndexOf('}') + 1);
        if (expr === '' || tail === '') return unknown(`image is ${image.reason}`, at);
        text = tail;
      }
      if (DIGEST.test(text)) return pass('pinned by digest', at);
      const last = text.split('/').pop() ?? '';
      const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : '';
      return fail(
        tag === ''
          ? `${text} has no digest and no tag (means latest)`
          : `${text} is pinned by tag ${tag}, which the registry can move; reference name@sha256:<digest>`,
        at,
      );
    }),
};
