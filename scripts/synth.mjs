#!/usr/bin/env node
// The main job: synthesize every stack offline with the cdktf CLI, then gate the result with
// the policy engine. Prints where the Terraform JSON is.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const env = { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' };
const outdir = 'cdktf.out';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('npx', ['cdktf', 'synth', '--output', outdir]);
const stacksDir = join(outdir, 'stacks');
const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).sort() : [];
console.log('\nTerraform JSON:');
for (const s of stacks) console.log(`  ${join(stacksDir, s, 'cdk.tf.json')}`);
{
  // The project's thresholds (scripts/gate.json, shared with npm run audit). Arguments given to
  // `npm run synth -- …` come after and override them.
  const { failOn } = JSON.parse(readFileSync(join('scripts', 'gate.json'), 'utf8'));
  const gate = [outdir, ...failOn.flatMap((f) => ['--fail-on', f])];
  run(process.execPath, [join('scripts', 'policy.mjs'), ...gate, ...process.argv.slice(2)]);
}
