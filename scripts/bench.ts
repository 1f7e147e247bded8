/**
 * `npm run bench`: the benchmark suite, one benchmark after the other (never side by side: on a
 * 2-core machine they would measure each other), each with its own default settings, its output
 * shown as it runs. Before and after each one the machine's load average is printed, so a figure
 * is never quoted without the load it ran under. Exits 1 if any benchmark failed, after running
 * the rest.
 *
 *   npm run bench                        # every benchmark below, defaults (about 12 minutes)
 *   npm run bench -- ingest pg-sink      # some of them, by name (or --only ingest --only e2e)
 *
 * Each one runs its baseline in the same run and prints `RESULT` lines with the figure, the
 * baseline, the ratio, the target and the load average (scripts/bench-lib.ts). For other
 * settings run a benchmark directly, e.g. `npx tsx scripts/bench-e2e.ts --rate 1000`.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** One benchmark of the suite: a script run with node + the tsx loader. */
export interface Benchmark {
  readonly name: string;
  /** Path from the repository root. */
  readonly script: string;
  /** Extra node options (the policy benchmark measures retained heap with `--expose-gc`). */
  readonly nodeArgs?: readonly string[];
  /** Arguments of the script. */
  readonly args?: readonly string[];
  readonly what: string;
}

/** The suite, in running order (quickest first). A new benchmark script joins it here. */
export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: 'synth',
    script: 'scripts/bench-synth.ts',
    what: 'the cdktf app and `npm run synth` (CLI synth + policy gate) vs an empty cdktf app',
  },
  {
    name: 'policy',
    script: 'policies/bench.ts',
    nodeArgs: ['--expose-gc'],
    what: 'policy evaluation on generated stacks of 1,000 to 30,000 resources',
  },
  {
    name: 'http',
    script: 'scripts/bench-ingest.ts',
    what: 'ingest HTTP path: express vs raw node:http, same parser, no-op sink',
  },
  {
    name: 'ingest',
    script: 'scripts/bench-ingest-sinks.ts',
    what: 'ingest with Cosmos + Kafka vs kafka-producer-perf-test, same record size and acks',
  },
  {
    name: 'pg-sink',
    script: 'scripts/bench-pg-sink.ts',
    what: "processing's PostgreSQL sink (json and copy write methods) vs COPY of the same rows",
  },
  {
    name: 'analysis',
    script: 'scripts/bench-analysis.ts',
    what: "analysis' readings/s off telemetry.raw vs a bare kafkajs consumer + producer",
  },
  {
    name: 'e2e',
    script: 'scripts/bench-e2e.ts',
    args: ['--rate', '2000'],
    what: "ingest's 202 → alert on web's SSE stream at 2,000 readings/s, consumer lag",
  },
  {
    name: 'e2e-5k',
    script: 'scripts/bench-e2e.ts',
    args: ['--rate', '5000'],
    what: "ingest's 202 → alert on web's SSE stream at 5,000 readings/s, consumer lag",
  },
  {
    name: 'memory',
    script: 'scripts/bench-services.ts',
    args: ['--mode', 'memory'],
    what: 'RSS of each compiled service at idle and under 2,000 readings/s',
  },
  {
    name: 'concurrency',
    script: 'scripts/bench-services.ts',
    args: ['--mode', 'concurrency'],
    what: '1,000 concurrent connections on ingest vs a raw node:http server',
  },
  {
    name: 'accept',
    script: 'scripts/bench/accept-per-turn.cjs',
    what: "connections a busy event loop accepts per second vs an idle one (the 1,000-connection tail's cause)",
  },
  {
    name: 'idle',
    script: 'scripts/bench-services.ts',
    args: ['--mode', 'idle'],
    what: 'CPU of each compiled service with no traffic vs a bare node process',
  },
];

/**
 * The benchmarks named on the command line, positionally (`npm run bench -- ingest e2e`) or
 * with `--only` (repeatable), in suite order; all of them when none is named.
 */
export function selectBenchmarks(
  argv: readonly string[],
): { selected: readonly Benchmark[] } | { unknown: readonly string[] } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { only: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  const wanted = [...(values.only ?? []), ...positionals];
  const names: readonly string[] = BENCHMARKS.map((b) => b.name);
  const unknown = wanted.filter((n) => !names.includes(n));
  if (unknown.length > 0) return { unknown };
  return { selected: BENCHMARKS.filter((b) => wanted.length === 0 || wanted.includes(b.name)) };
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

const ROOT = join(__dirname, '..');

function run(b: Benchmark): Promise<number> {
  const script = b.script;
  return new Promise((resolve) => {
    const args = [...(b.nodeArgs ?? []), '--import', 'tsx', join(ROOT, script), ...(b.args ?? [])];
    const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
    child.once('error', (err) => {
      process.stderr.write(`bench: cannot start ${script}: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const selection = selectBenchmarks(process.argv.slice(2));
  if ('unknown' in selection) {
    process.stderr.write(
      `bench: unknown ${selection.unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`,
    );
    process.exit(2);
  }
  const selected = selection.selected;
  const results: { name: string; code: number; seconds: number }[] = [];
  for (const b of selected) {
    process.stdout.write(
      `\n=== bench ${b.name}: ${b.what}\n=== node ${[...(b.nodeArgs ?? []), '--import tsx', b.script, ...(b.args ?? [])].join(' ')} · load average ${load()}\n\n`,
    );
    const start = Date.now();
    const code = await run(b);
    const seconds = (Date.now() - start) / 1000;
    results.push({ name: b.name, code, seconds });
    process.stdout.write(
      `\n=== bench ${b.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s · load average ${load()}\n`,
    );
  }
  process.stdout.write('\n=== summary\n');
  for (const r of results) {
    process.stdout.write(
      `${r.name.padEnd(8)} ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`} ${r.seconds.toFixed(0)} s\n`,
    );
  }
  process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
