// scripts/azure/ops.ts on the project's own synthesized stacks: the scripts it prints parse as
// bash, register every resource provider the stacks use, and tear down in a safe order.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { buildApp } from '../stacks/app';
import { main, resourceProviders } from '../scripts/azure/ops';

const out = mkdtempSync(join(tmpdir(), 'ops-'));
const stacks: Record<string, Record<string, unknown>> = {};
for (const s of buildApp(Testing.app())) {
  for (const stack of [s.platform, s.workloads]) {
    const json = Testing.synth(stack);
    stacks[stack.node.id] = JSON.parse(json) as Record<string, unknown>;
    mkdirSync(join(out, 'stacks', stack.node.id), { recursive: true });
    writeFileSync(join(out, 'stacks', stack.node.id, 'cdk.tf.json'), json);
  }
}

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(
    [...argv, '--out', out],
    '/',
    (s) => (stdout += s),
    (s) => (stderr += s),
  );
  return { code, stdout, stderr };
}

function bashParses(script: string): void {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

describe('ops prepare', () => {
  it.each(['iot-dev', 'iot-prod'])(
    'places every azurerm resource type of %s in a provider',
    (name) => {
      expect(() => resourceProviders(stacks[name]!)).not.toThrow();
    },
  );

  it('registers what prod uses, asks for host encryption, and creates the state account with Entra auth only', () => {
    const r = run('prepare', 'iot-prod');
    expect(r.code).toBe(0);
    bashParses(r.stdout);
    for (const ns of [
      'Microsoft.ContainerService',
      'Microsoft.HDInsight',
      'Microsoft.ApiManagement',
      'Microsoft.DBforPostgreSQL',
      'Microsoft.DocumentDB',
      'Microsoft.Cache',
      'Microsoft.Compute',
      'Microsoft.PolicyInsights',
    ]) {
      expect(r.stdout).toContain(`az provider register --namespace ${ns} --wait`);
    }
    expect(r.stdout).not.toContain('Microsoft.EventHub');
    expect(r.stdout).toContain(
      'az feature register --namespace Microsoft.Compute --name EncryptionAtHost',
    );
    expect(r.stdout).toContain("--name 'stiottfstate7k2q' --resource-group 'rg-iot-tfstate'");
    expect(r.stdout).toContain('--allow-shared-key-access false');
    expect(r.stdout).toContain('--auth-mode login');
  });

  it('registers Event Hubs but no host-encryption feature for dev', () => {
    const r = run('prepare', 'iot-dev');
    expect(r.code).toBe(0);
    bashParses(r.stdout);
    expect(r.stdout).toContain('az provider register --namespace Microsoft.EventHub --wait');
    expect(r.stdout).not.toContain('EncryptionAtHost');
  });

  it('refuses a resource type it cannot place, naming it', () => {
    expect(() => resourceProviders({ resource: { azurerm_frobnicator: { x: {} } } })).toThrow(
      /no resource provider known for azurerm_frobnicator/,
    );
  });
});

describe('ops teardown', () => {
  it('refuses while the workloads stack has state, then removes agents, locks and the platform', () => {
    const r = run('teardown', 'iot-prod');
    expect(r.code).toBe(0);
    bashParses(r.stdout);
    const at = (s: string) => r.stdout.indexOf(s);
    expect(r.stdout).not.toContain('cdktf destroy iot-prod-workloads');
    expect(at('cd cdktf.out/stacks/iot-prod-workloads && terraform init')).toBeGreaterThan(0);
    expect(at("az group delete --name 'rg-iot-prod-agents'")).toBeGreaterThan(
      at('terraform state list'),
    );
    expect(at('az lock delete')).toBeGreaterThan(at("az group delete --name 'rg-iot-prod-agents'"));
    expect(at('npx cdktf destroy iot-prod --auto-approve')).toBeGreaterThan(at('az lock delete'));
    expect(r.stdout).toContain('az keyvault list-deleted');
  });

  it('destroys a workloads stack on its own, and only a workloads stack', () => {
    const r = run('teardown-workloads', 'iot-prod-workloads');
    expect(r.code).toBe(0);
    bashParses(r.stdout);
    expect(r.stdout).toContain('npx cdktf destroy iot-prod-workloads --auto-approve');
    const wrong = run('teardown-workloads', 'iot-prod');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('iot-prod has no kubernetes resources');
  });
});

/**
 * Runs a printed script with stand-ins for az, terraform and npx that record their calls; the
 * workloads stack's `terraform state list` prints `left` lines.
 */
function runWithStandIns(script: string, left: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ops-run-'));
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(
      join(dir, name),
      `#!/usr/bin/env bash\necho "${name} $*" >> ${JSON.stringify(log)}\n${body}\n`,
    );
    chmodSync(join(dir, name), 0o755);
  };
  stub('az', 'case "$*" in "group exists"*) echo true;; "lock list"*) echo /locks/l1;; esac');
  stub(
    'terraform',
    `case "$*" in "state list"*) for i in $(seq 1 ${left}); do echo r$i; done;; esac`,
  );
  stub('npx', '');
  // the script reads the workloads stack's state from its synthesized folder
  mkdirSync(join(dir, 'cdktf.out', 'stacks', 'iot-prod-workloads'), { recursive: true });
  const r = spawnSync('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    encoding: 'utf8',
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    calls = [];
  }
  return { status: r.status, stderr: r.stderr, calls };
}

describe('ops teardown, run against stand-ins', () => {
  it('stops before changing anything while the workloads stack has resources', () => {
    const r = runWithStandIns(run('teardown', 'iot-prod').stdout, 3);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('iot-prod-workloads still has 3 resources');
    expect(r.calls.filter((c) => /group delete|lock delete|npx/.test(c))).toEqual([]);
  });

  it('deletes the agents, then the locks, then destroys the platform', () => {
    const r = runWithStandIns(run('teardown', 'iot-prod').stdout, 0);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const changes = r.calls.filter((c) => /group delete|lock delete|npx/.test(c));
    expect(changes).toEqual([
      'az group delete --name rg-iot-prod-agents --yes',
      'az lock delete --ids /locks/l1',
      'npx cdktf destroy iot-prod --auto-approve',
    ]);
  });
});

describe('ops CLI', () => {
  it.each([
    [['prepare'], /prepare needs a stack name/],
    [['deploy', 'iot-dev'], /unknown command "deploy"/],
    [['prepare', 'iot-nowhere'], /iot-nowhere.*does not exist: run `npm run synth` first/],
    [['prepare', '../etc'], /"..\/etc" is not a stack name/],
  ])('exits 2 for %j', (argv, message) => {
    const r = run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
