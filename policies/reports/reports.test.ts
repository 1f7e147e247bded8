import { fixtureDocument } from '../testing';
import { RuleSet, evaluateStack } from '../engine/evaluate';
import { azureIotPlatformPack } from '../packs/azure-iot-platform';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { compareControlIds, coverage } from './model';
import { renderSarif } from './sarif';

const packs = [azureIotPlatformPack];
const doc = fixtureDocument(
  {
    'azurerm_key_vault.kv': {
      purge_protection_enabled: true,
      sku_name: '${var.sku}',
      '//': {
        waivers: [
          {
            rule: 'key-vault-public-network-disabled',
            reason: 'dev reaches the vault from CI runners | no VPN yet',
            owner: 'platform-team',
            expires: '2027-03-31',
          },
        ],
      },
    },
    'azurerm_storage_account.sa': { min_tls_version: 'TLS1_0' },
    'azurerm_private_endpoint.pe': {
      private_service_connection: { private_connection_resource_id: '${var.other}' },
    },
  },
  'dev',
);
const result = evaluateStack(doc, new RuleSet(packs), { today: '2026-11-27' });

describe('reports', () => {
  it('JSON is deterministic and carries summary, waivers, coverage and every finding', () => {
    const a = renderJson(result, packs);
    expect(renderJson(evaluateStack(doc, new RuleSet(packs), { today: '2026-11-27' }), packs)).toBe(
      a,
    );
    const j = JSON.parse(a);
    expect(j.findings).toHaveLength(result.findings.length);
    expect(j.findings[0].outcome).toBe('FAIL');
    expect(j.summary.high.WAIVED).toBe(1);
    expect(j.waivers[0]).toMatchObject({
      owner: 'platform-team',
      expires: '2027-03-31',
      status: 'applied',
    });
  });

  it('Markdown has the summaries, the waiver register, every finding including passes, and the matrix', () => {
    const md = renderMarkdown(result, packs);
    for (const heading of [
      '## Summary by severity',
      '## Summary by framework',
      '## Waiver register',
      '## Findings',
      '## Control coverage matrix',
      '### Microsoft cloud security benchmark v3',
      '### CIS Azure Kubernetes Service (AKS) Benchmark 1.8.0',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain(
      '| PASS | high | key-vault-purge-protected | azurerm_key_vault.kv | dev/kv |',
    );
    // Pipes inside a reason are escaped so the table stays a table.
    expect(md).toContain('CI runners \\| no VPN yet');
    expect(md).toMatch(/\| 3\.15 \| .* \| automated \| FAIL \| storage-account-tls-1-2 \|/);
  });

  it('SARIF 2.1.0 locates results on the resource line and marks waivers as suppressions', () => {
    const sarif = JSON.parse(renderSarif(result, packs));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const tls = run.results.find((r: { ruleId: string }) => r.ruleId === 'storage-account-tls-1-2');
    expect(tls).toMatchObject({ kind: 'fail', level: 'error' });
    expect(tls.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'dev/cdk.tf.json', uriBaseId: 'SRCROOT' },
      region: { startLine: 2 },
    });
    expect(run.tool.driver.rules[tls.ruleIndex].id).toBe('storage-account-tls-1-2');
    const waived = run.results.find(
      (r: { ruleId: string }) => r.ruleId === 'key-vault-public-network-disabled',
    );
    expect(waived.suppressions[0]).toMatchObject({
      kind: 'inSource',
      properties: { owner: 'platform-team' },
    });
    const unknown = run.results.find(
      (r: { properties: { outcome: string } }) => r.properties.outcome === 'UNKNOWN',
    );
    expect(unknown.kind).toBe('review');
  });

  it('JUnit has one test case per finding, failures for FAIL and skips for the rest', () => {
    const xml = renderJunit(result);
    const fails = result.findings.filter((f) => f.outcome === 'FAIL').length;
    expect(xml.match(/<testcase /g)).toHaveLength(result.findings.length);
    expect(xml.match(/<failure /g)).toHaveLength(fails);
    expect(xml).toContain(`failures="${fails}"`);
    expect(xml).not.toMatch(/message="[^"]*<[^"]*"/);
  });

  it('marks mapped config controls automated, mapped process controls partial, unmapped ones manual', () => {
    const mcsb = coverage(packs, result.findings).find((f) => f.id === 'mcsb-v3')!;
    expect(mcsb.controls.find((c) => c.id === 'DP-8')?.coverage).toBe('automated');
    expect(mcsb.controls.find((c) => c.id === 'DP-6')?.coverage).toBe('partial');
    const aks = coverage(packs, result.findings).find((f) => f.id === 'cis-aks-1.8.0')!;
    expect(aks.controls.find((c) => c.id === '4.4.2')?.coverage).toBe('manual');
  });

  it('orders control ids naturally', () => {
    expect(['3.10', '3.2', 'NS-10', 'NS-2', '4.1.1'].sort(compareControlIds)).toEqual([
      '3.2',
      '3.10',
      '4.1.1',
      'NS-2',
      'NS-10',
    ]);
  });
});
