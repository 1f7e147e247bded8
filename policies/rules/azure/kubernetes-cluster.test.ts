import { testRule } from '../../testing';
import { kubernetesClusterApiServerRestricted } from './kubernetes-cluster-api-server-restricted';
import { kubernetesClusterAutoUpgradeEnabled } from './kubernetes-cluster-auto-upgrade-enabled';
import { kubernetesClusterAzurePolicyEnabled } from './kubernetes-cluster-azure-policy-enabled';
import { kubernetesClusterDefenderEnabled } from './kubernetes-cluster-defender-enabled';
import { kubernetesClusterEntraRbacEnabled } from './kubernetes-cluster-entra-rbac-enabled';
import { kubernetesClusterHostEncryptionEnabled } from './kubernetes-cluster-host-encryption-enabled';
import { kubernetesClusterLocalAccountsDisabled } from './kubernetes-cluster-local-accounts-disabled';
import { kubernetesClusterMonitoringEnabled } from './kubernetes-cluster-monitoring-enabled';
import { kubernetesClusterNetworkPolicyEnabled } from './kubernetes-cluster-network-policy-enabled';
import { kubernetesClusterNodePublicIpDisabled } from './kubernetes-cluster-node-public-ip-disabled';
import { kubernetesClusterSecretsEncryptedWithKms } from './kubernetes-cluster-secrets-encrypted-with-kms';
import { kubernetesClusterWorkloadIdentityEnabled } from './kubernetes-cluster-workload-identity-enabled';
import { kubernetesClusterDiskEncryptionSetAttached } from './kubernetes-cluster-disk-encryption-set-attached';

const AKS = 'azurerm_kubernetes_cluster.aks';
const POOL = 'azurerm_kubernetes_cluster_node_pool.user';

testRule(kubernetesClusterLocalAccountsDisabled, {
  compliant: [{ [AKS]: { local_account_disabled: true } }],
  nonCompliant: [{ [AKS]: {} }],
});

testRule(kubernetesClusterEntraRbacEnabled, {
  compliant: [
    { [AKS]: { azure_active_directory_role_based_access_control: { azure_rbac_enabled: true } } },
  ],
  nonCompliant: [
    { [AKS]: {} },
    {
      [AKS]: {
        role_based_access_control_enabled: false,
        azure_active_directory_role_based_access_control: { azure_rbac_enabled: true },
      },
    },
  ],
});

testRule(kubernetesClusterApiServerRestricted, {
  compliant: [
    { [AKS]: { private_cluster_enabled: true } },
    { [AKS]: { api_server_access_profile: { authorized_ip_ranges: ['20.61.12.0/24'] } } },
    // azurerm 3.x top-level attribute moved into the 4.x block.
    { [AKS]: { api_server_authorized_ip_ranges: ['20.61.12.0/24'] } },
  ],
  nonCompliant: [
    { [AKS]: {} },
    { [AKS]: { api_server_access_profile: [{ authorized_ip_ranges: ['0.0.0.0/0'] }] } },
    // Documentation ranges (RFC 5737, RFC 3849) are placeholders, no real network.
    { [AKS]: { api_server_access_profile: { authorized_ip_ranges: ['203.0.113.0/24'] } } },
    {
      [AKS]: {
        api_server_access_profile: { authorized_ip_ranges: ['20.61.12.0/24', '198.51.100.7'] },
      },
    },
    { [AKS]: { api_server_access_profile: { authorized_ip_ranges: ['2001:db8:1::/48'] } } },
  ],
  unknown: [{ [AKS]: { api_server_access_profile: { authorized_ip_ranges: '${var.ranges}' } } }],
});

testRule(kubernetesClusterNetworkPolicyEnabled, {
  compliant: [
    { [AKS]: { network_profile: { network_plugin: 'azure', network_policy: 'cilium' } } },
  ],
  nonCompliant: [{ [AKS]: { network_profile: { network_plugin: 'kubenet' } } }],
});

testRule(kubernetesClusterSecretsEncryptedWithKms, {
  compliant: [
    { [AKS]: { key_management_service: { key_vault_key_id: '${azurerm_key_vault_key.k.id}' } } },
  ],
  nonCompliant: [{ [AKS]: {} }],
});

testRule(kubernetesClusterHostEncryptionEnabled, {
  compliant: [
    { [AKS]: { default_node_pool: { host_encryption_enabled: true } } },
    { [AKS]: { default_node_pool: { enable_host_encryption: true } } },
    { [POOL]: { host_encryption_enabled: 'true' } },
  ],
  nonCompliant: [{ [AKS]: { default_node_pool: { name: 'system' } } }, { [POOL]: {} }],
});

testRule(kubernetesClusterNodePublicIpDisabled, {
  compliant: [{ [AKS]: { default_node_pool: { name: 'system' } } }, { [POOL]: {} }],
  nonCompliant: [
    { [AKS]: { default_node_pool: { enable_node_public_ip: true } } },
    { [POOL]: { node_public_ip_enabled: true } },
  ],
});

testRule(kubernetesClusterAzurePolicyEnabled, {
  compliant: [{ [AKS]: { azure_policy_enabled: true } }],
  nonCompliant: [{ [AKS]: {} }],
});

testRule(kubernetesClusterDefenderEnabled, {
  compliant: [
    {
      [AKS]: {
        microsoft_defender: {
          log_analytics_workspace_id: '${azurerm_log_analytics_workspace.l.id}',
        },
      },
    },
  ],
  nonCompliant: [{ [AKS]: {} }],
});

testRule(kubernetesClusterWorkloadIdentityEnabled, {
  compliant: [{ [AKS]: { oidc_issuer_enabled: true, workload_identity_enabled: true } }],
  nonCompliant: [{ [AKS]: { oidc_issuer_enabled: true } }],
});

testRule(kubernetesClusterAutoUpgradeEnabled, {
  compliant: [
    { [AKS]: { automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'NodeImage' } },
    { [AKS]: { automatic_channel_upgrade: 'stable' } },
  ],
  nonCompliant: [
    { [AKS]: {} },
    { [AKS]: { automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'None' } },
  ],
});

testRule(kubernetesClusterMonitoringEnabled, {
  compliant: [
    {
      [AKS]: {
        oms_agent: { log_analytics_workspace_id: 'x', msi_auth_for_monitoring_enabled: true },
      },
    },
  ],
  nonCompliant: [{ [AKS]: {} }],
});

testRule(kubernetesClusterDiskEncryptionSetAttached, {
  compliant: [
    { [AKS]: { disk_encryption_set_id: '${azurerm_disk_encryption_set.des.id}' } },
    {
      [AKS]: {
        disk_encryption_set_id:
          '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des',
      },
    },
  ],
  nonCompliant: [{ [AKS]: {} }, { [AKS]: { disk_encryption_set_id: '' } }],
  unknown: [{ [AKS]: { disk_encryption_set_id: '${var.des_id}' } }],
});
