import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fixtureJson } from './testing';
import type { Fixture } from './testing';
import { EXIT, parseArgs, runCli } from './run';

const SHAPES = join(__dirname, 'engine', 'fixtures', 'shapes');
const EVERY_TYPE_PACK = join(__dirname, 'engine', 'fixtures', 'packs', 'every-type-pack.ts');

function outdir(fixture: Fixture): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
  mkdirSync(join(dir, 'stacks', 'dev'), { recursive: true });
  writeFileSync(
    join(dir, 'stacks', 'dev', 'cdk.tf.json'),
    JSON.stringify(fixtureJson(fixture, 'dev'), null, 2),
  );
  return dir;
}

function run(argv: string[], cwd?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
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

  it('gates stacks matching --fail-on <stack>=<severity> at their own threshold', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
    for (const stack of ['iot-dev', 'iot-prod']) {
      mkdirSync(join(dir, 'stacks', stack), { recursive: true });
      writeFileSync(
        join(dir, 'stacks', stack, 'cdk.tf.json'),
        JSON.stringify(fixtureJson({ 'azurerm_key_vault.kv': goodVault }, stack)),
      );
    }
    // goodVault fails only rules below high (no private endpoint).
    expect(run([dir]).code).toBe(EXIT.ok);
    const prod = run([dir, '--fail-on', 'iot-prod*=medium']);
    expect(prod.code).toBe(EXIT.gate);
    expect(prod.err).toContain('at or above high, medium for iot-prod*');
    expect(prod.out).toMatch(/✗ FAIL +medium +\S+ +azurerm_key_vault\.kv +\[iot-prod\/kv\]/);
    expect(prod.out).not.toMatch(/✗ .*\[iot-dev\/kv\]/);
    expect(run([dir, '--fail-on', 'medium', '--fail-on', 'iot-*=none']).code).toBe(EXIT.ok);
    // A later pattern overrides an earlier one, as `npm run synth -- --fail-on …` relies on.
    expect(run([dir, '--fail-on', 'iot-prod*=medium', '--fail-on', 'iot-prod=high']).code).toBe(
      EXIT.ok,
    );
    expect(run(['--fail-on', 'iot-prod=urgent']).err).toContain(
      '--fail-on iot-prod=urgent: expected one of critical, high, medium, low, none',
    );
    expect(run(['--fail-on', 'iot prod=high']).code).toBe(EXIT.usage);
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

  it('defaults to cdktf.out, threshold high, all formats, no report dir, no listing', () => {
    expect(parseArgs([])).toMatchObject({
      target: 'cdktf.out',
      failOn: 'high',
      reportDir: undefined,
      formats: ['json', 'md', 'sarif', 'junit'],
      list: false,
    });
  });
});

