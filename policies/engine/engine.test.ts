import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureDocument } from '../testing';
import { expectBool, fail } from './check';
import { RuleSet, PackError, evaluateStack } from './evaluate';
import { StackIndex } from './graph';
import { PolicyLoadError, loadStacks, resourceLines } from './load';
import { normaliseAttributes } from './normalise';
import { isExpression } from './resource';
import { PackDefinitionError, definePack } from './pack';
import type { Pack, Rule } from './types';

describe('loading', () => {
  const json = (stack: string) =>
    JSON.stringify(
      {
        '//': { metadata: { stackName: stack } },
        resource: {
          azurerm_key_vault: { kv: { '//': { metadata: { path: `${stack}/kv` } }, name: 'a' } },
        },
      },
      null,
      2,
    );

  it('loads every stack of a cdktf output directory, sorted by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
    for (const s of ['prod', 'dev']) {
      mkdirSync(join(dir, 'stacks', s), { recursive: true });
      writeFileSync(join(dir, 'stacks', s, 'cdk.tf.json'), json(s));
    }
    writeFileSync(join(dir, 'manifest.json'), '{}');
    expect(loadStacks(dir).map((d) => d.name)).toEqual(['dev', 'prod']);
  });

  it('loads one file and names the stack from its metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
    const file = join(dir, 'cdk.tf.json');
    writeFileSync(file, json('edge'));
    const [doc] = loadStacks(file);
    expect(doc.name).toBe('edge');
    // Line 9 of the pretty-printed file is `      "kv": {`.
    expect(doc.lines.get('azurerm_key_vault.kv')).toBe(9);
  });

  it('reports a missing path and unparsable JSON as load errors', () => {
    expect(() => loadStacks('/nonexistent/cdktf.out')).toThrow(PolicyLoadError);
    const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
    writeFileSync(join(dir, 'cdk.tf.json'), '{ not json');
    expect(() => loadStacks(dir)).toThrow(/cannot read terraform json/);
  });

  it('finds the line of each resource and data source key, ignoring look-alike strings', () => {
    const text = [
      '{',
      '  "data": { "azurerm_client_config": { "me": {} } },',
      '  "resource": {',
      '    "azurerm_storage_account": {',
      '      "sa": { "name": "azurerm_key_vault" },',
      '      "sb": {',
      '        "tags": { "a": "b\\"c" }',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const lines = resourceLines(text);
    expect(Object.fromEntries(lines)).toEqual({
      'data.azurerm_client_config.me': 2,
      'azurerm_storage_account.sa': 5,
      'azurerm_storage_account.sb': 6,
    });
  });

  it('finds resource lines in every array form, and only at the name level', () => {
    const text = [
      '[',
      '  { "//": { "metadata": { "stackName": "x" } } },',
      '  { "resource": [',
      '    { "azurerm_storage_account": [',
      '      { "sa": [',
      '        { "network_rules": [ { "x": { "y": {} } } ] }',
      '      ] },',
      '      { "sb": {} }',
      '    ] }',
      '  ],',
      '  "data": { "azurerm_client_config": [ { "me": {} } ] } }',
      ']',
    ].join('\n');
    expect(Object.fromEntries(resourceLines(text))).toEqual({
      'azurerm_storage_account.sa': 5,
      'azurerm_storage_account.sb': 8,
      'data.azurerm_client_config.me': 11,
    });
  });

  it('fails to load a file whose shape Terraform does not accept, naming the file and the JSON path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      '{"resource": {"azurerm_storage_account": {"sa": "x"}}}',
    );
    expect(() => loadStacks(dir)).toThrow(
      /cdk\.tf\.json: not a Terraform JSON configuration: \$\.resource\.azurerm_storage_account\.sa: expected/,
    );
  });

  it('shows files relative to the given working directory, also outside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
    mkdirSync(join(dir, 'in', 'stacks', 'dev'), { recursive: true });
    mkdirSync(join(dir, 'cwd'));
    writeFileSync(join(dir, 'in', 'stacks', 'dev', 'cdk.tf.json'), json('dev'));
    const [doc] = loadStacks('../in', { cwd: join(dir, 'cwd') });
    expect(doc.file).toBe('../in/stacks/dev/cdk.tf.json');
  });
});

