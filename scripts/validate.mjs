#!/usr/bin/env node
// `npm run validate [-- <synth output dir>]`: `terraform validate` on every synthesized stack with
// the real provider plugins at the pinned versions (scripts/terraform-providers.json).
//
// Where the plugins come from, in order:
//   1. TERRAFORM_PROVIDERS_DIR: a folder of provider builds with an `unpack` script (the layout of
//      shared/tools/terraform-providers); unpacked once into .cache/terraform-plugins and used with
//      `terraform init -plugin-dir`, so nothing is downloaded.
//   2. Otherwise the Terraform registry (`terraform init -backend=false`).
// When neither works it exits 2 and says what to provide. It never passes without validating:
// no stacks, a stack that requires an unpinned provider or version, an init failure, an error or
// an unaccepted warning all fail.
//
// Exit codes: 0 every stack valid; 1 a stack is invalid (errors or warnings); 2 bad usage or
// missing inputs (no stacks, no terraform, no providers).
// Only Node built-ins: this runs in CI right after synthesis.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pins = JSON.parse(readFileSync(join(root, 'scripts', 'terraform-providers.json'), 'utf8'));
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
};

function usage(message) {
  console.error(`validate: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: node scripts/validate.mjs [SYNTH_OUT_DIR]   (default cdktf.out)\n' +
      '  TERRAFORM_PROVIDERS_DIR=<folder with terraform-provider-*_v*.xz and unpack>  use local plugin builds\n' +
      '  unset: terraform init downloads the pinned providers from the registry',
  );
  process.exit(0);
}
if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
  usage(`unexpected arguments ${JSON.stringify(args)}; usage: validate.mjs [SYNTH_OUT_DIR]`);
}
// Paths are the caller's: npm runs scripts from the package root, INIT_CWD is where npm was run.
const callerCwd = process.env.INIT_CWD ?? process.cwd();
const outDir = resolve(callerCwd, args[0] ?? 'cdktf.out');
const stacksDir = join(outDir, 'stacks');
if (!existsSync(stacksDir)) {
  usage(`no synthesized stacks: ${stacksDir} does not exist (run \`npm run synth\` first)`);
}
const stacks = readdirSync(stacksDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(stacksDir, d.name, 'cdk.tf.json')))
  .map((d) => d.name)
  .sort();
if (stacks.length === 0) usage(`no cdk.tf.json under ${stacksDir}: nothing to validate`);

const tf = spawnSync('terraform', ['version', '-json'], { env, encoding: 'utf8' });
if (tf.error || tf.status !== 0) {
  usage(
    'the terraform CLI is not on PATH: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install)',
  );
}
const terraformVersion = JSON.parse(tf.stdout).terraform_version;

/** `azurerm`, `hashicorp/azurerm`, `registry.terraform.io/hashicorp/azurerm` → the full address. */
function providerAddress(source) {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join('/');
}

