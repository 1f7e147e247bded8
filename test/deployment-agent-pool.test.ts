import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { PlatformStack } from '../stacks/platform-stack';
import { prod } from '../stacks/environments';
import {
  PoolScriptError,
  createScript,
  deleteScript,
  parseArgs,
  poolTarget,
} from '../scripts/azure/deployment-agent-pool';

const stack = JSON.parse(
  Testing.synth(new PlatformStack(Testing.app(), 'iot-prod', prod)),
) as Record<string, unknown>;
const options = {
  organization: 'https://dev.azure.com/contoso',
  maxAgents: 2,
  vmSize: 'Standard_D2ads_v5',
};

describe('deployment-agent-pool', () => {
  it("reads the platform's resource group, region, VNet and agents subnet from the stack", () => {
    expect(poolTarget(stack)).toEqual({
      resourceGroup: 'rg-iot-prod',
      location: 'westeurope',
      virtualNetwork: 'vnet-iot-prod',
      subnet: 'deployment-agents',
    });
  });

  it('refuses a stack without a deployment-agents subnet', () => {
    const resource = { ...(stack.resource as Record<string, Record<string, { name: string }>>) };
    resource.azurerm_subnet = Object.fromEntries(
      Object.entries(resource.azurerm_subnet).filter(([, s]) => s.name !== 'deployment-agents'),
    );
    expect(() => poolTarget({ ...stack, resource })).toThrow(/no deployment-agents subnet/);
  });

  it('runs, against a recording az, every step in order and puts the pool in the agents subnet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdp-'));
    try {
      const log = join(dir, 'az.log');
      // A stand-in for the Azure CLI: records each call, answers id queries with a fake id.
      writeFileSync(
        join(dir, 'az'),
        `#!/usr/bin/env bash\necho "$*" >> ${JSON.stringify(log)}\ncase "$*" in *"--query"*) echo "/fake/$2/$3";; esac\n`,
      );
      chmodSync(join(dir, 'az'), 0o755);
      const script = createScript(poolTarget(stack), options);
      execFileSync('bash', ['-c', script], {
        cwd: dir,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
        stdio: 'pipe',
      });
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      const steps = calls.map((c) => c.split(' ').slice(0, 3).join(' '));
      expect(steps).toEqual([
        'provider register --namespace',
        'provider register --namespace',
        'network vnet show',
        'network vnet subnet',
        'ad sp list',
        'role assignment create',
        'role assignment create',
        'group create -n',
        'devcenter admin devcenter',
        'devcenter admin project',
        'resource create -g',
      ]);
      expect(calls.filter((c) => c.startsWith('role assignment'))).toEqual([
        expect.stringMatching(/--role Reader --scope \/fake\/vnet\/show$/),
        expect.stringMatching(/--role Network Contributor --scope \/fake\/vnet\/show$/),
      ]);
      expect(calls.at(-1)).toContain(
        '-g rg-iot-prod-agents -n mdp-iot-prod -l westeurope --resource-type Microsoft.DevOpsInfrastructure/pools',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the pool properties ARM expects, with the subnet and the organization', () => {
    const script = createScript(poolTarget(stack), options);
    const json = /<<EOF\n([\s\S]*?)\nEOF/.exec(script)![1];
    expect(JSON.parse(json)).toEqual({
      devCenterProjectResourceId: '${project_id}',
      maximumConcurrency: 2,
      organizationProfile: {
        kind: 'AzureDevOps',
        organizations: [{ url: 'https://dev.azure.com/contoso', parallelism: 2 }],
      },
      agentProfile: { kind: 'Stateless' },
      fabricProfile: {
        kind: 'Vmss',
        sku: { name: 'Standard_D2ads_v5' },
        images: [{ wellKnownImageName: 'ubuntu-24.04/latest' }],
        networkProfile: { subnetId: '${subnet_id}' },
      },
    });
  });

  it('deletes only the agents resource group', () => {
    expect(deleteScript(poolTarget(stack))).toContain(
      "az group delete -n 'rg-iot-prod-agents' --yes",
    );
  });

  it.each([
    [[], /usage/],
    [['iot-prod'], /--organization must be an Azure DevOps organization URL/],
    [['iot-prod', '--organization', 'https://example.org/x'], /organization URL/],
    [['iot-prod', '--organization', 'https://dev.azure.com/c', '--max-agents', '0'], /1 to 20/],
    [['iot-prod', '--bogus'], /unknown argument --bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(PoolScriptError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
