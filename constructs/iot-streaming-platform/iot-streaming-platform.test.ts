import { Lazy, Testing } from 'cdktf';
import { CosmosdbSqlRoleAssignment } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { testScope } from '../../test/construct-helpers';
import { dev, prod } from '../../stacks/environments';
import type { EnvironmentConfig } from '../../stacks/environments';
import { IotStreamingPlatform } from './iot-streaming-platform';
import type { IotStreamingPlatformProps } from './iot-streaming-platform';

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOqK8ttoVxBdfvswfvjkBMKLh4aQHWWsbmJXzEGQ+UVk ops-break-glass';

const WEB_DIGEST = `sha256:${'c'.repeat(64)}`;

function props(
  env: EnvironmentConfig,
  over: Partial<IotStreamingPlatformProps> = {},
): IotStreamingPlatformProps {
  const backbone =
    env.platform.backbone.kind === 'hdinsight'
      ? {
          ...env.platform.backbone,
          gatewayPassword: Lazy.stringValue({ produce: () => '${var.hdinsight_gateway_password}' }),
          sshPublicKeys: [SSH_KEY],
        }
      : env.platform.backbone;
  // What the platform stack takes from deploy-time inputs (stacks/deploy-inputs.ts).
  const { alertReceivers, ...monitoring } = env.platform.monitoring;
  return {
    ...env.platform,
    monitoring: {
      ...monitoring,
      alertEmails: alertReceivers.map((name) => ({ name, emailAddress: `${name}@contoso.com` })),
    },
    aks: {
      ...env.platform.aks,
      adminGroupObjectIds: ['0b5cd7f4-2f61-4f0e-9a8e-51c1b0c6d7a2'],
      authorizedIpRanges: env.platform.aks.privateCluster ? undefined : ['20.61.14.0/28'],
    },
    tenantId: '00000000-0000-0000-0000-0000000000aa',
    webSignInClientId: Lazy.stringValue({ produce: () => '${var.web_signin_client_id}' }),
    webApp: { ...env.platform.webApp, imageDigest: WEB_DIGEST },
    backbone,
    apiManagement: {
      ...env.platform.apiManagement,
      publisherEmail: 'iot-platform@contoso.com',
      ingestOpenApiDocument: '{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}',
    },
    ...over,
  };
}

function build(p: IotStreamingPlatformProps): { out: string; platform: IotStreamingPlatform } {
  const { stack } = testScope();
  const platform = new IotStreamingPlatform(stack, 'Platform', p);
  return { out: Testing.synth(stack), platform };
}