describe('policy CLI on every shape of Terraform JSON', () => {
  const valid = readdirSync(join(SHAPES, 'valid'))
    .map((f) => f.replace(/\.json$/, ''))
    .filter((f) => !f.startsWith('empty'));

  it.each(valid)(
    'evaluates %s and fails the gate on the storage account with TLS 1.0 and public access',
    (name) => {
      const r = run([join(SHAPES, 'valid', `${name}.json`)]);
      expect(r.code).toBe(EXIT.gate);
      expect(r.out).toMatch(/✗ FAIL +high +storage-account-tls-1-2 +azurerm_storage_account\.sa /);
      expect(r.out).toMatch(
        /✗ FAIL +high +storage-account-public-blob-access-disabled +azurerm_storage_account\.sa /,
      );
      expect(r.out).not.toMatch(/: 0 resources/);
    },
  );

  it.each(['empty', 'empty-root-array'])(
    'passes %s, an empty configuration, and says it declares nothing',
    (name) => {
      const r = run([join(SHAPES, 'valid', `${name}.json`)]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toContain('0 resources');
      expect(r.out).toContain('the configuration declares no resources');
    },
  );

  it.each(readdirSync(join(SHAPES, 'invalid')).map((f) => f.replace(/\.json$/, '')))(
    'exits 2 on %s, naming the file and the JSON path',
    (name) => {
      const r = run([join(SHAPES, 'invalid', `${name}.json`)], SHAPES);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(
        new RegExp(`^policy: invalid/${name}\\.json: not a Terraform JSON configuration: \\$`),
      );
      expect(r.err).not.toContain('internal error');
      expect(r.out).not.toContain('gate passed');
    },
  );

  it.each([
    ['resource-section-twice', 5, '$', 'resource'],
    ['nested-block-twice', 7, '$.resource.azurerm_network_security_group.nsg', 'security_rule'],
    ['escaped-key-twice', 5, '$.resource[0].azurerm_storage_account.sa', 'min_tls_version'],
  ])(
    'exits 2 on %s: a key written twice, which JSON.parse would silently drop',
    (name, line, path, key) => {
      const r = run([join(SHAPES, 'duplicate-keys', `${name}.json`)], SHAPES);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toContain(
        `policy: duplicate-keys/${name}.json:${line}: not a Terraform JSON configuration: ${path}: key "${key}" is written twice in one object`,
      );
    },
  );

  it('exits 2 when the reports cannot be written', () => {
    const dir = outdir({ 'azurerm_key_vault.kv': goodVault });
    const blocker = join(mkdtempSync(join(tmpdir(), 'policy-reports-')), 'file');
    writeFileSync(blocker, 'not a folder');
    const r = run([dir, '--report-dir', blocker]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('policy: cannot write the reports:');
  });

  it('exits 2, never 0, when a rule crashes', () => {
    const dir = outdir({ 'azurerm_key_vault.kv': goodVault });
    const pack = join(mkdtempSync(join(tmpdir(), 'policy-pack-')), 'crash-pack.ts');
    writeFileSync(
      pack,
      `module.exports = { id: 'crash', title: 'c', version: '1', rules: [{ rule: { id: 'crash/boom', appliesTo: ['*'], evaluate() { throw new Error('boom'); } }, service: 's', title: 't', severity: 'low', rationale: 'r', remediation: 'r' }] };\n`,
    );
    const r = run([dir, '--pack', pack]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('rule crash/boom failed on azurerm_key_vault.kv: boom');
  });
});

describe('policy CLI paths, --list and the * selector', () => {
  /** A caller's folder and an input folder beside it (outside the caller's folder). */
  function layout() {
    const root = mkdtempSync(join(tmpdir(), 'policy-cwd-'));
    const input = outdir({
      'azurerm_storage_account.sa': { min_tls_version: 'TLS1_0', tags: { owner: 'iot' } },
      'azurerm_resource_group.rg': { name: 'rg' },
    });
    const caller = join(root, 'caller');
    mkdirSync(caller);
    return { caller, input };
  }

  it("resolves the input, --pack and --report-dir against the caller's folder", () => {
    const { caller, input } = layout();
    mkdirSync(join(caller, 'out'));
    writeFileSync(
      join(caller, 'out', 'cdk.tf.json'),
      readFileSync(join(input, 'stacks', 'dev', 'cdk.tf.json')),
    );
    const r = run(
      [
        'out',
        '--pack',
        relative(caller, EVERY_TYPE_PACK),
        '--report-dir',
        'reports',
        '--format',
        'json',
      ],
      caller,
    );
    expect(r.err).not.toContain('no such file');
    expect(r.out).toContain('dev (out/cdk.tf.json)');
    expect(r.out).toMatch(/FAIL +medium +fixture\/owner-tagged +azurerm_resource_group\.rg/);
    expect(r.out).toContain('reports: reports/dev/{report.json}');
    expect(readdirSync(join(caller, 'reports', 'dev'))).toEqual(['report.json']);
    expect(
      JSON.parse(readFileSync(join(caller, 'reports', 'dev', 'report.json'), 'utf8')).file,
    ).toBe('out/cdk.tf.json');
  });

  it('writes reports with no absolute path when the input is outside the working directory', () => {
    const { caller, input } = layout();
    const r = run([input, '--report-dir', 'reports', '--today', '2026-11-27'], caller);
    expect(r.code).toBe(EXIT.gate);
    const expected = relative(caller, join(input, 'stacks', 'dev', 'cdk.tf.json'))
      .split('\\')
      .join('/');
    expect(expected.startsWith('../')).toBe(true);
    for (const f of ['report.json', 'report.md', 'report.sarif', 'junit.xml']) {
      const text = readFileSync(join(caller, 'reports', 'dev', f), 'utf8');
      expect({ f, hasTmp: text.includes(tmpdir()), hasFileUri: text.includes('file:') }).toEqual({
        f,
        hasTmp: false,
        hasFileUri: false,
      });
      expect(text).toContain(expected);
    }
    const sarif = JSON.parse(readFileSync(join(caller, 'reports', 'dev', 'report.sarif'), 'utf8'));
    const run0 = sarif.runs[0];
    expect(run0.results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: expected,
      uriBaseId: 'SRCROOT',
    });
    expect(run0.originalUriBaseIds.SRCROOT.uri).toBeUndefined();
  });

  it('cli.ts resolves paths against INIT_CWD, the folder npm was run from', () => {
    const { caller, input } = layout();
    const repo = resolve(__dirname, '..');
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'policies/cli.ts',
        relative(caller, input),
        '--report-dir',
        'r',
        '--format',
        'json',
      ],
      { cwd: repo, env: { ...process.env, INIT_CWD: caller }, encoding: 'utf8' },
    );
    expect(r.stderr).toContain('gate failed');
    expect(r.status).toBe(EXIT.gate);
    expect(readdirSync(join(caller, 'r', 'dev'))).toEqual(['report.json']);
  });

  it('--list prints every rule with its severity, types and framework control ids, and exits 0', () => {
    const r = run(['--list', '--pack', EVERY_TYPE_PACK]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/^azure-iot-platform@\S+: .* \(\d+ rules\)$/m);
    expect(r.out).toMatch(/^ {2}high +key-vault-purge-protected +azurerm_key_vault$/m);
    expect(r.out).toMatch(/mcsb-v3:DP-8/);
    expect(r.out).toMatch(/^fixture@0\.0\.1: Every-type fixture pack \(1 rules\)$/m);
    expect(r.out).toMatch(/^ {2}medium +fixture\/owner-tagged +\*$/m);
    expect(r.out).toContain('Resource has an owner tag [team-controls:T-1]');
    expect(r.out).not.toContain('gate passed');
  });

  it('evaluates a pack rule with appliesTo * on every resource type, and lets it be waived', () => {
    const dir = outdir({
      'azurerm_storage_account.sa': { tags: { owner: 'iot' } },
      'azurerm_resource_group.rg': { name: 'rg' },
      'kubernetes_namespace_v1.ns': {
        metadata: { name: 'x' },
        '//': {
          waivers: [
            {
              rule: 'fixture/owner-tagged',
              reason: 'namespaces are owned by the cluster team',
              owner: 'platform',
              expires: '2027-06-30',
            },
          ],
        },
      },
      'data.azurerm_client_config.me': {},
    });
    const r = run([
      dir,
      '--pack',
      EVERY_TYPE_PACK,
      '--no-default-pack',
      '--verbose',
      '--today',
      '2026-11-27',
    ]);
    expect(r.out).toMatch(/PASS +medium +fixture\/owner-tagged +azurerm_storage_account\.sa/);
    expect(r.out).toMatch(/FAIL +medium +fixture\/owner-tagged +azurerm_resource_group\.rg/);
    expect(r.out).toMatch(/WAIVED +medium +fixture\/owner-tagged +kubernetes_namespace_v1\.ns/);
    expect(r.out).not.toContain('data.azurerm_client_config.me');
    expect(r.out).toContain('3 resources, 3 findings');
  });
});