describe('normalisation', () => {
  it('moves azurerm 3.x names to their 4.x names and keeps the 4.x value when both are written', () => {
    expect(
      normaliseAttributes('azurerm_storage_account', { enable_https_traffic_only: false }),
    ).toEqual({
      https_traffic_only_enabled: false,
    });
    expect(
      normaliseAttributes('azurerm_key_vault', {
        enable_rbac_authorization: false,
        rbac_authorization_enabled: true,
      }),
    ).toEqual({ rbac_authorization_enabled: true });
  });

  it('inverts renamed attributes whose meaning flipped, and makes an inverted expression unknowable', () => {
    expect(
      normaliseAttributes('azurerm_log_analytics_workspace', {
        local_authentication_disabled: 'true',
      }),
    ).toEqual({
      local_authentication_enabled: false,
    });
    const expr = normaliseAttributes('azurerm_log_analytics_workspace', {
      local_authentication_disabled: '${var.x}',
    });
    expect(String(expr.local_authentication_enabled)).toContain('${');
  });

  it('renames inside every element of a block list and moves attributes into a block', () => {
    expect(
      normaliseAttributes('azurerm_kubernetes_cluster', {
        default_node_pool: [{ enable_auto_scaling: true }],
        api_server_authorized_ip_ranges: ['1.2.3.4/32'],
      }),
    ).toEqual({
      default_node_pool: [{ auto_scaling_enabled: true }],
      api_server_access_profile: { authorized_ip_ranges: ['1.2.3.4/32'] },
    });
  });

  it('does not touch the input object (the raw JSON stays as synthesized)', () => {
    const raw = { '//': { metadata: {} }, enable_non_ssl_port: true };
    normaliseAttributes('azurerm_redis_cache', raw);
    expect(raw).toEqual({ '//': { metadata: {} }, enable_non_ssl_port: true });
  });
});

describe('values and the reference graph', () => {
  it('treats $${ and %%{ as escaped literals and %{ directives as expressions', () => {
    expect(isExpression('price: $${amount}')).toBe(false);
    expect(isExpression('${var.x}')).toBe(true);
    expect(isExpression('%{ if var.on }on%{ endif }')).toBe(true);
    expect(isExpression('plain')).toBe(false);
  });

  const index = new StackIndex(
    fixtureDocument({
      'azurerm_resource_group.rg': { name: 'rg-iot', location: 'westeurope' },
      'azurerm_key_vault.kv': {
        resource_group_name: '${azurerm_resource_group.rg.name}',
        tenant_id: '${data.azurerm_client_config.me.tenant_id}',
        purge_protection_enabled: 'true',
        soft_delete_retention_days: '90',
        network_acls: [{ default_action: 'Deny' }],
        sku_name: '${var.sku}',
        tags: { owner: '${format("%s-%s", azurerm_resource_group.rg.name, "x")}' },
      },
      'data.azurerm_client_config.me': {},
      'azurerm_private_endpoint.pe': {
        private_service_connection: {
          private_connection_resource_id: '${azurerm_key_vault.kv.id}',
        },
      },
    }),
  );
  const kv = index.lookup('azurerm_key_vault.kv')!;

  it('reads booleans and numbers written as strings, and one-element block lists as objects', () => {
    expect(kv.bool('purge_protection_enabled')).toEqual({ state: 'known', value: true });
    expect(kv.num('soft_delete_retention_days')).toEqual({ state: 'known', value: 90 });
    expect(kv.str('network_acls.default_action')).toEqual({ state: 'known', value: 'Deny' });
    expect(kv.get('missing').state).toBe('absent');
  });

  it('resolves references to literal attributes and leaves variables and computed values unknown', () => {
    expect(kv.str('resource_group_name')).toEqual({ state: 'known', value: 'rg-iot' });
    expect(kv.get('sku_name').state).toBe('unknown');
    expect(kv.get('tenant_id').state).toBe('unknown');
    const pe = index.lookup('azurerm_private_endpoint.pe')!;
    expect(pe.get('private_service_connection.private_connection_resource_id')).toMatchObject({
      state: 'unknown',
      expression: '${azurerm_key_vault.kv.id}',
    });
  });

  it('records who references whom, including references inside larger expressions', () => {
    const rg = index.lookup('azurerm_resource_group.rg')!;
    expect(
      index.referrers(rg).map((e) => `${e.from.address} ${e.fromAttribute} ${e.pure}`),
    ).toEqual([
      'azurerm_key_vault.kv resource_group_name true',
      'azurerm_key_vault.kv tags.owner false',
    ]);
    expect(index.referrers(kv, { types: ['azurerm_private_endpoint'] })[0].fromAttribute).toBe(
      'private_service_connection.private_connection_resource_id',
    );
    expect(index.references(kv).map((e) => e.to.address)).toContain(
      'data.azurerm_client_config.me',
    );
  });
});

