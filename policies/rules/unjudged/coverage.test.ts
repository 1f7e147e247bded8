import { definePack } from '../../engine/pack';
import { PackDefinitionError } from '../../engine/pack';
import { RuleSet, evaluateStack } from '../../engine/evaluate';
import type { Rule } from '../../engine/types';
import { azureIotPlatformPack } from '../../packs/azure-iot-platform';
import { fixtureDocument, testRule } from '../../testing';
import { resourceTypeReviewed } from './resource-type-reviewed';
import { REVIEWED_TYPES } from './reviewed-types';

const manifest = (apiVersion: string, kind: string) => ({
  'kubernetes_manifest.m': {
    manifest: { apiVersion, kind, metadata: { name: 'x', namespace: 'iot' } },
  },
});
const template = (types: string[]) => ({
  'azurerm_resource_group_template_deployment.t': {
    name: 't',
    resource_group_name: 'rg',
    deployment_mode: 'Incremental',
    template_content: JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: types.map((type) => ({ type, apiVersion: '2024-09-01-preview', name: 'n' })),
    }),
  },
});

testRule(resourceTypeReviewed, {
  compliant: [
    { 'azurerm_private_dns_zone.z': { name: 'privatelink.vaultcore.azure.net' } },
    { 'databricks_workspace_file.f': { path: '/Shared/x.py', source: 'x.py' } },
    manifest('security.istio.io/v1', 'PeerAuthentication'),
    manifest('keda.sh/v1alpha1', 'ScaledObject'),
    template(['Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments']),
  ],
  nonCompliant: [
    { 'azurerm_linux_virtual_machine.vm': { name: 'vm' } },
    // a workload written as a raw manifest escapes the workload rules: it must not pass unseen
    manifest('apps/v1', 'Deployment'),
    manifest('v1', 'Pod'),
    template(['Microsoft.Compute/virtualMachines']),
    template([
      'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments',
      'Microsoft.Storage/storageAccounts',
    ]),
  ],
  unknown: [
    { 'kubernetes_manifest.m': { manifest: '${yamldecode(file("x.yaml"))}' } },
    {
      'azurerm_resource_group_template_deployment.t': {
        template_content: '${file("template.json")}',
      },
    },
  ],
});

describe('coverage rules in the engine', () => {
  const judged: Rule = {
    id: 'vm-judged',
    appliesTo: ['azurerm_linux_virtual_machine'],
    evaluate: () => ({ outcome: 'PASS', message: 'ok' }),
  };
  const everywhere: Rule = {
    id: 'tagged',
    appliesTo: ['*'],
    evaluate: () => ({ outcome: 'PASS', message: 'tags' }),
  };
  const meta = {
    service: 's',
    title: 't',
    severity: 'high' as const,
    rationale: 'r',
    remediation: 'r',
  };
  const pack = definePack({
    id: 'p',
    title: 'p',
    version: '1',
    rules: [
      { rule: judged, ...meta },
      { rule: everywhere, ...meta },
      { rule: resourceTypeReviewed, ...meta },
    ],
  });
  const doc = fixtureDocument({
    'azurerm_linux_virtual_machine.vm': { name: 'vm' },
    'azurerm_windows_virtual_machine.win': { name: 'win' },
    'azurerm_private_dns_zone.z': { name: 'z' },
  });
  const result = evaluateStack(doc, new RuleSet([pack]), { today: '2026-12-02' });
  const outcomes = (address: string) =>
    result.findings
      .filter((f) => f.address === address)
      .map((f) => `${f.ruleId}:${f.outcome}`)
      .sort();

  it('runs on a type no type-specific rule judges (a rule for every type does not count)', () => {
    expect(outcomes('azurerm_windows_virtual_machine.win')).toEqual([
      'resource-type-reviewed:FAIL',
      'tagged:PASS',
    ]);
    expect(outcomes('azurerm_private_dns_zone.z')).toEqual([
      'resource-type-reviewed:PASS',
      'tagged:PASS',
    ]);
  });

  it('does not run where a type-specific rule judges the type', () => {
    expect(outcomes('azurerm_linux_virtual_machine.vm')).toEqual(['tagged:PASS', 'vm-judged:PASS']);
  });

  it('can be waived on one resource, with a reason, like any rule', () => {
    const waived = fixtureDocument({
      'azurerm_windows_virtual_machine.win': {
        name: 'win',
        '//': {
          waivers: [
            {
              rule: 'resource-type-reviewed',
              reason: 'jump host, reviewed in ticket 42',
              owner: 'platform',
              expires: '2027-01-31',
            },
          ],
        },
      },
    });
    const r = evaluateStack(waived, new RuleSet([pack]), { today: '2026-12-02' });
    expect(r.waiverErrors).toEqual([]);
    expect(r.findings.find((f) => f.ruleId === 'resource-type-reviewed')?.outcome).toBe('WAIVED');
  });

  it('refuses a coverage rule that also names resource types', () => {
    expect(() =>
      definePack({
        id: 'q',
        title: 'q',
        version: '1',
        rules: [
          { rule: { ...resourceTypeReviewed, appliesTo: ['(unjudged)', 'azurerm_x_y'] }, ...meta },
        ],
      }),
    ).toThrow(PackDefinitionError);
  });

  it('lists no reviewed type that a rule of the platform pack already judges (a stale entry)', () => {
    const ruled = new Set(azureIotPlatformPack.rules.flatMap((r) => r.rule.appliesTo));
    expect(Object.keys(REVIEWED_TYPES).filter((t) => ruled.has(t))).toEqual([]);
  });
});