// Every provider a stack requires must be pinned here, at exactly the validated version.
const problems = [];
const needed = new Set();
for (const s of stacks) {
  let json;
  try {
    json = JSON.parse(readFileSync(join(stacksDir, s, 'cdk.tf.json'), 'utf8'));
  } catch (e) {
    usage(`${s}/cdk.tf.json is not JSON: ${e.message}`);
  }
  const required = json?.terraform?.required_providers ?? {};
  for (const [name, req] of Object.entries(required)) {
    needed.add(name);
    const pin = pins.providers[name];
    const source = providerAddress(typeof req === 'string' ? name : (req.source ?? name));
    const version = typeof req === 'string' ? req : req.version;
    if (!pin)
      problems.push(
        `${s}: provider ${name} (${source}) is not in scripts/terraform-providers.json`,
      );
    else if (pin.source !== source)
      problems.push(`${s}: provider ${name} comes from ${source}, pinned ${pin.source}`);
    else if (version !== pin.version) {
      problems.push(
        `${s}: provider ${name} requires version ${JSON.stringify(version)}, validated version is ${pin.version}`,
      );
    }
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(`validate: ${p}`);
  process.exit(1);
}

// Plugins: a local folder of builds, or the registry.
let pluginDir;
const providersDir = process.env.TERRAFORM_PROVIDERS_DIR;
if (providersDir) {
  const dir = resolve(callerCwd, providersDir);
  const unpack = join(dir, 'unpack');
  if (!existsSync(unpack)) {
    usage(
      `TERRAFORM_PROVIDERS_DIR=${providersDir}: ${unpack} does not exist; point it at a folder with ` +
        'terraform-provider-<type>_v<version>.xz builds, their SHA256SUMS and the unpack script',
    );
  }
  pluginDir = join(root, '.cache', 'terraform-plugins');
  const started = Date.now();
  const r = spawnSync('bash', [unpack, pluginDir], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    usage(`unpacking the plugins from ${dir} failed:\n${r.stderr || r.stdout}`);
  }
  const missing = Object.entries(pins.providers).filter(([name, pin]) => {
    const [host, ns] = pin.source.split('/');
    return !existsSync(join(pluginDir, host, ns, name, pin.version));
  });
  const missingNeeded = missing.filter(([name]) => needed.has(name));
  if (missingNeeded.length > 0) {
    usage(
      `${dir} has no build of ${missingNeeded.map(([n, p]) => `${n} ${p.version}`).join(', ')}, which the stacks require`,
    );
  }
  console.log(
    `validate: plugins from ${dir} (unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} else {
  console.log(
    'validate: TERRAFORM_PROVIDERS_DIR is not set; terraform init downloads the providers from the registry',
  );
}

const work = join(root, '.cache', 'validate');
const accepted = pins.acceptedWarnings ?? [];
let failed = false;
let totalErrors = 0;
let totalWarnings = 0;
console.log(`validate: terraform ${terraformVersion}, ${stacks.length} stack(s) in ${outDir}`);
for (const s of stacks) {
  // A copy: init writes .terraform and a lock file, which must not land in cdktf.out (cdktf deploy
  // runs its own init there) — and a lock file of local builds must never be committed.
  const dir = join(work, s);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(stacksDir, s, 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
  // Terraform assets (e.g. the Databricks job's files): providers check their paths at validate.
  const assets = join(stacksDir, s, 'assets');
  if (existsSync(assets)) cpSync(assets, join(dir, 'assets'), { recursive: true });
  const started = Date.now();
  const initArgs = ['init', '-backend=false', '-input=false', '-no-color'];
  if (pluginDir) initArgs.push(`-plugin-dir=${pluginDir}`);
  const init = spawnSync('terraform', initArgs, { cwd: dir, env, encoding: 'utf8' });
  if (init.status !== 0) {
    const text = `${init.stdout}\n${init.stderr}`;
    if (
      !pluginDir &&
      /registry\.terraform\.io|Failed to query available provider packages|could not connect/i.test(
        text,
      )
    ) {
      usage(
        `${s}: terraform init could not reach the Terraform registry, and TERRAFORM_PROVIDERS_DIR is not set.\n` +
          '  Provide one of:\n' +
          '  - network access to registry.terraform.io, or\n' +
          '  - TERRAFORM_PROVIDERS_DIR=<folder> holding the pinned plugin builds ' +
          `(${Object.entries(pins.providers)
            .map(([n, p]) => `terraform-provider-${n}_v${p.version}.xz`)
            .join(', ')}), ` +
          'their SHA256SUMS and the unpack script (in this workplace: ../shared/tools/terraform-providers)',
      );
    }
    console.error(`validate: ${s}: terraform init failed:\n${text.trim()}`);
    failed = true;
    continue;
  }
  const v = spawnSync('terraform', ['validate', '-json', '-no-color'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  let result;
  try {
    result = JSON.parse(v.stdout);
  } catch {
    console.error(
      `validate: ${s}: terraform validate printed no JSON (exit ${v.status}):\n${v.stdout}${v.stderr}`,
    );
    failed = true;
    continue;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const diagnostics = result.diagnostics ?? [];
  const isAccepted = (d) =>
    d.severity === 'warning' &&
    accepted.some(
      (a) =>
        a.summary === d.summary && (a.context === undefined || a.context === d.snippet?.context),
    );
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning' && !isAccepted(d));
  const acceptedCount = diagnostics.length - errors.length - warnings.length;
  totalErrors += errors.length;
  totalWarnings += warnings.length;
  const ok = result.valid === true && errors.length === 0 && warnings.length === 0;
  if (!ok) failed = true;
  console.log(
    `  ${ok ? 'VALID  ' : 'INVALID'} ${s}: ${errors.length} error(s), ${warnings.length} warning(s)` +
      `${acceptedCount ? `, ${acceptedCount} accepted warning(s) (docs/validation.md)` : ''} in ${seconds} s`,
  );
  for (const d of [...errors, ...warnings]) {
    const where = d.snippet?.context ?? d.address ?? '';
    console.log(
      `    ${d.severity.toUpperCase()} ${where ? `${where}: ` : ''}${d.summary}${d.detail ? ` — ${d.detail}` : ''}`,
    );
  }
}
console.log(
  `validate: ${failed ? 'FAILED' : 'passed'} — ${stacks.length} stack(s), ${totalErrors} error(s), ${totalWarnings} warning(s)`,
);
process.exit(failed ? 1 : 0);
