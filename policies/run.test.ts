import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureJson } from './testing';
import type { Fixture } from './testing';
import { EXIT, parseArgs, runCli } from './run';

function outdir(fixture: Fixture): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
  mkdirSync(join(dir, 'stacks', 'dev'), { recursive: true });
  writeFileSync(
    join(dir, 'stacks', 'dev', 'cdk.tf.json'),
    JSON.stringify(fixtureJson(fixture, 'dev'), null, 2),
  );
  return dir;
}

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const goodVault = {
  purge_protection_enabled: true,
  rbac_authorization_enabled: true,
  public_network_access_enabled: false,
};

describe('policy CLI', () => {
  it('passes the gate when nothing at or above high fails, and prints the failures below it', () => {
    const r = run([outdir({ 'azurerm_key_vault.kv': goodVault }), '--today', '2026-11-27']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('key-vault-private-endpoint-attached');
    expect(r.out).toContain('gate passed');
  });

  it('exits 1 on an unwaived failure at or above the threshold, naming rule, severity, address and path', () => {
    const r = run([outdir({ 'azurerm_key_vault.kv': {} })]);
    expect(r.code).toBe(EXIT.gate);
    expect(r.out).toMatch(
      /✗ FAIL +high +key-vault-purge-protected +azurerm_key_vault\.kv +\[dev\/kv\]/,
    );
    expect(r.err).toContain('gate failed');
  });

  it('honours --fail-on', () => {
    const dir = outdir({ 'azurerm_key_vault.kv': goodVault });
    expect(run([dir, '--fail-on', 'medium']).code).toBe(EXIT.gate);
    expect(run([outdir({ 'azurerm_key_vault.kv': {} }), '--fail-on', 'critical']).code).toBe(
      EXIT.ok,
    );
    expect(run([outdir({ 'azurerm_key_vault.kv': {} }), '--fail-on', 'none']).code).toBe(EXIT.ok);
  });

  it('exits 2 on usage errors, missing input and waiver errors', () => {
    expect(run(['--fail-on', 'urgent']).code).toBe(EXIT.usage);
    expect(run(['--bogus']).code).toBe(EXIT.usage);
    expect(run(['/nonexistent']).code).toBe(EXIT.usage);
    const bad = outdir({
      'azurerm_key_vault.kv': {
        ...goodVault,
        '//': {
          waivers: [
            {
              rule: 'key-vault-purge-protected',
              reason: 'short',
              owner: 'x',
              expires: '2027-01-01',
            },
          ],
        },
      },
    });
    const r = run([bad]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('reason must be at least 10 characters');
  });

  it('writes the four reports per stack only when --report-dir is given', () => {
    const dir = outdir({ 'azurerm_key_vault.kv': goodVault });
    const reports = mkdtempSync(join(tmpdir(), 'policy-reports-'));
    run([dir, '--report-dir', reports, '--today', '2026-11-27']);
    expect(readdirSync(join(reports, 'dev')).sort()).toEqual([
      'junit.xml',
      'report.json',
      'report.md',
      'report.sarif',
    ]);
    const only = mkdtempSync(join(tmpdir(), 'policy-reports-'));
    run([dir, '--report-dir', only, '--format', 'md']);
    expect(readdirSync(join(only, 'dev'))).toEqual(['report.md']);
    expect(readFileSync(join(only, 'dev', 'report.md'), 'utf8')).toContain(
      '# Policy report: `dev`',
    );
  });

  it('adds an app team pack with --pack, without editing the platform pack', () => {
    const dir = outdir({
      'azurerm_key_vault.kv': goodVault,
      'azurerm_resource_group.rg': { name: 'rg' },
    });
    const r = run([dir, '--pack', 'policies/examples/team-pack.ts', '--fail-on', 'low']);
    expect(r.out).toMatch(
      /FAIL +low +team-telemetry\/resource-group-cost-center-tagged +azurerm_resource_group\.rg/,
    );
    expect(r.code).toBe(EXIT.gate);
    const alone = run([
      dir,
      '--pack',
      'policies/examples/team-pack.ts',
      '--no-default-pack',
      '--verbose',
    ]);
    expect(alone.out).not.toContain('key-vault-purge-protected');
  });

  it('fails the gate on an expired waiver and, with --fail-on-unknown, on UNKNOWN findings', () => {
    const w = {
      rule: 'key-vault-purge-protected',
      reason: 'dev vault recreated nightly',
      owner: 'platform',
      expires: '2026-12-31',
    };
    const dir = outdir({
      'azurerm_key_vault.kv': {
        ...goodVault,
        purge_protection_enabled: false,
        '//': { waivers: [w] },
      },
    });
    expect(run([dir, '--today', '2026-12-31']).code).toBe(EXIT.ok);
    const expired = run([dir, '--today', '2027-01-01']);
    expect(expired.code).toBe(EXIT.gate);
    expect(expired.out).toContain('waiver expired on 2026-12-31 (owner platform)');
    const unknownDir = outdir({
      'azurerm_key_vault.kv': { ...goodVault, purge_protection_enabled: '${var.purge}' },
    });
    expect(run([unknownDir]).code).toBe(EXIT.ok);
    expect(run([unknownDir, '--fail-on-unknown']).code).toBe(EXIT.gate);
  });

  it('defaults to cdktf.out, threshold high, all formats, no report dir', () => {
    expect(parseArgs([])).toMatchObject({
      target: 'cdktf.out',
      failOn: 'high',
      reportDir: undefined,
      formats: ['json', 'md', 'sarif', 'junit'],
    });
  });
});
