import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { testScope } from '../../test/construct-helpers';
import { addDiagnosticSettings, mapDiagnosticSettings } from './diagnostics';
import type { DiagnosticSettings } from './diagnostics';
import { ValidationError } from './errors';

type Synth = {
  resource: {
    azurerm_monitor_diagnostic_setting: Record<
      string,
      { name: string; enabled_metric?: { category: string }[] }
    >;
  };
  moved?: { from: string; to: string }[];
};

const law = { workspace: { id: 'law-id' } };
const audit = { workspace: { id: 'audit-law-id' }, name: 'diag-to-audit' };

function synth(settings: DiagnosticSettings): { out: Synth; owner: Construct } {
  const { stack } = testScope();
  const owner = new Construct(stack, 'Vault');
  addDiagnosticSettings(owner, 'target-id', settings);
  return { out: JSON.parse(Testing.synth(stack)) as Synth, owner };
}

const addressOf = (out: Synth, name: string) =>
  Object.entries(out.resource.azurerm_monitor_diagnostic_setting).find(
    ([, r]) => r.name === name,
  )?.[0];

describe('addDiagnosticSettings', () => {
  it('keys each setting by name: removing the first of two leaves the second where it was', () => {
    const both = synth({ law, audit }).out;
    const second = synth({ audit }).out;
    expect(addressOf(both, 'diag-to-audit')).toMatch(/^Vault_Diagnostics_Setting-audit_/);
    expect(addressOf(second, 'diag-to-audit')).toBe(addressOf(both, 'diag-to-audit'));
  });

  it('moves state from the positional ids of the list the props were before', () => {
    const { out } = synth({ law, audit });
    const { stack } = testScope();
    const holder = new Construct(new Construct(stack, 'Vault'), 'Diagnostics');
    const legacy = (i: number) => stack.getLogicalId(new Construct(holder, `Setting${i}`).node);
    expect(out.moved).toEqual([
      {
        from: `azurerm_monitor_diagnostic_setting.${legacy(0)}`,
        to: `azurerm_monitor_diagnostic_setting.${addressOf(out, 'diag-to-law')}`,
      },
      {
        from: `azurerm_monitor_diagnostic_setting.${legacy(1)}`,
        to: `azurerm_monitor_diagnostic_setting.${addressOf(out, 'diag-to-audit')}`,
      },
    ]);
  });

  it.each([
    ['a list', [law], 'diagnosticSettings', /a record keyed by name/],
    ['a key with a space', { 'to law': law }, 'diagnosticSettings key', /letters, digits/],
    [
      'two settings with one azure name',
      { a: law, b: law },
      'diagnosticSettings.b.name',
      /"a" has it/,
    ],
  ])('rejects %s with ValidationError', (_, settings, prop, allowed) => {
    const { stack } = testScope();
    const owner = new Construct(stack, 'Vault');
    let err: unknown;
    try {
      addDiagnosticSettings(owner, 'target-id', settings as unknown as DiagnosticSettings);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ constructPath: 'test/Vault', prop });
    expect((err as ValidationError).allowed).toMatch(allowed);
  });

  it('mapDiagnosticSettings keeps the keys', () => {
    const mapped = mapDiagnosticSettings({ law, audit }, (s) => ({ ...s, metricCategories: [] }));
    expect(Object.keys(mapped ?? {})).toEqual(['law', 'audit']);
    const { out } = synth(mapped ?? {});
    expect(
      Object.values(out.resource.azurerm_monitor_diagnostic_setting).map((r) => r.enabled_metric),
    ).toEqual([[], []]);
  });
});