describe('IotStreamingPlatform', () => {
  const { out, platform } = build(props(dev));
  const roles = (JSON.parse(out).resource.azurerm_role_assignment ?? {}) as Record<
    string,
    { role_definition_name: string; principal_id: string; scope: string }
  >;
  const grants = Object.values(roles).map(
    (r) => `${r.role_definition_name} -> ${r.principal_id} @ ${r.scope}`,
  );

  it('lets the AKS kubelet and the web app, and only them, pull from the registry', () => {
    const pulls = grants.filter((g) => g.startsWith('AcrPull'));
    expect(pulls).toHaveLength(2);
    expect(pulls.some((g) => g.includes('KubeletIdentity'))).toBe(true);
    expect(pulls.some((g) => g.includes('WebIdentity'))).toBe(true);
  });

  it('puts entra sign-in in front of the dashboard, redeemed with the web identity (no secret)', () => {
    const [app] = Object.values(JSON.parse(out).resource.azurerm_linux_web_app) as Record<
      string,
      never
    >[];
    expect(app.auth_settings_v2).toMatchObject({
      auth_enabled: true,
      require_authentication: true,
      active_directory_v2: {
        client_id: '${var.web_signin_client_id}',
        tenant_auth_endpoint:
          'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa/v2.0',
        client_secret_setting_name: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID',
      },
    });
    expect(app.app_settings).toMatchObject({
      OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: expect.stringMatching(/WebIdentity.*\.client_id\}$/),
    });
  });

  it('gives ingest data-plane write on the readings container only', () => {
    expect(out).toHaveResourceWithProperties(CosmosdbSqlRoleAssignment, {
      principal_id: expect.stringContaining('IngestIdentity'),
      scope: expect.stringMatching(
        /\/dbs\/\$\{azurerm_cosmosdb_sql_container\.\w+_Container-iot-readings_\w+\.database_name\}\/colls\/\$\{azurerm_cosmosdb_sql_container\.\w+_Container-iot-readings_\w+\.name\}$/,
      ),
    });
  });

  it('grants each workload only its own topics on Event Hubs', () => {
    const senders = grants.filter((g) => g.startsWith('Azure Event Hubs Data Sender'));
    const receivers = grants.filter((g) => g.startsWith('Azure Event Hubs Data Receiver'));
    expect(senders.filter((g) => g.includes('IngestIdentity'))).toHaveLength(1);
    expect(senders.filter((g) => g.includes('AnalysisIdentity'))).toHaveLength(3);
    expect(receivers.filter((g) => g.includes('ProcessingIdentity'))).toHaveLength(2);
    expect(grants.some((g) => /^(Owner|Contributor|User Access Administrator) ->/.test(g))).toBe(
      false,
    );
  });

  it('federates each workload identity with its service account in the iot namespace', () => {
    for (const w of ['ingest', 'analysis', 'processing']) {
      expect(out).toHaveResourceWithProperties(FederatedIdentityCredential, {
        subject: `system:serviceaccount:iot:${w}`,
      });
    }
    expect(platform.workloadNamespace).toBe('iot');
  });

  it('sends diagnostics of every service to the one workspace', () => {
    const settings = Object.values(JSON.parse(out).resource.azurerm_monitor_diagnostic_setting) as {
      log_analytics_workspace_id: string;
    }[];
    expect(settings.length).toBeGreaterThanOrEqual(12);
    expect(new Set(settings.map((s) => s.log_analytics_workspace_id)).size).toBe(1);
    expect(out).toHaveResource(MonitorDiagnosticSetting);
  });

  it('keeps every data service off the public internet', () => {
    const r = JSON.parse(out).resource;
    const first = (t: string) => Object.values(r[t])[0] as Record<string, unknown>;
    expect(first('azurerm_key_vault').public_network_access_enabled).toBe(false);
    expect(first('azurerm_container_registry').public_network_access_enabled).toBe(false);
    expect(first('azurerm_cosmosdb_account').public_network_access_enabled).toBe(false);
    expect(first('azurerm_eventhub_namespace').public_network_access_enabled).toBe(false);
    expect(first('azurerm_postgresql_flexible_server').public_network_access_enabled).toBe(false);
    expect(first('azurerm_linux_web_app').public_network_access_enabled).toBe(false);
  });

  it('builds the HDInsight backbone for prod with its own subnet', () => {
    const prodOut = build(props(prod)).out;
    expect(prodOut).toContain('"azurerm_hdinsight_kafka_cluster"');
    expect(prodOut).toContain('"10.50.10.0/24"');
  });

  it('gives the prod HDInsight subnet an explicit outbound path (NAT gateway) for Private Link', () => {
    const json = JSON.parse(build(props(prod)).out);
    const [cluster] = Object.values(json.resource.azurerm_hdinsight_kafka_cluster) as {
      network: { private_link_enabled: boolean };
      roles: { worker_node: { subnet_id: string } };
    }[];
    expect(cluster.network.private_link_enabled).toBe(true);
    const subnetAddress = /\$\{(azurerm_subnet\.[\w-]+)\.id\}/.exec(
      cluster.roles.worker_node.subnet_id,
    )![1];
    const associations = Object.values(
      json.resource.azurerm_subnet_nat_gateway_association ?? {},
    ) as { subnet_id: string }[];
    expect(associations.map((a) => a.subnet_id)).toContain(`\${${subnetAddress}.id}`);
  });

  it('sends HDInsight node logs to a workspace that accepts its agents (local auth on), not the entra-only one', () => {
    const json = JSON.parse(build(props(prod)).out);
    const [cluster] = Object.values(json.resource.azurerm_hdinsight_kafka_cluster) as {
      extension: { log_analytics_workspace_id: string };
    }[];
    const ws = /azurerm_log_analytics_workspace\.([\w-]+)\.workspace_id/.exec(
      cluster.extension.log_analytics_workspace_id,
    )![1];
    const workspace = json.resource.azurerm_log_analytics_workspace[ws];
    expect(workspace.local_authentication_enabled).toBe(true);
    const others = Object.entries(json.resource.azurerm_log_analytics_workspace).filter(
      ([name]) => name !== ws,
    );
    for (const [, w] of others) {
      expect((w as { local_authentication_enabled: boolean }).local_authentication_enabled).toBe(
        false,
      );
    }
  });

  it.each([
    ['namePrefix', { namePrefix: 'IoT' }, /invalid namePrefix "IoT"/],
    [
      'uniqueSuffix',
      { uniqueSuffix: 'ab' },
      /invalid uniqueSuffix "ab": a unique suffix name is 3 to 6/,
    ],
    ['environment', { environment: 'production-eu' }, /invalid environment "production-eu"/],
    [
      'postgres.highAvailability',
      {
        zones: [],
        postgres: { ...dev.platform.postgres, highAvailability: 'ZoneRedundant' as const },
      },
      /invalid postgres.highAvailability "ZoneRedundant": zone-redundant ha needs at least two zones/,
    ],
  ])('rejects a bad %s naming it', (_p, over, msg) => {
    expect(() => build(props(dev, over))).toThrow(msg);
  });

  it('runs the dashboard image by digest and refuses a tag', () => {
    const [app] = Object.values(JSON.parse(out).resource.azurerm_linux_web_app) as {
      site_config: { application_stack: { docker_image_name: string } };
    }[];
    expect(app.site_config.application_stack.docker_image_name).toBe(`iot/web@${WEB_DIGEST}`);
    const p = props(dev);
    expect(() => build({ ...p, webApp: { ...p.webApp, imageDigest: '0.1.0' } })).toThrow(
      /invalid webApp.imageDigest "0.1.0": .*sha256:<64 lower-case hex>/,
    );
  });

  it('requires a subnet prefix for the HDInsight backbone', () => {
    const p = props(prod);
    expect(() => build({ ...p, network: { ...p.network, hdinsightPrefix: undefined } })).toThrow(
      /Platform: invalid network.hdinsightPrefix \(undefined\): the hdinsight backbone needs a subnet prefix/,
    );
  });
});

