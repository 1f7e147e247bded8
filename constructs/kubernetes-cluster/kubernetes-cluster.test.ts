import type { TerraformStack } from 'cdktf';
import { TerraformVariable, Testing } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KubernetesCluster as AzKubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { ManagementLock } from '@cdktf/provider-azurerm/lib/management-lock';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { KubernetesCluster } from './kubernetes-cluster';
import type { IKubernetesCluster, KubernetesClusterProps } from './kubernetes-cluster';
import { testScope } from '../../test/construct-helpers';

const subnet = { id: 'snet-nodes-id', name: 'snet-aks-nodes' };
const controlPlane = {
  id: '/subscriptions/s/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks',
  principalId: 'cp-principal',
  clientId: 'cp-client',
};
const kubelet = {
  id: '/subscriptions/s/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-kubelet',
  principalId: 'kubelet-principal',
  clientId: 'kubelet-client',
};

function synth(
  props: Partial<KubernetesClusterProps> = {},
  extra?: (aks: KubernetesCluster, stack: TerraformStack) => void,
  propsIn?: (stack: TerraformStack) => Partial<KubernetesClusterProps>,
): string {
  const { stack, rg } = testScope();
  const aks = new KubernetesCluster(stack, 'Aks', {
    name: 'aks-iot-test',
    resourceGroup: rg,
    subnet,
    privateCluster: true,
    ...props,
    ...propsIn?.(stack),
  });
  extra?.(aks, stack);
  return Testing.synth(stack);
}

function resources(out: string, type: string): Record<string, Record<string, unknown>> {
  return (JSON.parse(out).resource[type] ?? {}) as Record<string, Record<string, unknown>>;
}

