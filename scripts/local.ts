/**
 * `npm run local`: the whole platform on this machine. Starts the engines (Kafka, PostgreSQL,
 * Redis, the Cosmos stand-in), then the four services, waits until each answers `/readyz`, and
 * prints the URLs. A service that dies is restarted with backoff (1 s doubling to 30 s, reset
 * after a minute up; see scripts/supervisor.ts) and the restart is logged. Ctrl-C or SIGTERM
 * stops the services first (SIGTERM, graceful drain), then the engines, and exits 0.
 *
 *   npm run local
 *   npm run local -- --ingest-port 9080 --web-port 4000
 *   npm run local -- --engines-only      # engines only, e.g. for `ENGINES=external` test runs
 *
 * Engine data lives in a temporary folder that is removed on exit: every run starts empty.
 * Engine addresses are written to .cache/local/engines.env (or $LOCAL_DIR/engines.env) for
 * other shells, next to each service's log.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Engines } from './engines';
import { preferFreePorts, startEngines } from './engines';
import type { ManagedProcess } from './engines/process';
import { isPortFree, spawnManaged, tail } from './engines/process';
import { Supervisor } from './supervisor';

const root = resolve(__dirname, '..');
/** Where service logs and engines.env go; LOCAL_DIR moves it (tests use a temp folder). */
const localDir = resolve(process.env.LOCAL_DIR ?? join(root, '.cache', 'local'));

/** Ports the engines try first, so addresses stay the same from run to run when free. */
const PREFERRED_ENGINE_PORTS = { kafka: 19092, postgres: 15432, redis: 16379, cosmos: 18081 };

/** How long a service may take from spawn to a 200 on /readyz (tsx compiles on first start). */
const READY_TIMEOUT_MS = 90_000;
/** Services get this long to drain after SIGTERM; their own shutdown deadline is 25 s. */
const STOP_GRACE_MS = 30_000;

interface ServiceSpec {
  readonly name: 'ingest' | 'analysis' | 'processing' | 'web';
  readonly port: number;
  /** URLs worth printing once the service is ready. */
  readonly urls: (base: string) => readonly [string, string][];
}

interface RunningService {
  readonly spec: ServiceSpec;
  /** Restarts the service when it dies; `supervisor.current` is the process running now. */
  readonly supervisor: Supervisor;
  ready: boolean;
}

function portFrom(flag: string | undefined, envName: string, fallback: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
    console.error(
      `local: ${envName}/--${envName.toLowerCase().replace('_', '-')}=${raw}: must be a port from 1 to 65535`,
    );
    process.exit(2);
  }
  return n;
}