const purge: Rule = {
  id: 'key-vault-purge-protected',
  appliesTo: ['azurerm_key_vault'],
  evaluate: (r) => expectBool(r, 'purge_protection_enabled', true, false),
};
const always: Rule = {
  id: 'always-fails',
  appliesTo: ['azurerm_key_vault'],
  evaluate: () => fail('always'),
};
const pack: Pack = definePack({
  id: 'test',
  title: 'test',
  version: '1',
  rules: [
    {
      rule: purge,
      service: 'Key Vault',
      title: 't',
      severity: 'high',
      rationale: 'r',
      remediation: 'm',
    },
    {
      rule: always,
      service: 'Key Vault',
      title: 't',
      severity: 'critical',
      rationale: 'r',
      remediation: 'm',
      unwaivable: true,
    },
  ],
});
const rules = new RuleSet([pack]);

function withWaivers(waivers: unknown, attrs: Record<string, unknown> = {}) {
  return fixtureDocument({ 'azurerm_key_vault.kv': { ...attrs, '//': { waivers } } });
}

const waiver = {
  rule: 'key-vault-purge-protected',
  reason: 'dev vault is recreated daily',
  owner: 'platform',
  expires: '2027-01-31',
};

describe('evaluation and waivers', () => {
  it('names rule, address and construct path in every finding', () => {
    const r = evaluateStack(withWaivers(undefined), rules, { today: '2026-11-27' });
    expect(r.findings.find((f) => f.ruleId === 'key-vault-purge-protected')).toMatchObject({
      outcome: 'FAIL',
      address: 'azurerm_key_vault.kv',
      constructPath: 'test/kv',
      severity: 'high',
    });
  });

  it('turns a failure into WAIVED under a valid waiver, and back into FAIL after it expires', () => {
    const doc = withWaivers([waiver]);
    const valid = evaluateStack(doc, rules, { today: '2027-01-31' });
    expect(valid.findings.find((f) => f.ruleId === waiver.rule)?.outcome).toBe('WAIVED');
    expect(valid.waivers).toEqual([
      expect.objectContaining({ status: 'applied', owner: 'platform' }),
    ]);
    const expired = evaluateStack(doc, rules, { today: '2027-02-01' });
    const f = expired.findings.find((x) => x.ruleId === waiver.rule)!;
    expect(f.outcome).toBe('FAIL');
    expect(f.message).toContain('waiver expired on 2027-01-31');
    expect(expired.waivers[0].status).toBe('expired');
    expect(expired.waiverErrors).toEqual([]);
  });

  it.each([
    [{ ...waiver, reason: 'because' }, /reason must be at least 10 characters/],
    [{ ...waiver, expires: '2027-02-30' }, /expires must be a date/],
    [{ ...waiver, owner: '' }, /owner is missing/],
    [{ ...waiver, rule: 'no-such-rule' }, /no loaded pack defines/],
    [{ ...waiver, rule: 'always-fails' }, /unwaivable/],
  ])('reports waiver %j as an error', (w, message) => {
    const r = evaluateStack(withWaivers([w]), rules, { today: '2026-11-27' });
    expect(r.waiverErrors.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
  });

  it('reports a waiver that matches nothing because the rule passes', () => {
    const r = evaluateStack(withWaivers([waiver], { purge_protection_enabled: true }), rules, {
      today: '2026-11-27',
    });
    expect(r.waiverErrors[0].message).toMatch(/matches nothing/);
    expect(r.waivers[0].status).toBe('unmatched');
  });

  it('keeps an unwaivable rule failing even with a waiver', () => {
    const r = evaluateStack(withWaivers([{ ...waiver, rule: 'always-fails' }]), rules, {
      today: '2026-11-27',
    });
    expect(r.findings.find((f) => f.ruleId === 'always-fails')?.outcome).toBe('FAIL');
  });

  it('rejects two packs defining the same rule id', () => {
    expect(() => new RuleSet([pack, { ...pack, id: 'copy' }])).toThrow(PackError);
  });

  it('names the rule and resource when a rule throws', () => {
    const broken: Rule = {
      id: 'broken',
      appliesTo: ['azurerm_key_vault'],
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const set = new RuleSet([{ ...pack, rules: [{ ...pack.rules[0], rule: broken }] }]);
    expect(() => evaluateStack(withWaivers(undefined), set)).toThrow(
      'rule broken failed on azurerm_key_vault.kv: boom',
    );
  });

  it('is deterministic whatever the order resources are written in', () => {
    const a = fixtureDocument({
      'azurerm_key_vault.b': {},
      'azurerm_key_vault.a': { purge_protection_enabled: true },
    });
    const b = fixtureDocument({
      'azurerm_key_vault.a': { purge_protection_enabled: true },
      'azurerm_key_vault.b': {},
    });
    const strip = (d: typeof a) =>
      evaluateStack(d, rules, { today: '2026-11-27' }).findings.map(({ line: _line, ...f }) => f);
    expect(strip(a)).toEqual(strip(b));
  });
});

describe('definePack', () => {
  const base = pack.rules[0];
  it.each([
    [{ ...base, rule: { ...purge, id: 'Not_Kebab' } }, /kebab-case/],
    [{ ...base, severity: 'urgent' as never }, /severity urgent/],
    [{ ...base, rationale: ' ' }, /rationale is empty/],
    [{ ...base, controls: { 'mcsb-v3': ['XX-99'] } }, /control XX-99 is not in mcsb-v3/],
    [{ ...base, rule: { ...purge, appliesTo: ['*', 'azurerm_key_vault'] } }, /list it alone/],
    [{ ...base, rule: { ...purge, appliesTo: ['KeyVault'] } }, /not a Terraform resource type/],
  ])('rejects %#', (rule, message) => {
    expect(() => definePack({ ...pack, rules: [rule] })).toThrow(PackDefinitionError);
    expect(() => definePack({ ...pack, rules: [rule] })).toThrow(message);
  });
});

describe('the * selector', () => {
  const everyType: Rule = {
    id: 'every-type-named',
    appliesTo: ['*'],
    evaluate: (r) => expectBool(r, 'named', true),
  };
  const rules = new RuleSet([
    definePack({ ...pack, rules: [{ ...pack.rules[0], rule: everyType }] }),
  ]);

  it('evaluates a rule with appliesTo * on every resource type and on no data source', () => {
    const result = evaluateStack(
      fixtureDocument({
        'azurerm_key_vault.kv': { named: true },
        'kubernetes_namespace_v1.ns': {},
        'terraform_data.t': {},
        'data.azurerm_client_config.me': {},
      }),
      rules,
      { today: '2026-11-27' },
    );
    expect(result.findings.map((f) => `${f.address} ${f.outcome}`).sort()).toEqual([
      'azurerm_key_vault.kv PASS',
      'kubernetes_namespace_v1.ns FAIL',
      'terraform_data.t FAIL',
    ]);
  });
});

describe('nested blocks of the wrong type', () => {
  const index = new StackIndex(
    fixtureDocument({
      'azurerm_storage_account.sa': {
        network_rules: 'Deny',
        blob_properties: [{ delete_retention_policy: ['7'] }],
        identity: { type: 'SystemAssigned' },
      },
    }),
  );
  const sa = index.lookup('azurerm_storage_account.sa')!;

  it('reads a scalar where a block is expected as unknown, never as absent', () => {
    expect(sa.get('network_rules.default_action')).toMatchObject({
      state: 'unknown',
      reason: 'network_rules is a string, expected a block',
    });
    expect(sa.blocks('network_rules')).toMatchObject({ state: 'unknown' });
    expect(sa.blocks('blob_properties.delete_retention_policy')).toMatchObject({
      state: 'unknown',
      reason: expect.stringContaining('holds a string where a block is expected'),
    });
  });

  it('reads a block given as an object or as a one-element array alike', () => {
    expect(sa.get('identity.type')).toEqual({ state: 'known', value: 'SystemAssigned' });
    expect(sa.blocks('blob_properties')).toMatchObject({ state: 'known', value: [{}] });
  });
});
