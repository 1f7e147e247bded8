/**
 * Issue 7, finding 9: the web app connects to PostgreSQL as its identity, so that role must be
 * created by someone. Processing (the only Entra admin) creates it at start from
 * WEB_DATABASE_PRINCIPAL_NAME/_OBJECT_ID; these tests check the stacks wire exactly the web
 * identity the web app connects as, in every environment. (Within one app cdktf renders
 * cross-stack values as remote-state outputs; synthesized alone, as here, they stay plain
 * references. The patterns accept both.)
 */
import { Testing } from 'cdktf';
import { buildApp } from './app';

type Block = Record<string, unknown>;
type Json = { resource: Record<string, Record<string, Block>> };

const envOf = (deployment: Block): Map<string, string> => {
  const spec = deployment.spec as { template: { spec: { container: Block[] } } };
  const env = (spec.template.spec.container[0].env ?? []) as { name: string; value?: string }[];
  return new Map(env.map((e) => [e.name, e.value ?? '']));
};

describe.each(buildApp(Testing.app()))('database principals', ({ platform, workloads }) => {
  const p = JSON.parse(Testing.synth(platform)) as Json;
  const w = JSON.parse(Testing.synth(workloads)) as Json;
  const [webApp] = Object.values(p.resource.azurerm_linux_web_app);
  const webIdentity = /\$\{azurerm_user_assigned_identity\.([\w-]+)\.name\}@/.exec(
    (webApp.app_settings as Record<string, string>).DATABASE_URL,
  )![1];
  const processing = Object.entries(w.resource.kubernetes_deployment_v1).find(([name]) =>
    name.startsWith('Workload-processing'),
  )![1];
  const env = envOf(processing);

  it(`${platform.node.id}: processing creates the role of the identity the web app connects as`, () => {
    expect(env.get('WEB_DATABASE_PRINCIPAL_NAME')).toMatch(
      new RegExp(`azurerm_user_assigned_identity\\.?${webIdentity}\\.?name\\}$`),
    );
    expect(env.get('WEB_DATABASE_PRINCIPAL_OBJECT_ID')).toMatch(
      new RegExp(`azurerm_user_assigned_identity\\.?${webIdentity}\\.?principal_id\\}$`),
    );
  });

  it(`${platform.node.id}: processing connects as an Entra admin, which may create roles`, () => {
    const admins = Object.values(
      p.resource.azurerm_postgresql_flexible_server_active_directory_administrator,
    );
    expect(admins).toHaveLength(1);
    expect(admins[0].principal_name).toMatch(/-processing$/);
    expect(env.get('DATABASE_URL')).toContain('ProcessingIdentity');
    expect(env.get('DATABASE_AUTH')).toBe('entra');
  });
});
