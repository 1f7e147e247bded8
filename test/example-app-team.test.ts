/**
 * examples/app-team end to end, as CI runs it: `npm run example:app-team` packs the library,
 * installs the tarball into a copy of the example, type-checks, synthesizes and gates it. Then
 * the synthesized JSON is read for what broke when the library came with its own copy of cdktf:
 * tags from the library's aspect on the app's own resources, and the grants' construct ids,
 * roles, scopes and principal types.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const root = join(__dirname, '..');
const work = join(mkdtempSync(join(tmpdir(), 'app-team-test-')), 'app');
let run: { status: number | null; output: string };
let resources: Resources;

beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'example-app-team.mjs'), '--workdir', work],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  run = { status: r.status, output: `${r.stdout}${r.stderr}` };
  if (r.status === 0) {
    const tf = JSON.parse(
      readFileSync(join(work, 'cdktf.out', 'stacks', 'telemetry-dev', 'cdk.tf.json'), 'utf8'),
    ) as { resource: Resources };
    resources = tf.resource;
  }
}, 600_000);

afterAll(() => rmSync(join(work, '..'), { recursive: true, force: true }));

const ofType = (type: string) => Object.values(resources[type] ?? {});
const pathOf = (r: Record<string, unknown>) =>
  (r['//'] as { metadata: { path: string } }).metadata.path;

describe('examples/app-team from the packed library', () => {
  it('packs, installs the tarball with one copy of cdktf, type-checks, synthesizes and passes the gate', () => {
    if (run.status !== 0) throw new Error(`npm run example:app-team failed:\n${run.output}`);
    expect(run.output).toMatch(/one copy each of .*\bcdktf, constructs\b/);
    expect(run.output).toMatch(/gate passed/);
  });

  it('installs a package of compiled constructs and gate with peers and no dependencies', () => {
    const dir = join(work, 'node_modules', 'iot-streaming-platform');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: object;
      peerDependencies: Record<string, string>;
      exports: Record<string, unknown>;
      bin: Record<string, string>;
    };
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toMatchObject({
      cdktf: '^0.21.0',
      constructs: expect.any(String),
      '@cdktf/provider-azurerm': expect.stringMatching(/^\^14\./),
    });
    expect(Object.keys(pkg.exports)).toEqual(
      expect.arrayContaining(['.', './policies', './key-vault', './package.json']),
    );
    expect(pkg.bin).toEqual({ 'iot-policy': './policies/cli.js' });
    expect(readdirSync(dir).sort()).toEqual([
      'README.md',
      'constructs',
      'package.json',
      'policies',
    ]);
    const files = (readdirSync(dir, { recursive: true }) as string[]).map(String);
    expect(files.filter((f) => /\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it("tags every taggable resource, the app's own resource group and identity included", () => {
    const taggable = [
      'azurerm_resource_group',
      'azurerm_user_assigned_identity',
      'azurerm_key_vault',
      'azurerm_cosmosdb_account',
      'azurerm_eventhub_namespace',
      'azurerm_container_registry',
      'azurerm_log_analytics_workspace',
      'azurerm_virtual_network',
      'azurerm_private_endpoint',
      'azurerm_private_dns_zone',
    ];
    for (const type of taggable) {
      expect(ofType(type).length).toBeGreaterThan(0);
      for (const r of ofType(type)) {
        expect({ type, tags: r.tags }).toEqual({
          type,
          tags: expect.objectContaining({
            team: 'telemetry',
            'cost-center': 'cc-4711',
            environment: 'dev',
          }),
        });
      }
    }
  });

  it('grants the service identity one role assignment per grant, with ids from its construct path', () => {
    // The id suffix the library derives from a construct principal (core/grants.ts grantId): the
    // identity's address at the same path, computed here with the repository's cdktf.
    const stack = new TerraformStack(new App(), 'telemetry-dev');
    const identity = new UserAssignedIdentity(stack, 'ServiceIdentity', {
      name: 'x',
      resourceGroupName: 'x',
      location: 'x',
    });
    const suffix = identity.node.addr.slice(0, 10);
    const principal = '${azurerm_user_assigned_identity.ServiceIdentity.principal_id}';

    const grants = ofType('azurerm_role_assignment').map((r) => ({
      path: pathOf(r),
      role: r.role_definition_name,
      scope: r.scope,
      principal: r.principal_id,
      principalType: r.principal_type,
    }));
    const scopeOf = (type: string, prefix: string) =>
      expect.stringMatching(new RegExp(`^\\$\\{${type}\\.${prefix}_[0-9A-F]{8}\\.id\\}$`));
    expect(grants.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      {
        path: `telemetry-dev/Kafka/DataReceiver-telemetry.raw-${suffix}`,
        role: 'Azure Event Hubs Data Receiver',
        scope: scopeOf('azurerm_eventhub', 'Kafka_Topic-telemetryraw'),
        principal,
        principalType: 'ServicePrincipal',
      },
      {
        path: `telemetry-dev/Kafka/DataSender-telemetry.enriched-${suffix}`,
        role: 'Azure Event Hubs Data Sender',
        scope: scopeOf('azurerm_eventhub', 'Kafka_Topic-telemetryenriched'),
        principal,
        principalType: 'ServicePrincipal',
      },
      {
        path: `telemetry-dev/KeyVault/SecretsUser-${suffix}`,
        role: 'Key Vault Secrets User',
        scope: scopeOf('azurerm_key_vault', 'KeyVault'),
        principal,
        principalType: 'ServicePrincipal',
      },
      {
        path: `telemetry-dev/Registry/AcrPull-${suffix}`,
        role: 'AcrPull',
        scope: scopeOf('azurerm_container_registry', 'Registry'),
        principal,
        principalType: 'ServicePrincipal',
      },
    ]);

    const cosmos = ofType('azurerm_cosmosdb_sql_role_assignment');
    expect(cosmos).toHaveLength(1);
    expect(pathOf(cosmos[0])).toBe(
      `telemetry-dev/Cosmos/DataContributor-${suffix}-telemetry-readings`,
    );
    expect(cosmos[0]).toMatchObject({
      principal_id: principal,
      role_definition_id: expect.stringMatching(
        /sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/,
      ),
      scope: expect.stringMatching(/\/dbs\/.*Container-telemetry-readings.*\/colls\//),
    });
  });

  it("evaluates the team's own rules in the gate's report", () => {
    const report = JSON.parse(
      readFileSync(join(work, 'reports', 'telemetry-dev', 'report.json'), 'utf8'),
    ) as { findings: { ruleId: string; outcome: string }[] };
    const team = report.findings.filter((f) => f.ruleId.startsWith('team-telemetry/'));
    const outcomes = (id: string) =>
      new Set(team.filter((f) => f.ruleId === `team-telemetry/${id}`).map((f) => f.outcome));
    expect(outcomes('eu-data-residency')).toEqual(new Set(['PASS', 'NOT_APPLICABLE']));
    expect(outcomes('cost-center-tagged')).toEqual(new Set(['PASS']));
  });
});
