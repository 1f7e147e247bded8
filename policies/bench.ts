/**
 * Evaluation cost on generated stacks: `npx tsx policies/bench.ts [sizes…]` (default
 * 1000 3000 10000 30000 resources). `npx tsx policies/bench.ts --reports [sizes…]` (default
 * 20000) instead runs the CLI end to end in a child process on two generated stacks of each
 * size — the mixed one above, and one of Kubernetes deployments only (the most findings per
 * resource) — loading, evaluating, printing and writing the four report formats, and prints
 * wall and CPU time, peak RSS and the load average. Each stack mixes the platform's resource types with the
 * references the graph rules follow (private endpoints, diagnostic settings, NSG
 * associations, namespaces and network policies), so cross-resource rules do real work.
 * Prints parse, index+evaluate and total time, findings, and memory per size; run with
 * `npx tsx --expose-gc policies/bench.ts` to measure retained heap exactly.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resourceLines } from './engine/load';
import type { StackDocument } from './engine/load';
import { RuleSet, evaluateStack } from './engine/evaluate';
import { azureIotPlatformPack } from './packs/azure-iot-platform';
import { REPORT_FILES, consoleIo, runCli } from './run';

type Attrs = Record<string, unknown>;

/** A group of related resources; `i` makes names unique. Eleven resources per group. */
function group(i: number): Record<string, Attrs> {
  const kv = `azurerm_key_vault.kv${i}`;
  const sa = `azurerm_storage_account.sa${i}`;
  const meta = (name: string) => ({
    '//': { metadata: { path: `bench/g${i}/${name}`, uniqueId: name } },
  });
  return {
    [kv]: {
      ...meta('kv'),
      name: `kv${i}`,
      purge_protection_enabled: true,
      network_acls: { default_action: 'Deny' },
    },
    [sa]: {
      ...meta('sa'),
      name: `sa${i}`,
      min_tls_version: 'TLS1_2',
      enable_https_traffic_only: 'true',
    },
    [`azurerm_private_endpoint.pe${i}`]: {
      ...meta('pe'),
      private_service_connection: { private_connection_resource_id: `\${${kv}.id}` },
    },
    [`azurerm_monitor_diagnostic_setting.d${i}`]: {
      ...meta('diag'),
      target_resource_id: `\${${sa}.id}`,
      log_analytics_workspace_id: '${azurerm_log_analytics_workspace.law.id}',
      enabled_log: [{ category_group: 'allLogs' }],
    },
    [`azurerm_subnet.s${i}`]: {
      ...meta('subnet'),
      name: `s${i}`,
      address_prefixes: ['10.0.0.0/24'],
    },
    [`azurerm_network_security_group.n${i}`]: {
      ...meta('nsg'),
      security_rule: [
        {
          name: 'https',
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          source_address_prefix: 'VirtualNetwork',
          destination_port_range: '443',
        },
        {
          name: 'ssh',
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          source_address_prefix: 'Internet',
          destination_port_range: '22',
        },
      ],
    },
    [`azurerm_subnet_network_security_group_association.a${i}`]: {
      ...meta('assoc'),
      subnet_id: `\${azurerm_subnet.s${i}.id}`,
      network_security_group_id: `\${azurerm_network_security_group.n${i}.id}`,
    },
    [`kubernetes_namespace_v1.ns${i}`]: { ...meta('ns'), metadata: { name: `ns${i}` } },
    [`kubernetes_network_policy_v1.deny${i}`]: {
      ...meta('np'),
      metadata: { name: 'deny', namespace: `\${kubernetes_namespace_v1.ns${i}.metadata[0].name}` },
      spec: { pod_selector: {}, policy_types: ['Ingress'] },
    },
    [`kubernetes_deployment_v1.app${i}`]: {
      ...meta('app'),
      metadata: { name: 'app', namespace: `ns${i}` },
      spec: {
        template: {
          spec: {
            container: [
              {
                name: 'app',
                image: 'acr.io/app:1.0.0',
                security_context: { run_as_non_root: true, allow_privilege_escalation: false },
              },
              { name: 'sidecar', image: 'acr.io/proxy:latest' },
            ],
          },
        },
      },
    },
    [`azurerm_key_vault_secret.sec${i}`]: {
      ...meta('secret'),
      key_vault_id: `\${${kv}.id}`,
      value: '${var.secret}',
    },
  };
}

const PER_GROUP = 11;

function stack(resources: number): string {
  const resource: Record<string, Record<string, Attrs>> = {};
  for (let i = 0; i < Math.ceil(resources / PER_GROUP); i++) {
    for (const [address, attrs] of Object.entries(group(i))) {
      const [type, name] = address.split('.');
      (resource[type] = resource[type] ?? {})[name] = attrs;
    }
  }
  return JSON.stringify({ '//': { metadata: { stackName: 'bench' } }, resource }, null, 2);
}

/**
 * The worst case for reports: one resource type with many rules (Kubernetes deployments with
 * a bare container fail or pass about fifteen rules each), so findings pile up on few rules.
 */
