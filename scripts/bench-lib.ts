/**
 * What every benchmark of `npm run bench` shares: the figures' math (percentiles, rates,
 * ratios), the machine's load average, reading a process's RSS and CPU time from /proc, parsing
 * `kafka-producer-perf-test.sh`'s summary line, a closed-loop HTTP load generator, and starting
 * the compiled services. The pure parts are unit-tested in test/bench.test.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The repository root. */
export const ROOT = join(__dirname, '..');

/**
 * The `p`th percentile (nearest rank) of an ascending array; NaN when empty.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p95/p99/max of latencies in ms (any order), rounded to 0.1 ms. */
export function latencySummary(values: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.length ? sorted[sorted.length - 1] : NaN),
  };
}

/** `value / baseline` with two decimals, e.g. `0.52×`; `n/a` when the baseline is 0 or missing. */
export function ratio(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  return `${(value / baseline).toFixed(2)}×`;
}

/** The 1, 5 and 15 minute load averages, e.g. `1.20 0.80 0.61`. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Whole numbers with thousands separators (`20,123`), the way the docs quote them. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Prints one figure the way docs/benchmarks.md quotes it:
 * `RESULT <bench> · <what>: <value> | baseline <name>: <value> | ratio <r> | target <t> <met?> | load <l>`.
 */
export function result(
  bench: string,
  what: string,
  figure: string,
  extra: { baseline?: string; ratio?: string; target?: string; met?: boolean } = {},
): string {
  const parts = [`RESULT ${bench} · ${what}: ${figure}`];
  if (extra.baseline) parts.push(`baseline ${extra.baseline}`);
  if (extra.ratio) parts.push(`ratio ${extra.ratio}`);
  if (extra.target)
    parts.push(
      `target ${extra.target} ${extra.met === undefined ? '' : extra.met ? 'MET' : 'NOT MET'}`.trim(),
    );
  parts.push(`load ${loadAverage()}`);
  const line = parts.join(' | ');
  console.log(line);
  return line;
}

/** What `ProducerPerformance` prints on its last line. */
export interface ProducerPerfSummary {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Parses the summary line of `kafka-producer-perf-test.sh` (`org.apache.kafka.tools.ProducerPerformance`),
 * e.g. `200000 records sent, 67091.58 records/sec (12.80 MB/sec), 898.79 ms avg latency,
 * 1113.00 ms max latency, 966 ms 50th, 1089 ms 95th, 1102 ms 99th, 1112 ms 99.9th.`
 * (the last such line of `output`). Throws when there is none.
 */
export function parseProducerPerf(output: string): ProducerPerfSummary {
  const re =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/g;
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(output); m; m = re.exec(output)) last = m;
  if (!last) throw new Error(`no ProducerPerformance summary line in: ${output.slice(-500)}`);
  return {
    records: Number(last[1]),
    recordsPerSecond: Number(last[2]),
    mbPerSecond: Number(last[3]),
    avgLatencyMs: Number(last[4]),
    maxLatencyMs: Number(last[5]),
    p50Ms: Number(last[6]),
    p99Ms: Number(last[7]),
  };
}

/**
 * CPU time (user + system) in clock ticks from the text of `/proc/<pid>/stat`. The command name
 * (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
 */
export function cpuTicksFromStat(stat: string): number {
  const rest = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`cannot read utime/stime from /proc stat: ${stat.slice(0, 120)}`);
  return utime + stime;
}

/** Clock ticks per second (`getconf CLK_TCK`), 100 on Linux unless it says otherwise. */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far, or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU use in percent of one core between two readings of cpu seconds `wallS` apart. */
export function cpuPercent(beforeS: number, afterS: number, wallS: number): number {
  return wallS > 0 ? ((afterS - beforeS) / wallS) * 100 : NaN;
}