describe('KubernetesCluster', () => {
  it('is secure by default: entra id with azure rbac, no local accounts, private api server, no run command', () => {
    expect(synth()).toHaveResourceWithProperties(AzKubernetesCluster, {
      role_based_access_control_enabled: true,
      local_account_disabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
      private_cluster_enabled: true,
      private_cluster_public_fqdn_enabled: false,
      private_dns_zone_id: 'System',
      run_command_enabled: false,
      azure_policy_enabled: true,
      image_cleaner_enabled: true,
      image_cleaner_interval_hours: 48,
      sku_tier: 'Standard',
    });
  });

  it('uses azure cni overlay with cilium network policy and derives the cluster dns address', () => {
    expect(synth()).toHaveResourceWithProperties(AzKubernetesCluster, {
      network_profile: {
        network_plugin: 'azure',
        network_plugin_mode: 'overlay',
        network_policy: 'cilium',
        network_data_plane: 'cilium',
        // FQDN egress (Entra ID for workload identity) needs ACNS container network security
        advanced_networking: { security_enabled: true, observability_enabled: false },
        pod_cidr: '192.168.0.0/16',
        service_cidr: '172.16.0.0/16',
        dns_service_ip: '172.16.0.10',
        outbound_type: 'loadBalancer',
        load_balancer_sku: 'standard',
      },
    });
    expect(
      synth({ networkPolicy: 'azure', serviceCidr: '10.100.0.0/20' }),
    ).toHaveResourceWithProperties(AzKubernetesCluster, {
      network_profile: expect.objectContaining({
        network_policy: 'azure',
        network_data_plane: 'azure',
        dns_service_ip: '10.100.0.10',
      }),
    });
    expect(synth({ networkPolicy: 'azure' }).includes('advanced_networking')).toBe(false);
    expect(() => synth({ networkPolicy: 'azure', containerNetworkSecurity: true })).toThrow(
      /invalid containerNetworkSecurity true: container network security \(FQDN filtering\) needs networkPolicy "cilium"/,
    );
  });

  it('turns on workload identity, the secrets provider with rotation, istio, keda and upgrade windows', () => {
    expect(synth()).toHaveResourceWithProperties(AzKubernetesCluster, {
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      key_vault_secrets_provider: { secret_rotation_enabled: true, secret_rotation_interval: '2m' },
      service_mesh_profile: {
        mode: 'Istio',
        revisions: ['asm-1-29'],
        internal_ingress_gateway_enabled: true,
        external_ingress_gateway_enabled: false,
      },
      workload_autoscaler_profile: { keda_enabled: true, vertical_pod_autoscaler_enabled: false },
      auto_scaler_profile: { balance_similar_node_groups: true, expander: 'least-waste' },
      automatic_upgrade_channel: 'patch',
      node_os_upgrade_channel: 'NodeImage',
      maintenance_window_auto_upgrade: expect.objectContaining({
        frequency: 'Weekly',
        day_of_week: 'Sunday',
        duration: 4,
      }),
      maintenance_window_node_os: expect.objectContaining({
        frequency: 'Weekly',
        day_of_week: 'Saturday',
      }),
    });
  });

  it('takes monthly maintenance windows with their day and freeze periods', () => {
    expect(
      synth({
        maintenanceWindowNodeOs: {
          frequency: 'RelativeMonthly',
          weekIndex: 'Last',
          dayOfWeek: 'Tuesday',
          notAllowed: [{ start: '2026-12-20T00:00:00Z', end: '2027-01-03T00:00:00Z' }],
        },
        maintenanceWindowAutoUpgrade: { frequency: 'AbsoluteMonthly', dayOfMonth: 15 },
      }),
    ).toHaveResourceWithProperties(AzKubernetesCluster, {
      maintenance_window_node_os: expect.objectContaining({
        frequency: 'RelativeMonthly',
        week_index: 'Last',
        day_of_week: 'Tuesday',
        not_allowed: [{ start: '2026-12-20T00:00:00Z', end: '2027-01-03T00:00:00Z' }],
      }),
      maintenance_window_auto_upgrade: expect.objectContaining({
        frequency: 'AbsoluteMonthly',
        day_of_month: 15,
      }),
    });
  });

  it('can leave the mesh out', () => {
    const cluster = Object.values(
      resources(synth({ serviceMesh: false }), 'azurerm_kubernetes_cluster'),
    )[0];
    expect(cluster.service_mesh_profile).toBeUndefined();
  });

  it('taints the system pool for critical add-ons, autoscales it over the zones and ignores autoscaled counts', () => {
    const out = synth({ zones: ['1', '2', '3'] });
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      default_node_pool: expect.objectContaining({
        name: 'system',
        only_critical_addons_enabled: true,
        auto_scaling_enabled: true,
        min_count: 3,
        max_count: 6,
        zones: ['1', '2', '3'],
        vnet_subnet_id: 'snet-nodes-id',
        os_sku: 'AzureLinux',
        node_public_ip_enabled: false,
      }),
      lifecycle: { ignore_changes: ['default_node_pool[0].node_count'] },
    });
  });

  it('sends container insights through managed identity with its data collection rule', () => {
    const out = synth({ containerInsightsWorkspace: { id: 'law-id' } });
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      oms_agent: { log_analytics_workspace_id: 'law-id', msi_auth_for_monitoring_enabled: true },
    });
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionRule, {
      kind: 'Linux',
      destinations: { log_analytics: [{ name: 'ciworkspace', workspace_resource_id: 'law-id' }] },
    });
    expect(out).toHaveResourceWithProperties(MonitorDataCollectionRuleAssociation, {
      target_resource_id: expect.stringMatching(/azurerm_kubernetes_cluster\.Aks_[0-9A-F]+\.id/),
    });
  });

  it('adds defender, a disk encryption set, diagnostics, a lock and tags when asked', () => {
    const out = synth({
      defenderWorkspace: { id: 'law-sec' },
      diskEncryptionSet: { id: 'des-id' },
      diagnosticSettings: { law: { workspace: { id: 'law-id' } } },
      lock: { kind: 'CanNotDelete' },
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      microsoft_defender: { log_analytics_workspace_id: 'law-sec' },
      disk_encryption_set_id: 'des-id',
      tags: { env: 'test' },
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      enabled_log: [{ category_group: 'allLogs' }],
    });
    expect(out).toHaveResourceWithProperties(ManagementLock, { lock_level: 'CanNotDelete' });
  });

  it('opens a public api server only to authorized ranges', () => {
    const out = synth({ privateCluster: false, authorizedIpRanges: ['203.0.113.0/24'] });
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      private_cluster_enabled: false,
      api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] },
    });
  });

  it('takes authorized ranges from a terraform variable (a token list) and leaves their check to it', () => {
    const out = synth({}, undefined, (stack) => ({
      privateCluster: false,
      authorizedIpRanges: new TerraformVariable(stack, 'ranges', { type: 'list(string)' })
        .listValue,
    }));
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      api_server_access_profile: { authorized_ip_ranges: '${var.ranges}' },
    });
  });

  it('wires user-assigned control-plane and kubelet identities with the grants aks needs first', () => {
    const out = synth({
      managedIdentities: { userAssigned: [controlPlane] },
      kubeletIdentity: kubelet,
      privateDnsZone: { id: 'zone-id', name: 'privatelink.westeurope.azmk8s.io' },
    });
    expect(out).toHaveResourceWithProperties(AzKubernetesCluster, {
      identity: { type: 'UserAssigned', identity_ids: [controlPlane.id] },
      kubelet_identity: {
        user_assigned_identity_id: kubelet.id,
        client_id: 'kubelet-client',
        object_id: 'kubelet-principal',
      },
      private_dns_zone_id: 'zone-id',
    });
    const grants = Object.values(resources(out, 'azurerm_role_assignment'));
    expect(grants.map((g) => [g.role_definition_name, g.scope, g.principal_id])).toEqual([
      ['Private DNS Zone Contributor', 'zone-id', 'cp-principal'],
      ['Managed Identity Operator', kubelet.id, 'cp-principal'],
      ['Network Contributor', 'snet-nodes-id', 'cp-principal'],
    ]);
    const cluster = Object.values(resources(out, 'azurerm_kubernetes_cluster'))[0];
    expect(cluster.depends_on).toHaveLength(3);
  });

  it('grants the system-assigned control plane network contributor on its subnet', () => {
    expect(synth()).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Network Contributor',
      scope: 'snet-nodes-id',
      principal_id: expect.stringMatching(/identity\[0\]\.principal_id/),
    });
  });

  it('exposes the kubelet identity for acr pull grants, from the given identity or the cluster', () => {
    synth(
      { managedIdentities: { userAssigned: [controlPlane] }, kubeletIdentity: kubelet },
      (aks) =>
        expect(aks.kubeletIdentity).toEqual({
          principalId: 'kubelet-principal',
          clientId: 'kubelet-client',
          principalType: 'ServicePrincipal',
        }),
    );
    const out = synth({}, (aks, stack) => {
      new RoleAssignment(stack, 'Pull', {
        scope: 'acr-id',
        roleDefinitionName: 'AcrPull',
        principalId: aks.kubeletIdentity.principalId,
      });
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'AcrPull',
      principal_id: expect.stringMatching(/kubelet_identity\[0\]\.object_id/),
    });
  });

  it('adds user pools that inherit subnet and zones, with taints', () => {
    const out = synth({ zones: ['1', '2'] }, (aks) => {
      const pool = aks.addUserPool('stream', {
        minCount: 0,
        maxCount: 12,
        nodeTaints: ['workload=stream:NoSchedule'],
        nodeLabels: { workload: 'stream' },
      });
      expect(pool).toBeInstanceOf(KubernetesClusterNodePool);
      aks.addUserPool('batch', { autoScaling: false, nodeCount: 2, zones: ['3'] });
    });
    expect(out).toHaveResourceWithProperties(KubernetesClusterNodePool, {
      name: 'stream',
      mode: 'User',
      min_count: 0,
      max_count: 12,
      zones: ['1', '2'],
      vnet_subnet_id: 'snet-nodes-id',
      node_taints: ['workload=stream:NoSchedule'],
      node_labels: { workload: 'stream' },
      lifecycle: { ignore_changes: ['node_count'] },
    });
    const batch = Object.values(resources(out, 'azurerm_kubernetes_cluster_node_pool')).find(
      (p) => p.name === 'batch',
    );
    expect(batch).toMatchObject({ auto_scaling_enabled: false, node_count: 2, zones: ['3'] });
    expect(batch?.lifecycle).toBeUndefined();
  });

  it('federates a service account with a user-assigned identity', () => {
    const out = synth({}, (aks, stack) => {
      const id = new UserAssignedIdentity(stack, 'Ingest', {
        name: 'id-ingest',
        location: 'westeurope',
        resourceGroupName: 'rg-ids',
      });
      expect(aks.federatedIdentity('ingest', 'iot', id)).toBeInstanceOf(
        FederatedIdentityCredential,
      );
      aks.federatedIdentity('web', 'iot', controlPlane);
    });
    expect(out).toHaveResourceWithProperties(FederatedIdentityCredential, {
      audience: ['api://AzureADTokenExchange'],
      issuer: expect.stringMatching(/azurerm_kubernetes_cluster\.Aks_[0-9A-F]+\.oidc_issuer_url/),
      subject: 'system:serviceaccount:iot:ingest',
      resource_group_name: '${azurerm_user_assigned_identity.Ingest.resource_group_name}',
      parent_id: '${azurerm_user_assigned_identity.Ingest.id}',
    });
    // Without a resource group name it is read from the identity's resource id.
    expect(out).toHaveResourceWithProperties(FederatedIdentityCredential, {
      subject: 'system:serviceaccount:iot:web',
      resource_group_name: expect.stringContaining('element(split("/"'),
    });
  });

  it('grants cluster admin, cluster user and namespace-scoped writer', () => {
    const p = { principalId: 'ops', principalType: 'Group' as const };
    const out = synth({}, (cluster) => {
      const aks: IKubernetesCluster = cluster; // code holding the interface grants too
      expect(aks.grantClusterAdmin(p)).toBeInstanceOf(RoleAssignment);
      aks.grantClusterUser(p);
      aks.grantNamespaceWriter({ principalId: 'team' }, 'iot');
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Azure Kubernetes Service RBAC Cluster Admin',
      principal_id: 'ops',
      scope: expect.stringMatching(/^\$\{azurerm_kubernetes_cluster\.Aks_[0-9A-F]+\.id\}$/),
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Azure Kubernetes Service Cluster User Role',
      principal_id: 'ops',
    });
    expect(out).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Azure Kubernetes Service RBAC Writer',
      principal_id: 'team',
      scope: expect.stringMatching(/\.id\}\/namespaces\/iot$/),
    });
  });

  it.each([
    ['name', { name: '-aks' }, /invalid name "-aks": a kubernetes cluster name allows/],
    ['dnsPrefix', { dnsPrefix: '1aks' }, /invalid dnsPrefix "1aks"/],
    ['dnsPrefix', { name: 'aks_iot' }, /invalid dnsPrefix "aks_iot": the dns prefix defaults/],
    ['subnet', { subnet: undefined as never }, /invalid subnet \(undefined\): azure cni places/],
    ['kubernetesVersion', { kubernetesVersion: 'v1.30' }, /invalid kubernetesVersion "v1.30"/],
    ['skuTier', { skuTier: 'Gold' as never }, /invalid skuTier "Gold": allowed values are/],
    ['zones', { zones: ['1', '4'] as never }, /invalid zones \["1","4"\]: allowed is a subset/],
    ['zones', { zones: ['1', '1'] as never }, /without repeats/],
    ['podCidr', { podCidr: '10.0.0.0/33' }, /invalid podCidr "10.0.0.0\/33"/],
    [
      'dnsServiceIp',
      { dnsServiceIp: '10.0.0.10' },
      /invalid dnsServiceIp "10.0.0.10": the cluster dns address must lie inside serviceCidr 172.16.0.0\/16/,
    ],
    [
      'privateCluster',
      { privateCluster: false },
      /invalid privateCluster false: a public api server needs authorizedIpRanges/,
    ],
    [
      'authorizedIpRanges',
      { authorizedIpRanges: ['203.0.113.0/24'] },
      /invalid authorizedIpRanges \["203.0.113.0\/24"\]: authorizedIpRanges cannot be combined with privateCluster/,
    ],
    [
      'authorizedIpRanges',
      { privateCluster: false, authorizedIpRanges: ['203.0.113.0/40'] },
      /invalid authorizedIpRanges\[0\]/,
    ],
    [
      'privateEndpoints',
      {
        privateCluster: false,
        authorizedIpRanges: ['1.2.3.4/32'],
        privateEndpoints: { main: { subnet, privateDnsZones: [] } },
      },
      /invalid privateEndpoints 1: private endpoints to the api server need privateCluster/,
    ],
    [
      'managedIdentities',
      { managedIdentities: { systemAssigned: true, userAssigned: [controlPlane] } },
      /invalid managedIdentities .*: aks takes either a system-assigned identity or exactly one/,
    ],
    [
      'kubeletIdentity',
      { kubeletIdentity: kubelet },
      /invalid kubeletIdentity .*needs a user-assigned control-plane/,
    ],
    [
      'privateDnsZone',
      { privateDnsZone: { id: 'z', name: 'privatelink.westeurope.azmk8s.io' } },
      /invalid privateDnsZone "privatelink.westeurope.azmk8s.io": a custom private dns zone needs/,
    ],
    [
      'serviceMesh.revisions',
      { serviceMesh: { revisions: ['1.29'] } },
      /invalid serviceMesh.revisions\[0\] "1.29": an istio add-on revision looks like asm-1-29/,
    ],
    [
      'serviceMesh.revisions',
      { serviceMesh: { revisions: ['asm-1-28', 'asm-1-29', 'asm-1-30'] } },
      /allowed is one revision, or two during a canary upgrade/,
    ],
    [
      'maintenanceWindowAutoUpgrade.durationHours',
      { maintenanceWindowAutoUpgrade: { durationHours: 2 } },
      /invalid maintenanceWindowAutoUpgrade.durationHours 2: allowed is an integer from 4 to 24 hours/,
    ],
    [
      'maintenanceWindowAutoUpgrade.interval',
      { maintenanceWindowAutoUpgrade: { frequency: 'Weekly', interval: 5 } },
      /invalid maintenanceWindowAutoUpgrade.interval 5: allowed is an integer from 1 to 4/,
    ],
    [
      'maintenanceWindowAutoUpgrade',
      { automaticUpgradeChannel: 'none', maintenanceWindowAutoUpgrade: {} },
      /an upgrade window needs an automaticUpgradeChannel other than "none"/,
    ],
    [
      'maintenanceWindowNodeOs.startTime',
      { maintenanceWindowNodeOs: { startTime: '25:00' } },
      /invalid maintenanceWindowNodeOs.startTime "25:00": allowed is HH:mm/,
    ],
    [
      'imageCleanerIntervalHours',
      { imageCleanerIntervalHours: 12 },
      /invalid imageCleanerIntervalHours 12: allowed is an integer from 24 to 2160 hours/,
    ],
    ['systemPool.name', { systemPool: { name: 'System-1' } }, /invalid systemPool.name "System-1"/],
    [
      'systemPool.minCount',
      { systemPool: { minCount: 0 } },
      /invalid systemPool.minCount 0: allowed is an integer from 1 to 1000 nodes/,
    ],
    [
      'systemPool.minCount',
      { systemPool: { minCount: 5, maxCount: 4 } },
      /invalid systemPool.minCount 5: minCount must not exceed maxCount \(4\)/,
    ],
    [
      'systemPool.maxPods',
      { systemPool: { maxPods: 300 } },
      /invalid systemPool.maxPods 300: allowed is an integer from 10 to 250 pods per node/,
    ],
    [
      'systemPool.nodeCount',
      { systemPool: { nodeCount: 3 } },
      /invalid systemPool.nodeCount 3: with autoScaling the autoscaler owns the node count/,
    ],
    [
      'systemPool.maxSurge',
      { systemPool: { maxSurge: '150%' } },
      /invalid systemPool.maxSurge "150%"/,
    ],
  ])('rejects a bad %s with a message naming it', (_prop, props, message) => {
    expect(() => synth(props as Partial<KubernetesClusterProps>)).toThrow(message);
  });

  it.each([
    [
      'name',
      (aks: KubernetesCluster) => aks.addUserPool('workloadpool01'),
      /invalid addUserPool\(workloadpool01\).name "workloadpool01": a aks node pool name is 1 to 12/,
    ],
    [
      'zones',
      (aks: KubernetesCluster) => aks.addUserPool('stream', { zones: ['0'] as never }),
      /invalid addUserPool\(stream\).zones/,
    ],
    [
      'counts',
      (aks: KubernetesCluster) => aks.addUserPool('stream', { autoScaling: false, minCount: 1 }),
      /invalid addUserPool\(stream\).autoScaling false: minCount and maxCount only apply with autoScaling/,
    ],
    [
      'taints',
      (aks: KubernetesCluster) => aks.addUserPool('stream', { nodeTaints: ['dedicated'] }),
      /invalid addUserPool\(stream\).nodeTaints\[0\] "dedicated"/,
    ],
    [
      'namespace',
      (aks: KubernetesCluster) => aks.federatedIdentity('ingest', 'IoT', controlPlane),
      /invalid federatedIdentity.namespace "IoT"/,
    ],
  ])('rejects a bad user pool or federation %s', (_what, act, message) => {
    expect(() => synth({}, (aks) => act(aks))).toThrow(message);
  });

  it('carries the construct path in validation errors', () => {
    expect(() => synth({ kubernetesVersion: 'latest' })).toThrow(
      /^test\/Aks: invalid kubernetesVersion "latest"/,
    );
  });
});