function deploymentsStack(resources: number): string {
  const deployments: Record<string, Attrs> = {};
  for (let i = 0; i < resources; i++) {
    deployments[`app${i}`] = {
      '//': { metadata: { path: `bench/app${i}`, uniqueId: `app${i}` } },
      metadata: { name: `app${i}`, namespace: 'apps' },
      spec: { template: { spec: { container: [{ name: 'app', image: 'acr.io/app:1.0.0' }] } } },
    };
  }
  return JSON.stringify(
    {
      '//': { metadata: { stackName: 'bench' } },
      resource: { kubernetes_deployment_v1: deployments },
    },
    null,
    2,
  );
}

function measure(resources: number): void {
  const text = stack(resources);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const json = JSON.parse(text) as Record<string, unknown>;
  const doc: StackDocument = {
    name: 'bench',
    file: 'bench/cdk.tf.json',
    json,
    lines: resourceLines(text),
  };
  const t1 = process.hrtime.bigint();
  let result = evaluateStack(doc, new RuleSet([azureIotPlatformPack]), { today: '2026-11-27' });
  let t2 = process.hrtime.bigint();
  // The machine is shared: keep the fastest of three evaluations as the figure.
  for (let i = 0; i < 2; i++) {
    const s = process.hrtime.bigint();
    result = evaluateStack(doc, new RuleSet([azureIotPlatformPack]), { today: '2026-11-27' });
    const e = process.hrtime.bigint();
    if (e - s < t2 - t1) t2 = t1 + (e - s);
  }
  // Retained heap: what the parsed stack, its index and the findings hold once garbage is gone.
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const ms = (a: bigint, b: bigint) => (Number(b - a) / 1e6).toFixed(0).padStart(6);
  console.log(
    `${String(result.resourceCount).padStart(6)} resources  ${(text.length / 1e6).toFixed(1).padStart(5)} MB json  ` +
      `parse ${ms(t0, t1)} ms  evaluate ${ms(t1, t2)} ms  total ${ms(t0, t2)} ms  ` +
      `${String(result.findings.length).padStart(7)} findings  ` +
      `${(Number(t2 - t1) / 1e3 / result.resourceCount).toFixed(1).padStart(5)} µs/resource  ` +
      `heap ${global.gc ? 'retained' : '(no --expose-gc)'} +${((heapAfter - heapBefore) / 1e6).toFixed(0)} MB  rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
  );
}

/**
 * The CLI end to end as a user runs it on one big stack: load, evaluate, print, and write all
 * four report formats. Runs in a child process so the peak RSS is the CLI's own, not the
 * generator's; prints wall time, peak RSS and the load average.
 */
function measureReports(resources: number, shape: 'mixed' | 'deployments'): void {
  const dir = mkdtempSync(join(tmpdir(), 'policy-bench-'));
  const file = join(dir, 'stacks', 'bench', 'cdk.tf.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, shape === 'mixed' ? stack(resources) : deploymentsStack(resources));
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      // e.g. BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the CLI alone.
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      __filename,
      '--cli-child',
      file,
      join(dir, 'reports'),
      join(dir, 'result.json'),
    ],
    // The CLI prints as it does for a user (every failure, two lines each) into a pipe.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 2 ** 31 - 1 },
  );
  if (!existsSync(join(dir, 'result.json'))) {
    throw new Error(`bench child failed (${child.status}): ${child.stderr}`);
  }
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  const printed = child.stdout.split('\n').length - 1;
  const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as {
    ms: number;
    cpuMs: number;
    peakRssMb: number;
    code: number;
    bytes: Record<string, number>;
  };
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `${String(resources).padStart(6)} resources (${shape.padEnd(11)})  cli+4 reports: wall ${r.ms.toFixed(0).padStart(6)} ms  cpu ${r.cpuMs.toFixed(0)} ms  ` +
      `(whole process with start-up ${processMs.toFixed(0)} ms)  ` +
      `peak rss ${r.peakRssMb.toFixed(0)} MB  exit ${r.code}  printed ${printed} lines  ` +
      `reports ${Object.entries(r.bytes)
        .map(([f, b]) => `${f} ${(b / 1e6).toFixed(1)} MB`)
        .join(', ')}  load average ${load} (${cpus().length} cpus)`,
  );
  rmSync(dir, { recursive: true, force: true });
}

function cliChild(file: string, reportDir: string, resultFile: string): void {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // As cli.ts runs it: default threshold, output on the console.
  const io = consoleIo(process.cwd());
  const code = runCli([file, '--report-dir', reportDir, '--today', '2026-11-27'], io);
  io.flush();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1e3;
  const bytes: Record<string, number> = {};
  for (const f of Object.values(REPORT_FILES))
    bytes[f] = statSync(join(reportDir, 'bench', f)).size;
  const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  writeFileSync(resultFile, JSON.stringify({ ms, cpuMs, peakRssMb, code, bytes }));
}

if (process.argv[2] === '--cli-child') {
  cliChild(process.argv[3], process.argv[4], process.argv[5]);
} else if (process.argv[2] === '--reports') {
  const sizes = process.argv
    .slice(3)
    .map(Number)
    .filter((n) => n > 0);
  for (const n of sizes.length > 0 ? sizes : [20000]) {
    measureReports(n, 'mixed');
    measureReports(n, 'deployments');
  }
} else {
  runGrowth();
}

function runGrowth(): void {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  // Warm up the JIT so the first size is not charged for compilation.
  measure(500);
  console.log('--');
  for (const n of sizes.length > 0 ? sizes : [1000, 3000, 10000, 30000]) measure(n);
}