/** RSS and peak RSS (VmHWM) of a process in MiB, from /proc; undefined when it is gone. */
export function memoryMiB(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs`; `stop()` returns the max and mean in MiB. */
export function sampleRss(pid: number, everyMs = 250): () => { max: number; mean: number } {
  const xs: number[] = [];
  const t = setInterval(() => {
    const m = memoryMiB(pid);
    if (m) xs.push(m.rss);
  }, everyMs);
  return () => {
    clearInterval(t);
    return {
      max: Math.round(Math.max(...xs) * 10) / 10,
      mean: Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10,
    };
  };
}

/**
 * Builds the workloads to JavaScript (`tsc -p workloads/tsconfig.build.json` → dist/workloads)
 * unless dist is newer than every workload source: the benchmarks run the compiled services, as
 * the images do.
 */
export function buildWorkloads(): void {
  const marker = join(ROOT, 'dist', 'workloads', 'ingest', 'server.js');
  const newest = newestMtime(join(ROOT, 'workloads'));
  if (!existsSync(marker) || statSync(marker).mtimeMs < newest) {
    console.log('building workloads: npx tsc -p workloads/tsconfig.build.json');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'workloads/tsconfig.build.json'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  }
  // What the images copy beside the JavaScript: processing's migrations, web's static files.
  const dist = join(ROOT, 'dist', 'workloads');
  for (const [from, to] of [
    ['processing/migrations', 'processing/migrations'],
    ['web/public', 'web/public'],
  ]) {
    cpSync(join(ROOT, 'workloads', from), join(dist, to), { recursive: true });
  }
}

/**
 * The node options of an image's `CMD ["node", <options…>, "dist/workloads/<name>/server.js"]`
 * (exec form), from the Dockerfile's text: the benchmarks start each service with exactly these,
 * so the figures are those of the image and cannot drift from it.
 * @throws when there is no exec-form CMD running node and a script.
 */
export function nodeArgsFromDockerfile(dockerfile: string): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  let argv: unknown;
  try {
    argv = cmd === undefined ? undefined : JSON.parse(cmd);
  } catch {
    argv = undefined;
  }
  if (
    !Array.isArray(argv) ||
    argv[0] !== 'node' ||
    !argv.every((a): a is string => typeof a === 'string') ||
    !argv[argv.length - 1].endsWith('.js')
  ) {
    throw new Error(`no exec-form CMD ["node", …, "<script>.js"] in: ${cmd ?? '(no CMD)'}`);
  }
  return argv.slice(1, -1);
}

/** The node options in `workloads/<name>/Dockerfile`'s CMD (see {@link nodeArgsFromDockerfile}). */
export function serviceNodeArgs(name: string): string[] {
  const file = join(ROOT, 'workloads', name, 'Dockerfile');
  try {
    return nodeArgsFromDockerfile(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * Node options of the four services in the benchmarks, read from their images' CMD
 * (workloads/<name>/Dockerfile). One list, as the pipeline starts every service with it: the
 * four CMDs must agree, or this throws naming the ones that differ.
 */
export const SERVICE_NODE_ARGS: readonly string[] = (() => {
  const names = ['ingest', 'analysis', 'processing', 'web'];
  const lists = names.map((n) => serviceNodeArgs(n));
  const differ = names.filter((_, i) => lists[i].join(' ') !== lists[0].join(' '));
  if (differ.length > 0) {
    throw new Error(
      `the images' node options differ (${names.map((n, i) => `${n}: ${lists[i].join(' ')}`).join('; ')}); the benchmarks start every service with one list`,
    );
  }
  return lists[0];
})();

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'public') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Outcome of {@link closedLoop}. */
export interface LoadOutcome {
  readonly requests: number;
  readonly items: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly seconds: number;
  readonly latenciesMs: readonly number[];
  /** Latency of each connection's first request (it includes the TCP connect). */
  readonly firstLatenciesMs: readonly number[];
  /** For each connection's first request: time until its TCP connect completed (from the start). */
  readonly connectMs: readonly number[];
  /** The load generator's own event-loop delay over the run, ms (a busy generator delays answers). */
  readonly generatorLoopDelayMs: {
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Requests answered 202 per target URL, in the order of `url`. */
  readonly acceptedByTarget: readonly number[];
}

/**
 * The target of each of `connections` connections over `targets` (e.g. one URL per ingest
 * replica): round-robin, as a Kubernetes Service spreads new connections over its endpoints, so
 * the counts differ by at most one.
 * @example spreadConnections(['a', 'b'], 3) // ['a', 'b', 'a']
 */
export function spreadConnections<T>(targets: readonly T[], connections: number): T[] {
  if (targets.length === 0) throw new Error('spreadConnections: no targets');
  if (!Number.isInteger(connections) || connections < 0)
    throw new Error(
      `spreadConnections: connections must be a non-negative integer, not ${connections}`,
    );
  return Array.from({ length: connections }, (_, i) => targets[i % targets.length]);
}

/** The TcpExt counters (ListenOverflows, TCPSynRetrans, …) from the text of /proc/net/netstat. */
export function tcpExtFromNetstat(netstat: string): Record<string, number> {
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return {};
  const names = lines[0].trim().split(/\s+/).slice(1);
  const values = lines[1].trim().split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/**
 * Starts watching the kernel's TCP counters that tell dropped or retried connections apart
 * (accept-queue overflows, SYN retransmissions, timeouts); `stop()` returns each one's growth.
 */
export function sampleTcpCounters(
  names: readonly string[] = ['ListenOverflows', 'ListenDrops', 'TCPSynRetrans', 'TCPTimeouts'],
): () => Record<string, number> {
  const read = () => {
    try {
      return tcpExtFromNetstat(readFileSync('/proc/net/netstat', 'utf8'));
    } catch {
      return {};
    }
  };
  const before = read();
  return () => {
    const after = read();
    return Object.fromEntries(names.map((n) => [n, (after[n] ?? NaN) - (before[n] ?? NaN)]));
  };
}

/**
 * A closed-loop HTTP load: `connections` keep-alive connections, each sending the next body as
 * soon as the previous answer arrived, for `seconds` (bounded). An item counts when answered 202.
 */
export async function closedLoop(opts: {
  /** One URL, or one per replica: the connections are spread round-robin over them. */
  readonly url: string | readonly string[];
  readonly bodies: ReadonlyArray<{ buffer: Buffer; count: number }>;
  readonly contentType: string;
  readonly connections: number;
  readonly seconds: number;
}): Promise<LoadOutcome> {
  const urls = typeof opts.url === 'string' ? [opts.url] : opts.url;
  const targets = urls.map((url) => ({
    u: new URL(url),
    agent: new Agent({ keepAlive: true, maxSockets: opts.connections }),
    accepted: 0,
  }));
  const assigned = spreadConnections(targets, opts.connections);
  const post = (target: (typeof targets)[number], body: Buffer, onConnect?: () => void) =>
    new Promise<number>((resolve, reject) => {
      const { u, agent } = target;
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': opts.contentType, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      if (onConnect) req.once('socket', (s) => s.once('connect', onConnect));
      req.on('error', reject);
      req.end(body);
    });
  const byStatus: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const firstLatenciesMs: number[] = [];
  const connectMs: number[] = [];
  let requests = 0;
  let items = 0;
  let errors = 0;
  let next = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    assigned.map(async (target) => {
      let first = true;
      while (performance.now() < deadline) {
        const body = opts.bodies[next++ % opts.bodies.length];
        requests++;
        const t = performance.now();
        try {
          const status = await post(
            target,
            body.buffer,
            first ? () => connectMs.push(performance.now() - t) : undefined,
          );
          const latency = performance.now() - t;
          latenciesMs.push(latency);
          if (first) firstLatenciesMs.push(latency);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (status === 202) {
            items += body.count;
            target.accepted++;
          }
        } catch {
          errors++;
          await new Promise((r) => setTimeout(r, 50));
        }
        first = false;
      }
    }),
  );
  loopDelay.disable();
  for (const target of targets) target.agent.destroy();
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    requests,
    items,
    byStatus,
    errors,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    firstLatenciesMs,
    connectMs,
    generatorLoopDelayMs: {
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    },
    acceptedByTarget: targets.map((t) => t.accepted),
  };
}