const { values: args } = parseArgs({
  options: {
    'ingest-port': { type: 'string' },
    'web-port': { type: 'string' },
    'engines-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npm run local -- [--ingest-port N] [--web-port N] [--engines-only]\n' +
      '  env: INGEST_PORT (8080), WEB_PORT (3000), ANALYSIS_PORT (8081), PROCESSING_PORT (8082)',
  );
  process.exit(0);
}

const services: readonly ServiceSpec[] = [
  {
    name: 'ingest',
    port: portFrom(args['ingest-port'], 'INGEST_PORT', 8080),
    urls: (b) => [
      ['ingest API', `${b}/v1/telemetry`],
      ['OpenAPI', `${b}/openapi.json`],
    ],
  },
  { name: 'analysis', port: portFrom(undefined, 'ANALYSIS_PORT', 8081), urls: () => [] },
  { name: 'processing', port: portFrom(undefined, 'PROCESSING_PORT', 8082), urls: () => [] },
  {
    name: 'web',
    port: portFrom(args['web-port'], 'WEB_PORT', 3000),
    urls: (b) => [['dashboard', `${b}/`]],
  },
];

const COLORS = [36, 35, 33, 32];
function prefixer(name: string, index: number): (line: string) => void {
  const label = name.padEnd(10);
  const tag = process.stdout.isTTY ? `\x1b[${COLORS[index % 4]}m${label}|\x1b[0m ` : `${label}| `;
  return (line) => process.stdout.write(`${tag}${line}\n`);
}

let engines: Engines | undefined;
const running: RunningService[] = [];
let shuttingDown: Promise<void> | undefined;

async function stopEverything(reason: string): Promise<void> {
  console.log(`\nlocal: ${reason}: stopping services, then engines`);
  // Let an in-progress start settle first, so nothing it spawns afterwards is missed.
  await startup.catch(() => undefined);
  await Promise.all(
    running.map(async (s) => {
      const t0 = Date.now();
      const code = await s.supervisor.stop('SIGTERM', STOP_GRACE_MS);
      const how = code === 0 ? 'cleanly' : `with ${code}`;
      console.log(`local: ${s.spec.name} exited ${how} after ${Date.now() - t0} ms`);
    }),
  );
  if (engines) {
    const t0 = Date.now();
    await engines.stop();
    console.log(`local: engines stopped in ${Date.now() - t0} ms`);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // npm, the shell and tsx may each pass the same Ctrl-C on: act on the first one only.
  if (shuttingDown) return;
  shuttingDown = stopEverything(signal).then(
    () => process.exit(0),
    (err) => {
      console.error('local: stopping failed:', err);
      process.exit(1);
    },
  );
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

/** The parent process id of `pid`, from /proc (Linux), or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * `kill <npm pid>` does not reach us: npm passes the signal to its `sh -c`, which dies without
 * passing it on, and we would be orphaned with every engine still running. So we watch the
 * processes that started us (tsx, sh, npm) and treat the death of any as a SIGTERM.
 */
function watchAncestors(): void {
  const ancestors: number[] = [];
  for (let pid = process.ppid; pid > 1 && ancestors.length < 3; ) {
    ancestors.push(pid);
    const parent = parentOf(pid);
    if (parent === undefined) break;
    pid = parent;
  }
  if (ancestors.length === 0 || !existsSync('/proc/self/stat')) return;
  const timer = setInterval(() => {
    if (ancestors.some((pid) => parentOf(pid) === undefined)) {
      clearInterval(timer);
      onSignal('SIGTERM');
    }
  }, 1000);
}
watchAncestors();

async function waitReady(spec: ServiceSpec, proc: ManagedProcess): Promise<boolean> {
  const url = `http://127.0.0.1:${spec.port}/readyz`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !shuttingDown) {
    if (proc.exited) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function startService(spec: ServiceSpec, index: number, env: Record<string, string>) {
  const entry = join('workloads', spec.name, 'server.ts');
  if (!existsSync(join(root, entry))) {
    console.log(`local: ${entry} does not exist yet — ${spec.name} is NOT running`);
    return;
  }
  if (!(await isPortFree(spec.port))) {
    console.log(
      `local: port ${spec.port} is taken — ${spec.name} is NOT running ` +
        `(choose another with ${spec.name.toUpperCase()}_PORT)`,
    );
    return;
  }
  const print = prefixer(spec.name, index);
  // `node --import tsx` is `npx tsx` without its wrapper process: SIGTERM reaches the service
  // itself, once, and its pid is the one whose memory we want to see.
  const supervisor = new Supervisor({
    name: spec.name,
    spawn: () =>
      spawnManaged({
        name: spec.name,
        command: process.execPath,
        args: ['--import', 'tsx', entry],
        cwd: root,
        env: { ...process.env, ...env, PORT: String(spec.port), HOST: '127.0.0.1' },
        logFile: join(localDir, `${spec.name}.log`),
        onLine: (line) => print(line),
      }),
    onRestart: (restarted) => {
      void waitReady(spec, restarted).then((ready) => {
        if (ready) console.log(`local: ${spec.name} is ready again`);
      });
    },
  });
  const proc = supervisor.current;
  const svc: RunningService = { spec, supervisor, ready: false };
  running.push(svc);
  svc.ready = await waitReady(spec, proc);
  if (!svc.ready && !shuttingDown) {
    const why = proc.exited ? 'it exited' : `no 200 from /readyz within ${READY_TIMEOUT_MS} ms`;
    console.log(
      `local: ${spec.name} is not ready (${why}); last lines:\n${tail(proc.logFile, 15)}`,
    );
  }
}

async function main(): Promise<void> {
  mkdirSync(localDir, { recursive: true });
  const ports = await preferFreePorts(PREFERRED_ENGINE_PORTS);
  engines = await startEngines({ ports, handleSignals: false });
  if (shuttingDown) return;
  const envFile = join(localDir, 'engines.env');
  writeFileSync(
    envFile,
    Object.entries(engines.env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );

  if (!args['engines-only']) {
    await Promise.all(services.map((s, i) => startService(s, i, engines!.env)));
  }
  if (shuttingDown) return;

  const lines: string[] = ['', 'local: engines'];
  for (const [k, v] of Object.entries(engines.env)) {
    if (k !== 'COSMOS_KEY') lines.push(`  ${k.padEnd(24)} ${v}`);
  }
  lines.push(`  (all variables: ${envFile})`);
  if (!args['engines-only']) {
    lines.push('local: services');
    for (const s of services) {
      const svc = running.find((r) => r.spec.name === s.name);
      const base = `http://127.0.0.1:${s.port}`;
      const state = !svc ? 'not running' : svc.ready ? 'ready' : 'NOT READY';
      lines.push(`  ${s.name.padEnd(11)} ${state.padEnd(12)} ${base}/metrics`);
      if (svc?.ready)
        for (const [what, u] of s.urls(base)) lines.push(`    ${what.padEnd(11)} ${u}`);
    }
    const ingest = services[0];
    lines.push(
      '',
      `Send readings: npm run simulate -- --url http://127.0.0.1:${ingest.port} --devices 20 --rate 50`,
    );
  }
  lines.push('Ctrl-C stops everything.');
  console.log(lines.join('\n'));
}

// Nothing else may hold the event loop open (engine children are unref'd, and --engines-only
// starts no piped services): this keeps us alive until a signal ends the run with exit().
setInterval(() => undefined, 1 << 30);
const startup = main();
startup.catch(async (err: unknown) => {
  console.error(`local: ${err instanceof Error ? err.message : String(err)}`);
  if (!shuttingDown) {
    shuttingDown = stopEverything('start failed').finally(() => process.exit(1));
  }
});
