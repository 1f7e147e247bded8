// `npm run validate` (scripts/validate.mjs) against hand-made synth outputs: it must reject what
// the real providers reject, refuse to pass without having validated, and name what is missing.
// The cases that reach `terraform validate` need the provider plugins: CI sets
// TERRAFORM_PROVIDERS_DIR (see .ci/run); a machine with registry access needs nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pins from '../scripts/terraform-providers.json';

const script = join(__dirname, '..', 'scripts', 'validate.mjs');

function synthOut(stacks: Record<string, unknown>): string {
  const out = mkdtempSync(join(tmpdir(), 'validate-'));
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  return out;
}

function validate(out: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [script, out], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A kubernetes-only stack (the smallest plugin) with one namespace. */
function namespaceStack(extra: Record<string, unknown> = {}) {
  return {
    terraform: {
      required_providers: {
        kubernetes: { source: 'kubernetes', version: pins.providers.kubernetes.version },
      },
    },
    provider: { kubernetes: [{}] },
    resource: {
      kubernetes_namespace_v1: { ns: { metadata: { name: 'iot' }, ...extra } },
    },
  };
}

/** Runs validate with the plugins CI provides; explains what is missing instead of passing. */
function validateWithProviders(out: string) {
  const r = validate(out);
  if (r.status === 2 && /TERRAFORM_PROVIDERS_DIR/.test(r.output)) {
    throw new Error(
      `this test needs the real provider plugins: set TERRAFORM_PROVIDERS_DIR (CI does) or give the machine registry access\n${r.output}`,
    );
  }
  return r;
}

describe('npm run validate', () => {
  it('exits 2 when there is nothing synthesized', () => {
    const r = validate(join(tmpdir(), 'no-such-synth-output'));
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/no synthesized stacks: .*no-such-synth-output.*`npm run synth`/);
  });

  it('exits 2 naming the stacks folder when it holds no stack', () => {
    const out = synthOut({});
    mkdirSync(join(out, 'stacks'));
    const r = validate(out);
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/no cdk\.tf\.json under .*nothing to validate/);
  });

  it('exits 2 and says what to provide when the plugin folder has no unpack script', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-plugins-'));
    const r = validate(synthOut({ s: namespaceStack() }), { TERRAFORM_PROVIDERS_DIR: empty });
    expect(r.status).toBe(2);
    expect(r.output).toContain(`TERRAFORM_PROVIDERS_DIR=${empty}`);
    expect(r.output).toMatch(/unpack script/);
  });

  it('fails a stack that requires a provider version other than the validated one', () => {
    const stack = namespaceStack();
    stack.terraform.required_providers.kubernetes.version = '2.30.0';
    const r = validate(synthOut({ drifted: stack }));
    expect(r.status).toBe(1);
    expect(r.output).toContain(
      `drifted: provider kubernetes requires version "2.30.0", validated version is ${pins.providers.kubernetes.version}`,
    );
  });

  it('fails a stack that requires a provider nobody pinned', () => {
    const stack = {
      ...namespaceStack(),
      terraform: {
        required_providers: { random: { source: 'hashicorp/random', version: '3.6.0' } },
      },
    };
    const r = validate(synthOut({ unpinned: stack }));
    expect(r.status).toBe(1);
    expect(r.output).toContain('unpinned: provider random');
  });

  it('passes a valid stack and fails an invalid one, with the provider’s own diagnostic', () => {
    const r = validateWithProviders(
      synthOut({
        good: namespaceStack(),
        bad: namespaceStack({ not_an_argument: true }),
      }),
    );
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/VALID\s+good: 0 error\(s\), 0 warning\(s\)/);
    expect(r.output).toMatch(/INVALID bad: 1 error\(s\)/);
    expect(r.output).toContain('No argument or block type is named "not_an_argument"');
    expect(r.output).toContain('validate: FAILED — 2 stack(s), 1 error(s), 0 warning(s)');
  });
});
