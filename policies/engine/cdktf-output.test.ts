/**
 * The engine reads JSON only; this test proves it reads what cdktf 0.21 really writes — the
 * `//` metadata, a waiver written with `addOverride('//.waivers', …)`, and the line numbers.
 * (cdktf is imported here, in a test, never by the engine.)
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RuleSet, evaluateStacks } from './evaluate';
import { loadStacks } from './load';
import { azureIotPlatformPack } from '../packs/azure-iot-platform';
import { WAIVERS_OVERRIDE_PATH } from '../waiver';
import type { Waiver } from '../waiver';

class Platform extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const holder = new Construct(this, 'KeyVault');
    const vault = new KeyVault(holder, 'Resource', {
      name: 'kv-iot-dev',
      location: 'westeurope',
      resourceGroupName: 'rg',
      tenantId: '00000000-0000-0000-0000-000000000000',
      skuName: 'standard',
      purgeProtectionEnabled: false,
    });
    const waivers: Waiver[] = [
      {
        rule: 'key-vault-purge-protected',
        reason: 'dev vaults are destroyed nightly and must be purgeable',
        owner: 'platform-team',
        expires: '2027-06-30',
      },
    ];
    // Exactly what constructs/core `waive()` does.
    vault.addOverride(WAIVERS_OVERRIDE_PATH, waivers);
    new PrivateEndpoint(this, 'pe', {
      name: 'pe-kv',
      location: 'westeurope',
      resourceGroupName: 'rg',
      subnetId: '/subscriptions/x/subnets/pe',
      privateServiceConnection: {
        name: 'kv',
        isManualConnection: false,
        privateConnectionResourceId: vault.id,
        subresourceNames: ['vault'],
      },
    });
  }
}

describe('cdktf 0.21 output', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'policy-cdktf-'));
  const app = new App({ outdir });
  new Platform(app, 'dev');
  app.synth();
  const file = join(outdir, 'stacks', 'dev', 'cdk.tf.json');
  const [result] = evaluateStacks(loadStacks(outdir), new RuleSet([azureIotPlatformPack]), {
    today: '2026-11-27',
  });

  it('keeps the waiver under the resource and the engine applies it', () => {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const [vault] = Object.values(json.resource.azurerm_key_vault) as {
      '//': { waivers: Waiver[] };
    }[];
    expect(vault['//'].waivers[0].rule).toBe('key-vault-purge-protected');
    const f = result.findings.find((x) => x.ruleId === 'key-vault-purge-protected')!;
    expect(f).toMatchObject({ outcome: 'WAIVED', constructPath: 'dev/KeyVault/Resource' });
    expect(result.waiverErrors).toEqual([]);
  });

  it('follows the private endpoint reference through the graph', () => {
    const f = result.findings.find((x) => x.ruleId === 'key-vault-private-endpoint-attached')!;
    expect(f.outcome).toBe('PASS');
    expect(f.message).toContain('azurerm_private_endpoint.pe');
  });

  it('points findings at the line of the resource in cdk.tf.json', () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const f = result.findings.find((x) => x.ruleId === 'key-vault-purge-protected')!;
    expect(lines[f.line - 1]).toMatch(new RegExp(`"${f.address.split('.')[1]}": \\{`));
  });

  it('Testing.synth strips every "//" key, so waiver tests in constructs need Testing.fullSynth or App', () => {
    const stack = new Platform(Testing.app(), 'dev');
    expect(Testing.synth(stack)).not.toContain('waivers');
  });
});
