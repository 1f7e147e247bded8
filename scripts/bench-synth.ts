/**
 * `npm run bench -- synth`: how long the product takes to synthesize, next to an empty cdktf app.
 *
 * Interleaved, `--runs` times each (default 5), every one a fresh process with its own output
 * folder, as a user or CI runs them:
 * - **app**: `node --import tsx stacks/main.ts` (every stack of every environment);
 * - **baseline**: `node --import tsx scripts/bench/empty-app.ts` (one stack with only the azurerm
 *   provider: node, tsx, cdktf and the bindings' load and synth cost);
 * - **main job**: `npm run synth` (`node scripts/synth.mjs`: the cdktf CLI synth, then the policy
 *   gate over every stack), which writes `cdktf.out` as users get it.
 * Prints the median wall time of each, the app/baseline ratio, the resources per stack counted in
 * the JSON the app wrote, and the load average.
 *
 *   npx tsx scripts/bench-synth.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, fmt, loadAverage, percentile, ratio, result } from './bench-lib';

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).slice(-2000)}`,
    );
  }
  return seconds;
}

/** Resources per stack in a cdktf output folder (`stacks/<name>/cdk.tf.json`). */
export function resourcesPerStack(outdir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(join(outdir, 'stacks')).sort()) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    out[name] = Object.values(json.resource ?? {}).reduce(
      (n, byName) => n + Object.keys(byName).length,
      0,
    );
  }
  return out;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench-synth: --runs must be a positive integer, got ${values.runs}\n`);
    process.exit(2);
  }
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' };
  const scratch = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const times = { app: [] as number[], baseline: [] as number[], job: [] as number[] };
  let perStack: Record<string, number> = {};
  console.log(`synth: ${runs} interleaved runs of each · load ${loadAverage()}`);
  try {
    for (let i = 0; i < runs; i++) {
      const appOut = join(scratch, `app-${i}`);
      times.app.push(
        timed(process.execPath, ['--import', 'tsx', 'stacks/main.ts'], {
          ...env,
          CDKTF_OUTDIR: appOut,
        }),
      );
      if (i === 0) perStack = resourcesPerStack(appOut);
      times.baseline.push(
        timed(process.execPath, ['--import', 'tsx', 'scripts/bench/empty-app.ts'], {
          ...env,
          CDKTF_OUTDIR: join(scratch, `empty-${i}`),
        }),
      );
      times.job.push(timed(process.execPath, ['scripts/synth.mjs'], env));
      console.log(
        `run ${i + 1}: app ${times.app[i].toFixed(2)} s, empty app ${times.baseline[i].toFixed(2)} s, npm run synth ${times.job[i].toFixed(2)} s · load ${loadAverage()}`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const total = Object.values(perStack).reduce((a, b) => a + b, 0);
  console.log(
    `resources per stack: ${Object.entries(perStack)
      .map(([s, n]) => `${s} ${fmt(n)}`)
      .join(', ')} (${fmt(total)} in ${Object.keys(perStack).length} stacks)`,
  );
  const app = median(times.app);
  const base = median(times.baseline);
  result(
    'synth',
    `the cdktf app alone (stacks/main.ts, ${Object.keys(perStack).length} stacks), median of ${runs}`,
    `${app.toFixed(2)} s`,
    {
      baseline: `empty cdktf app (one stack, azurerm provider) ${base.toFixed(2)} s`,
      ratio: ratio(app, base),
    },
  );
  result(
    'synth',
    `npm run synth (cdktf CLI synth + policy gate), median of ${runs}`,
    `${median(times.job).toFixed(2)} s`,
    {
      baseline: `the app alone ${app.toFixed(2)} s`,
      ratio: ratio(median(times.job), app),
    },
  );
}

main();
