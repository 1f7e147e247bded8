// scripts/azure/ops.ts on the project's own synthesized stacks: the scripts it prints parse as
// bash, register every resource provider the stacks use, and tear down in a safe order.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
  it('destroys the workloads first, removes locks, then the platform', () => {
    const r = run('teardown', 'iot-prod');
    expect(r.code).toBe(0);
    bashParses(r.stdout);
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('npx cdktf destroy iot-prod-workloads')).toBeGreaterThan(0);
    expect(at('az lock delete')).toBeGreaterThan(at('npx cdktf destroy iot-prod-workloads'));
    expect(at('npx cdktf destroy iot-prod --auto-approve')).toBeGreaterThan(at('az lock delete'));
    expect(r.stdout).toContain('az keyvault list-deleted');
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