/** Runs a command to its end, resolving with its exit code and combined output. */
export function runToEnd(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/**
 * Busy and total clock ticks of the whole machine from the text of `/proc/stat` (its `cpu`
 * line: busy = everything but idle and iowait), so a CPU split can show what the measured
 * processes left to everything else.
 */
export function machineTicksFromStat(stat: string): { busy: number; total: number } {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  const xs = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  if (xs.length < 5 || xs.some((x) => !Number.isFinite(x)))
    throw new Error(`cannot read the cpu line of /proc/stat: ${stat.slice(0, 120)}`);
  const total = xs.reduce((a, b) => a + b, 0);
  return { busy: total - xs[3] - xs[4], total };
}

/** One process's share of a {@link sampleCpuSplit} window. */
export interface CpuShare {
  readonly name: string;
  /** CPU seconds used in the window. */
  readonly seconds: number;
  /** Percent of one core (200 % = both cores of a 2-core machine). */
  readonly percent: number;
}

/** Named processes' CPU seconds and the machine's busy seconds at one moment, from /proc. */
interface CpuReading {
  /** Per name, in order; a process that is gone keeps its value from `previous` (NaN without one). */
  readonly seconds: number[];
  readonly machineBusyS: number;
  /** performance.now() of the reading. */
  readonly at: number;
}

function readCpu(
  procs: Readonly<Record<string, number | undefined>>,
  names: readonly string[],
  previous?: CpuReading,
): CpuReading {
  return {
    seconds: names.map((n, i) => cpuSeconds(procs[n]!) ?? previous?.seconds[i] ?? NaN),
    machineBusyS: machineTicksFromStat(readFileSync('/proc/stat', 'utf8')).busy / CLOCK_TICKS,
    at: performance.now(),
  };
}

/** The processes of `procs` that have a pid. */
const namedPids = (procs: Readonly<Record<string, number | undefined>>): string[] =>
  Object.keys(procs).filter((n) => procs[n] !== undefined);

/**
 * Starts measuring the CPU time of named processes (by pid, from /proc/<pid>/stat) and of the
 * whole machine; `stop()` returns each one's share of the window, plus `other` (the machine's
 * busy time the named processes do not account for) and `machine` (all busy time), in % of one
 * core. A process that is gone at `stop()` counts what it had used at the last good reading.
 */
export function sampleCpuSplit(
  procs: Readonly<Record<string, number | undefined>>,
): () => CpuShare[] {
  const names = namedPids(procs);
  const first = readCpu(procs, names);
  let last = first;
  // Read every second so a process that exits before stop() still shows what it used.
  const timer = setInterval(() => (last = readCpu(procs, names, last)), 1000);
  return () => {
    clearInterval(timer);
    last = readCpu(procs, names, last);
    const wall = (last.at - first.at) / 1000;
    const busyS = last.machineBusyS - first.machineBusyS;
    const shares = names.map((name, i) => ({
      name,
      seconds: last.seconds[i] - first.seconds[i],
      percent: cpuPercent(first.seconds[i], last.seconds[i], wall),
    }));
    const named = shares.reduce((a, s) => a + (Number.isFinite(s.seconds) ? s.seconds : 0), 0);
    shares.push(
      { name: 'other', seconds: busyS - named, percent: ((busyS - named) / wall) * 100 },
      { name: 'machine', seconds: busyS, percent: (busyS / wall) * 100 },
    );
    return shares;
  };
}

/**
 * Like {@link sampleCpuSplit}, second by second: every `everyMs` it records each named process's
 * and the whole machine's CPU over that interval, in % of one core, so a stall seen in another
 * per-second series (e.g. consumer lag) can be set against who had the cores then.
 */
export function sampleCpuTimeline(
  procs: Readonly<Record<string, number | undefined>>,
  everyMs = 1000,
): () => Array<Record<string, number>> {
  const names = namedPids(procs);
  let last = readCpu(procs, names);
  const rows: Array<Record<string, number>> = [];
  const timer = setInterval(() => {
    const now = readCpu(procs, names, last);
    const wall = (now.at - last.at) / 1000;
    const row: Record<string, number> = {};
    names.forEach(
      (n, i) => (row[n] = Math.round(cpuPercent(last.seconds[i], now.seconds[i], wall))),
    );
    row.machine = Math.round(((now.machineBusyS - last.machineBusyS) / wall) * 100);
    rows.push(row);
    last = now;
  }, everyMs);
  return () => {
    clearInterval(timer);
    return rows;
  };
}

/** `ingest 96 %, cosmos 61 %, …` for a {@link sampleCpuSplit} result. */
export function formatCpuSplit(shares: readonly CpuShare[]): string {
  return shares.map((s) => `${s.name} ${Math.round(s.percent)} %`).join(', ');
}