describe('IotStreamingPlatform in production', () => {
  const devWith = (over: Partial<IotStreamingPlatformProps>) => props(dev, over);
  const docRange = { ...props(dev).aks, authorizedIpRanges: ['203.0.113.0/24'] };

  it('rejects literal documentation ranges and example domains when production', () => {
    expect(() => build(devWith({ production: true, aks: docRange }))).toThrow(
      /invalid aks\.authorizedIpRanges\[0\] "203\.0\.113\.0\/24"/,
    );
    const apim = { ...props(prod).apiManagement, publisherEmail: 'iot@example.com' };
    expect(() => build(props(prod, { apiManagement: apim }))).toThrow(
      /invalid apiManagement\.publisherEmail "iot@example\.com"/,
    );
  });

  it('leaves a non-production environment alone (environment is not "prod")', () => {
    expect(() => build(devWith({ aks: docRange }))).not.toThrow();
  });

  it('authorizes the deployment agents on a public API server and delegates their subnet', () => {
    const json = JSON.parse(build(props(dev)).out);
    const [cluster] = Object.values(json.resource.azurerm_kubernetes_cluster) as {
      api_server_access_profile: { authorized_ip_ranges: string };
    }[];
    expect(cluster.api_server_access_profile.authorized_ip_ranges).toMatch(
      /^\$\{concat\(\["\$\{azurerm_public_ip\.\w+\.ip_address\}\/32"\], \["20\.61\.14\.0\/28"\]\)\}$/,
    );
    const subnet = Object.values(json.resource.azurerm_subnet as Record<string, unknown>).find(
      (s) => (s as { name: string }).name === 'deployment-agents',
    );
    expect(subnet).toMatchObject({
      address_prefixes: [dev.platform.network.deploymentAgentsPrefix],
      default_outbound_access_enabled: false,
      delegation: [
        {
          service_delegation: {
            name: 'Microsoft.DevOpsInfrastructure/pools',
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });
  });
});
