/**
 * Checkov and the project's gate on the same synthesized stacks, in the same run:
 *
 * ```sh
 * CHECKPOINT_DISABLE=1 npx cdktf synth --output /tmp/out
 * npx tsx policies/scripts/checkov-side-by-side.ts /tmp/out [runs]
 * ```
 *
 * Each run times, as wall clock, one Checkov process over the `stacks` folder
 * (`checkov -d <out>/stacks --framework terraform_json --skip-download -o json`; `CHECKOV`
 * names the executable, default `checkov` on PATH) and one gate process as `npm run synth`
 * and its `iot-policy` bin run it (`node dist/policies/cli.js <out> --fail-on high --fail-on
 * iot-prod*=medium`, the compiled CLI, built beforehand), plus
 * the gate's engine alone in this process (load + evaluate, no tsx start-up). Prints every
 * run, the medians, the ratios and the load average before and after. Figures are printed,
 * never asserted: they depend on the machine and its load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadStacks } from '../engine/load';
import { RuleSet, evaluateStacks } from '../engine/evaluate';
import { azureIotPlatformPack } from '../packs/azure-iot-platform';

const out = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
if (!out || !existsSync(join(out, 'stacks')) || !(runs >= 1)) {
  console.error('usage: npx tsx policies/scripts/checkov-side-by-side.ts <synth-out-dir> [runs]');
  process.exit(2);
}
const checkov = process.env.CHECKOV ?? 'checkov';
const gate = JSON.parse(readFileSync(join('scripts', 'gate.json'), 'utf8')) as {
  failOn: string[];
};
const checkovArgs = [
  '-d',
  join(out, 'stacks'),
  '--framework',
  'terraform_json',
  '--skip-download',
  '-o',
  'json',
];
// The compiled CLI as its `iot-policy` bin runs it; scripts/policy.mjs builds it first if stale.
spawnSync(process.execPath, ['scripts/policy.mjs', '--list'], { stdio: 'ignore' });
const gateArgs = ['dist/policies/cli.js', out, ...gate.failOn.flatMap((f) => ['--fail-on', f])];

function timed(cmd: string, args: string[]): { ms: number; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status };
}

function engineOnly(): number {
  const t0 = process.hrtime.bigint();
  evaluateStacks(loadStacks(out), new RuleSet([azureIotPlatformPack]));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(`machine: ${cpus().length} CPU(s), ${cpus()[0]?.model ?? 'unknown'}`);
console.log(`load average before (1/5/15 min): ${load()}`);
console.log(`checkov: ${checkov} ${checkovArgs.join(' ')}`);
console.log(`gate:    node ${gateArgs.join(' ')}`);
engineOnly(); // warm the module cache so the in-process figure is the engine, not the first require
const c: number[] = [];
const g: number[] = [];
const e: number[] = [];
for (let i = 1; i <= runs; i++) {
  const ck = timed(checkov, checkovArgs);
  const gt = timed(process.execPath, gateArgs);
  const en = engineOnly();
  c.push(ck.ms);
  g.push(gt.ms);
  e.push(en);
  console.log(
    `run ${i}: checkov ${fmt(ck.ms)} (exit ${ck.status}), gate ${fmt(gt.ms)} (exit ${gt.status}), engine ${en.toFixed(0)} ms`,
  );
}
const [mc, mg, me] = [median(c), median(g), median(e)];
console.log(`median: checkov ${fmt(mc)}, gate ${fmt(mg)}, engine ${me.toFixed(0)} ms`);
console.log(
  `checkov / gate process: ${(mc / mg).toFixed(1)}x; checkov / engine alone: ${(mc / me).toFixed(0)}x`,
);
console.log(
  `the gate process spends ${(((mg - me) / mg) * 100).toFixed(0)}% outside the engine (node start-up, loading the modules)`,
);
console.log(`load average after (1/5/15 min): ${load()}`);
