/**
 * The platform's own pack: every rule module with its metadata — title, severity, service,
 * rationale, remediation and control mappings per framework version. Rule logic never
 * carries any of this, so a team can re-grade a rule by forking the pack, not the rule.
 */
import { definePack } from '../engine/pack';
import type { PackRule, Rule, RuleMeta } from '../engine/types';
import { apiManagementLegacyTlsDisabled } from '../rules/azure/api-management-legacy-tls-disabled';
import { apiManagementMinApiVersionSet } from '../rules/azure/api-management-min-api-version-set';
import { apiManagementPublicNetworkDisabled } from '../rules/azure/api-management-public-network-disabled';
import { containerRegistryAdminDisabled } from '../rules/azure/container-registry-admin-disabled';
import { containerRegistryContentTrustEnabled } from '../rules/azure/container-registry-content-trust-enabled';
import { containerRegistryAnonymousPullDisabled } from '../rules/azure/container-registry-anonymous-pull-disabled';
import { containerRegistryPrivateEndpointAttached } from '../rules/azure/container-registry-private-endpoint-attached';
import { containerRegistryQuarantineEnabled } from '../rules/azure/container-registry-quarantine-enabled';
import { containerRegistryPublicNetworkDisabled } from '../rules/azure/container-registry-public-network-disabled';
import { corsOriginsNotWildcard } from '../rules/azure/cors-origins-not-wildcard';
import { cosmosdbAccountCustomerManagedKey } from '../rules/azure/cosmosdb-account-customer-managed-key';
import { cosmosdbAccountKeyMetadataWritesDisabled } from '../rules/azure/cosmosdb-account-key-metadata-writes-disabled';
import { cosmosdbAccountLocalAuthDisabled } from '../rules/azure/cosmosdb-account-local-auth-disabled';
import { cosmosdbAccountPrivateEndpointAttached } from '../rules/azure/cosmosdb-account-private-endpoint-attached';
import { cosmosdbAccountPublicNetworkDisabled } from '../rules/azure/cosmosdb-account-public-network-disabled';
import { databricksClusterIsolatedAccessMode } from '../rules/azure/databricks-cluster-isolated-access-mode';
import { databricksClusterSecretsReferenced } from '../rules/azure/databricks-cluster-secrets-referenced';
import { databricksSecretScopeKeyVaultBacked } from '../rules/azure/databricks-secret-scope-key-vault-backed';
import { databricksWorkspaceCustomerManagedKey } from '../rules/azure/databricks-workspace-customer-managed-key';
import { databricksWorkspaceNoPublicIp } from '../rules/azure/databricks-workspace-no-public-ip';
import { databricksWorkspacePremium } from '../rules/azure/databricks-workspace-premium';
import { databricksWorkspacePrivateEndpointAttached } from '../rules/azure/databricks-workspace-private-endpoint-attached';
import { databricksWorkspacePublicNetworkDisabled } from '../rules/azure/databricks-workspace-public-network-disabled';
import { databricksWorkspaceVnetInjected } from '../rules/azure/databricks-workspace-vnet-injected';
import { diagnosticSettingCapturesLogs } from '../rules/azure/diagnostic-setting-captures-logs';
import { eventhubNamespaceLocalAuthDisabled } from '../rules/azure/eventhub-namespace-local-auth-disabled';
import { eventhubNamespacePublicNetworkDisabled } from '../rules/azure/eventhub-namespace-public-network-disabled';
import { eventhubNamespaceTls12 } from '../rules/azure/eventhub-namespace-tls-1-2';
import { hdinsightKafkaEncryptionAtHost } from '../rules/azure/hdinsight-kafka-encryption-at-host';
import { hdinsightKafkaEncryptionInTransit } from '../rules/azure/hdinsight-kafka-encryption-in-transit';
import { hdinsightKafkaTls12 } from '../rules/azure/hdinsight-kafka-tls-1-2';
import { hdinsightPrivateLinkSubnetHasEgress } from '../rules/azure/hdinsight-private-link-subnet-has-egress';
import { keyVaultFirewallDeniesByDefault } from '../rules/azure/key-vault-firewall-denies-by-default';
import { keyVaultKeyExpires } from '../rules/azure/key-vault-key-expires';
import { keyVaultKeyRotationAutomated } from '../rules/azure/key-vault-key-rotation-automated';
import { keyVaultKeyStrong } from '../rules/azure/key-vault-key-strong';
import { keyVaultPrivateEndpointAttached } from '../rules/azure/key-vault-private-endpoint-attached';
import { keyVaultPublicNetworkDisabled } from '../rules/azure/key-vault-public-network-disabled';
import { keyVaultPurgeProtected } from '../rules/azure/key-vault-purge-protected';
import { keyVaultRbacAuthorized } from '../rules/azure/key-vault-rbac-authorized';
import { keyVaultSecretContentTypeSet } from '../rules/azure/key-vault-secret-content-type-set';
import { keyVaultSecretExpires } from '../rules/azure/key-vault-secret-expires';
import { keyVaultSecretValueNotInCode } from '../rules/azure/key-vault-secret-value-not-in-code';
import { kubernetesClusterApiServerRestricted } from '../rules/azure/kubernetes-cluster-api-server-restricted';
import { kubernetesClusterAutoUpgradeEnabled } from '../rules/azure/kubernetes-cluster-auto-upgrade-enabled';
import { kubernetesClusterAzurePolicyEnabled } from '../rules/azure/kubernetes-cluster-azure-policy-enabled';
import { kubernetesClusterDefenderEnabled } from '../rules/azure/kubernetes-cluster-defender-enabled';
import { kubernetesClusterDiskEncryptionSetAttached } from '../rules/azure/kubernetes-cluster-disk-encryption-set-attached';
import { kubernetesClusterEntraRbacEnabled } from '../rules/azure/kubernetes-cluster-entra-rbac-enabled';
import { kubernetesClusterHostEncryptionEnabled } from '../rules/azure/kubernetes-cluster-host-encryption-enabled';
import { kubernetesClusterLocalAccountsDisabled } from '../rules/azure/kubernetes-cluster-local-accounts-disabled';
import { kubernetesClusterMonitoringEnabled } from '../rules/azure/kubernetes-cluster-monitoring-enabled';
import { kubernetesClusterNetworkPolicyEnabled } from '../rules/azure/kubernetes-cluster-network-policy-enabled';
import { kubernetesClusterNodePublicIpDisabled } from '../rules/azure/kubernetes-cluster-node-public-ip-disabled';
import { kubernetesClusterSecretsEncryptedWithKms } from '../rules/azure/kubernetes-cluster-secrets-encrypted-with-kms';
import { kubernetesClusterWorkloadIdentityEnabled } from '../rules/azure/kubernetes-cluster-workload-identity-enabled';
import { linuxWebAppAuthenticationEnabled } from '../rules/azure/linux-web-app-authentication-enabled';
import { linuxWebAppClientCertificatesRequired } from '../rules/azure/linux-web-app-client-certificates-required';
import { linuxWebAppFtpDisabled } from '../rules/azure/linux-web-app-ftp-disabled';
import { linuxWebAppHttpsOnly } from '../rules/azure/linux-web-app-https-only';
import { linuxWebAppManagedIdentity } from '../rules/azure/linux-web-app-managed-identity';
import { linuxWebAppPublicNetworkDisabled } from '../rules/azure/linux-web-app-public-network-disabled';
import { linuxWebAppRemoteDebuggingDisabled } from '../rules/azure/linux-web-app-remote-debugging-disabled';
import { linuxWebAppTls12 } from '../rules/azure/linux-web-app-tls-1-2';
import { logAnalyticsLocalAuthDisabled } from '../rules/azure/log-analytics-local-auth-disabled';
import { logAnalyticsRetention90Days } from '../rules/azure/log-analytics-retention-90-days';
import { monitorActionGroupHasAlertRules } from '../rules/azure/monitor-action-group-has-alert-rules';
import { managedRedisAccessKeysDisabled } from '../rules/azure/managed-redis-access-keys-disabled';
import { managedRedisEncryptedProtocol } from '../rules/azure/managed-redis-encrypted-protocol';
import { managedRedisPublicNetworkDisabled } from '../rules/azure/managed-redis-public-network-disabled';
import { redisAccessPolicyWritesSerialised } from '../rules/azure/redis-access-policy-writes-serialised';
import { networkSecurityGroupAllPortsNotOpenToInternet } from '../rules/azure/network-security-group-all-ports-not-open-to-internet';
import { networkSecurityGroupHttpNotOpenToInternet } from '../rules/azure/network-security-group-http-not-open-to-internet';
import { networkSecurityGroupHttpsNotOpenToInternet } from '../rules/azure/network-security-group-https-not-open-to-internet';
import { networkSecurityGroupRdpNotOpenToInternet } from '../rules/azure/network-security-group-rdp-not-open-to-internet';
import { networkSecurityGroupSshNotOpenToInternet } from '../rules/azure/network-security-group-ssh-not-open-to-internet';
import { networkSecurityGroupUdpNotOpenToInternet } from '../rules/azure/network-security-group-udp-not-open-to-internet';
import { postgresqlFlexibleServerEntraAuthOnly } from '../rules/azure/postgresql-flexible-server-entra-auth-only';
import { postgresqlFlexibleServerFirewallNotOpen } from '../rules/azure/postgresql-flexible-server-firewall-not-open';
import { postgresqlFlexibleServerGeoRedundantBackup } from '../rules/azure/postgresql-flexible-server-geo-redundant-backup';
import { postgresqlFlexibleServerLoggingParameters } from '../rules/azure/postgresql-flexible-server-logging-parameters';
import { postgresqlFlexibleServerPublicNetworkDisabled } from '../rules/azure/postgresql-flexible-server-public-network-disabled';
import { productionNoDocumentationAddresses } from '../rules/azure/production-no-documentation-addresses';
import { redisCacheEntraAuthEnabled } from '../rules/azure/redis-cache-entra-auth-enabled';
import { redisCacheNonSslPortDisabled } from '../rules/azure/redis-cache-non-ssl-port-disabled';
import { redisCachePublicNetworkDisabled } from '../rules/azure/redis-cache-public-network-disabled';
import { redisCacheTls12 } from '../rules/azure/redis-cache-tls-1-2';
import { resourceDiagnosticsEnabled } from '../rules/azure/resource-diagnostics-enabled';
import { roleAssignmentNotPrivileged } from '../rules/azure/role-assignment-not-privileged';
import { servicePlanZoneBalanced } from '../rules/azure/service-plan-zone-balanced';
import { storageAccountBlobSoftDeleteEnabled } from '../rules/azure/storage-account-blob-soft-delete-enabled';
import { storageAccountCrossTenantReplicationDisabled } from '../rules/azure/storage-account-cross-tenant-replication-disabled';
import { storageAccountCustomerManagedKey } from '../rules/azure/storage-account-customer-managed-key';
import { storageAccountHttpsOnly } from '../rules/azure/storage-account-https-only';
import { storageAccountInfrastructureEncrypted } from '../rules/azure/storage-account-infrastructure-encrypted';
import { storageAccountLakehouseHierarchicalNamespace } from '../rules/azure/storage-account-lakehouse-hierarchical-namespace';
import { storageAccountNetworkRestricted } from '../rules/azure/storage-account-network-restricted';
import { storageAccountPrivateEndpointAttached } from '../rules/azure/storage-account-private-endpoint-attached';
import { storageAccountPublicBlobAccessDisabled } from '../rules/azure/storage-account-public-blob-access-disabled';
import { storageAccountSharedKeyDisabled } from '../rules/azure/storage-account-shared-key-disabled';
import { storageAccountTls12 } from '../rules/azure/storage-account-tls-1-2';
import { subnetNsgAssociated } from '../rules/azure/subnet-nsg-associated';
import { virtualNetworkFlowLogged } from '../rules/azure/virtual-network-flow-logged';
import { kubernetesClusterAdminNotBound } from '../rules/kubernetes/kubernetes-cluster-admin-not-bound';
import { kubernetesNamespaceDefaultDenyNetworkPolicy } from '../rules/kubernetes/kubernetes-namespace-default-deny-network-policy';
import { kubernetesNamespaceMeshInitAdmitted } from '../rules/kubernetes/kubernetes-namespace-mesh-init-admitted';
import { kubernetesNamespacePodSecurityEnforced } from '../rules/kubernetes/kubernetes-namespace-pod-security-enforced';
import { kubernetesWorkloadIdentityEgressAllowed } from '../rules/kubernetes/kubernetes-workload-identity-egress-allowed';
import { kubernetesWorkloadReplicasLeftToAutoscaler } from '../rules/kubernetes/kubernetes-workload-replicas-left-to-autoscaler';
import { kubernetesRoleNoWildcards } from '../rules/kubernetes/kubernetes-role-no-wildcards';
import { kubernetesRoleSecretsNotReadable } from '../rules/kubernetes/kubernetes-role-secrets-not-readable';
import { kubernetesSecretNotInCode } from '../rules/kubernetes/kubernetes-secret-not-in-code';
import { kubernetesServiceNotExposedPublicly } from '../rules/kubernetes/kubernetes-service-not-exposed-publicly';
import { kubernetesServiceAccountTokenNotAutomounted } from '../rules/kubernetes/kubernetes-service-account-token-not-automounted';
import { kubernetesWorkloadCapabilitiesDropped } from '../rules/kubernetes/kubernetes-workload-capabilities-dropped';
import { kubernetesWorkloadHostNamespacesNotShared } from '../rules/kubernetes/kubernetes-workload-host-namespaces-not-shared';
import { kubernetesWorkloadImagePinnedByDigest } from '../rules/kubernetes/kubernetes-workload-image-pinned-by-digest';
import { kubernetesWorkloadNotInDefaultNamespace } from '../rules/kubernetes/kubernetes-workload-not-in-default-namespace';
import { kubernetesWorkloadNotPrivileged } from '../rules/kubernetes/kubernetes-workload-not-privileged';
import { kubernetesWorkloadPrivilegeEscalationDisabled } from '../rules/kubernetes/kubernetes-workload-privilege-escalation-disabled';
import { kubernetesWorkloadProbesDefined } from '../rules/kubernetes/kubernetes-workload-probes-defined';
import { kubernetesWorkloadReadOnlyRootFilesystem } from '../rules/kubernetes/kubernetes-workload-read-only-root-filesystem';
import { kubernetesWorkloadResourcesBounded } from '../rules/kubernetes/kubernetes-workload-resources-bounded';
import { kubernetesWorkloadRunsAsNonRoot } from '../rules/kubernetes/kubernetes-workload-runs-as-non-root';
import { kubernetesWorkloadSeccompRuntimeDefault } from '../rules/kubernetes/kubernetes-workload-seccomp-runtime-default';
import { kubernetesWorkloadSecretsMountedAsFiles } from '../rules/kubernetes/kubernetes-workload-secrets-mounted-as-files';
import { kubernetesWorkloadServiceAccountTokenScoped } from '../rules/kubernetes/kubernetes-workload-service-account-token-scoped';
import { resourceTypeReviewed } from '../rules/unjudged/resource-type-reviewed';

const CIS2 = 'cis-azure-2.0.0';
const CIS3 = 'cis-azure-3.0.0';
const AKS = 'cis-aks-1.8.0';
const MCSB = 'mcsb-v3';

const r = (rule: Rule, meta: RuleMeta): PackRule => ({ rule, ...meta });

/** The Azure IoT streaming platform pack. */
export const azureIotPlatformPack = definePack({
  id: 'azure-iot-platform',
  title: 'Azure IoT data streaming on AKS — platform baseline',
  version: '1.0.0',
  rules: [
    // API Management
    r(apiManagementPublicNetworkDisabled, {
      service: 'API Management',
      title: 'API Management public network access is disabled',
      severity: 'medium',
      rationale:
        'The gateway is the ingest front door; exposing it directly bypasses the edge (WAF, DDoS).',
      remediation:
        'Deploy in internal VNet mode and set public_network_access_enabled = false; publish through Application Gateway / Front Door.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(apiManagementLegacyTlsDisabled, {
      service: 'API Management',
      title: 'API Management refuses SSL 3.0, TLS 1.0/1.1 and 3DES',
      severity: 'high',
      rationale:
        'Legacy protocols and ciphers are breakable and let a downgrade expose device telemetry in transit.',
      remediation:
        'Set every security.*_ssl30/_tls10/_tls11_enabled and triple_des_ciphers_enabled to false.',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(apiManagementMinApiVersionSet, {
      service: 'API Management',
      title: 'API Management refuses control-plane API versions before 2019-12-01',
      severity: 'medium',
      rationale:
        'Older management API versions return secrets (keys, named values) in read responses.',
      remediation: 'Set min_api_version = "2019-12-01" or later.',
      controls: { [MCSB]: ['IM-8'] },
    }),
    // Container Registry
    r(containerRegistryAdminDisabled, {
      service: 'Container Registry',
      title: 'Container Registry admin user is disabled',
      severity: 'high',
      rationale:
        'The admin user is one shared password with push rights, not attributable to anyone.',
      remediation:
        'Set admin_enabled = false; grant AcrPull to the AKS kubelet identity and AcrPush to the pipeline.',
      controls: { [MCSB]: ['IM-1', 'PA-7'] },
    }),
    r(containerRegistryContentTrustEnabled, {
      service: 'Container Registry',
      title: 'Container Registry content trust is enabled',
      severity: 'low',
      rationale:
        'With content trust, clients that ask for it get only images signed by a trusted publisher.',
      remediation:
        'Set trust_policy_enabled = true (Premium, no customer-managed key), or sign with Notation and verify at admission (Azure deprecates Docker Content Trust in favour of Notary Project signing).',
      controls: { [MCSB]: ['DS-6'] },
    }),
    r(containerRegistryQuarantineEnabled, {
      service: 'Container Registry',
      title: 'Container Registry quarantines images until they are scanned',
      severity: 'medium',
      rationale:
        'Quarantine keeps a pushed image from being pulled until a scanner has released it, so an unscanned image cannot reach a cluster.',
      remediation:
        'Set quarantine_policy_enabled = true (Premium) with a scanner that releases images after a clean scan; without one every pull fails.',
      controls: { [MCSB]: ['DS-6'] },
    }),
    r(containerRegistryAnonymousPullDisabled, {
      service: 'Container Registry',
      title: 'Container Registry anonymous pull is disabled',
      severity: 'high',
      rationale:
        'Anonymous pull publishes every image, including internal code and configuration, to anyone.',
      remediation: 'Set anonymous_pull_enabled = false.',
      controls: { [MCSB]: ['IM-1'] },
    }),
    r(containerRegistryPublicNetworkDisabled, {
      service: 'Container Registry',
      title: 'Container Registry public network access is disabled',
      severity: 'medium',
      rationale: 'Images should be pulled over private link from the cluster network only.',
      remediation:
        'Use the Premium SKU, set public_network_access_enabled = false and attach a private endpoint.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(containerRegistryPrivateEndpointAttached, {
      service: 'Container Registry',
      title: 'Container Registry has a private endpoint',
      severity: 'medium',
      rationale:
        'Without a private endpoint the registry can only be reached over its public endpoint.',
      remediation:
        'Add an azurerm_private_endpoint with subresource "registry" targeting the registry.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    // Cosmos DB
    r(cosmosdbAccountPublicNetworkDisabled, {
      service: 'Cosmos DB',
      title: 'Cosmos DB public network access is disabled',
      severity: 'high',
      rationale:
        'The account is the system of record for raw readings; it must not be reachable from the internet.',
      remediation: 'Set public_network_access_enabled = false and attach a private endpoint.',
      controls: { [CIS2]: ['4.5.1'], [MCSB]: ['NS-2'] },
    }),
    r(cosmosdbAccountLocalAuthDisabled, {
      service: 'Cosmos DB',
      title: 'Cosmos DB key authentication is disabled',
      severity: 'high',
      rationale:
        'Primary keys grant full data access to whoever holds them; Entra ID and Cosmos RBAC are attributable and scoped.',
      remediation:
        'Set local_authentication_disabled = true and grant Cosmos DB data-plane roles to workload identities.',
      controls: { [CIS2]: ['4.5.3'], [MCSB]: ['IM-1'] },
    }),
    r(cosmosdbAccountCustomerManagedKey, {
      service: 'Cosmos DB',
      title: 'Cosmos DB is encrypted with a customer-managed key',
      severity: 'medium',
      rationale:
        'A customer-managed key lets the organisation rotate and revoke the key to telemetry at rest; service-managed keys are held by Microsoft.',
      remediation:
        'Set key_vault_key_id to a versionless Key Vault key, with the account identity (or the Cosmos DB principal) granted wrap/unwrap (at account creation).',
      controls: { [MCSB]: ['DP-5'] },
    }),
    r(cosmosdbAccountKeyMetadataWritesDisabled, {
      service: 'Cosmos DB',
      title: 'Cosmos DB keys cannot change account metadata',
      severity: 'low',
      rationale:
        'Databases and containers are managed by Terraform; keys changing them cause drift and bypass review.',
      remediation: 'Set access_key_metadata_writes_enabled = false.',
      controls: { [MCSB]: ['PA-7'] },
    }),
    r(cosmosdbAccountPrivateEndpointAttached, {
      service: 'Cosmos DB',
      title: 'Cosmos DB has a private endpoint',
      severity: 'medium',
      rationale:
        'Ingest reaches the account over private link; without it, traffic needs the public endpoint.',
      remediation: 'Add an azurerm_private_endpoint with subresource "Sql" targeting the account.',
      controls: { [CIS2]: ['4.5.2'], [MCSB]: ['NS-2'] },
    }),
    // Diagnostics
    r(resourceDiagnosticsEnabled, {
      service: 'Diagnostic settings',
      title: 'Resource sends its logs to Azure Monitor',
      severity: 'medium',
      rationale:
        'Without resource logs an incident cannot be investigated; the platform ships them to Log Analytics.',
      remediation:
        'Add an azurerm_monitor_diagnostic_setting whose target_resource_id is this resource (constructs do this through diagnosticSettings).',
      controls: { [CIS2]: ['5.1.5', '5.4'], [MCSB]: ['LT-3'] },
    }),
    r(diagnosticSettingCapturesLogs, {
      service: 'Diagnostic settings',
      title: 'Diagnostic setting captures logs and has a destination',
      severity: 'medium',
      rationale:
        'A setting with metrics only, or without a destination, looks compliant but records nothing useful.',
      remediation:
        'Add enabled_log { category_group = "allLogs" } (or "audit") and a log_analytics_workspace_id.',
      controls: { [CIS2]: ['5.4'], [MCSB]: ['LT-3'] },
    }),
    // Event Hubs
    r(eventhubNamespaceLocalAuthDisabled, {
      service: 'Event Hubs',
      title: 'Event Hubs SAS key authentication is disabled',
      severity: 'high',
      rationale:
        'SAS keys are bearer secrets shared by every producer; Entra ID gives each workload its own scoped identity.',
      remediation:
        'Set local_authentication_enabled = false; use Azure Event Hubs Data Sender/Receiver roles (OAUTHBEARER on the Kafka endpoint).',
      controls: { [MCSB]: ['IM-1'] },
    }),
    r(eventhubNamespaceTls12, {
      service: 'Event Hubs',
      title: 'Event Hubs requires TLS 1.2',
      severity: 'high',
      rationale: 'TLS 1.0/1.1 are deprecated and vulnerable to downgrade.',
      remediation: 'Set minimum_tls_version = "1.2".',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(eventhubNamespacePublicNetworkDisabled, {
      service: 'Event Hubs',
      title: 'Event Hubs public network access is disabled',
      severity: 'medium',
      rationale: 'Telemetry topics should be reachable from the cluster network only.',
      remediation:
        'Set public_network_access_enabled = false and attach a private endpoint (Premium or Standard with private link).',
      controls: { [MCSB]: ['NS-2'] },
    }),
    // HDInsight Kafka
    r(hdinsightPrivateLinkSubnetHasEgress, {
      service: 'HDInsight Kafka',
      title: 'HDInsight with Private Link has an outbound path from its subnet',
      severity: 'high',
      rationale:
        "Private Link removes the cluster's public load balancer IPs and its nodes reach the HDInsight resource provider outbound; with the subnet's default outbound access off and no NAT gateway or route, cluster creation fails.",
      remediation:
        'Associate a NAT gateway (Network subnet natGateway: true) or a route table to a firewall with the cluster subnet.',
      controls: { [MCSB]: ['NS-1'] },
    }),
    r(hdinsightKafkaTls12, {
      service: 'HDInsight Kafka',
      title: 'HDInsight Kafka gateway requires TLS 1.2',
      severity: 'high',
      rationale: 'The provider default is TLS 1.0, which is deprecated and vulnerable.',
      remediation: 'Set tls_min_version = "1.2".',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(hdinsightKafkaEncryptionInTransit, {
      service: 'HDInsight Kafka',
      title: 'HDInsight Kafka encrypts traffic between nodes',
      severity: 'medium',
      rationale:
        'Broker-to-broker replication carries every reading; encryption in transit protects it inside the VNet.',
      remediation: 'Set encryption_in_transit_enabled = true (at creation).',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(hdinsightKafkaEncryptionAtHost, {
      service: 'HDInsight Kafka',
      title: 'HDInsight Kafka encrypts node disks at the host',
      severity: 'low',
      rationale: 'Broker temp disks and caches hold message data; host encryption covers them.',
      remediation: 'Set disk_encryption { encryption_at_host_enabled = true }.',
      controls: { [MCSB]: ['DP-4'] },
    }),
    // Key Vault
    r(keyVaultPurgeProtected, {
      service: 'Key Vault',
      title: 'Key Vault purge protection is enabled',
      severity: 'high',
      rationale:
        'Without purge protection a deleted vault and its keys can be purged at once, destroying data encrypted with them.',
      remediation: 'Set purge_protection_enabled = true (cannot be turned off again).',
      controls: { [CIS2]: ['8.5'], [CIS3]: ['3.3.5'], [MCSB]: ['DP-8'] },
    }),
    r(keyVaultRbacAuthorized, {
      service: 'Key Vault',
      title: 'Key Vault uses Azure RBAC for data-plane access',
      severity: 'medium',
      rationale:
        'Access policies are vault-wide and invisible to Entra governance; RBAC is scoped, reviewable and PIM-capable.',
      remediation:
        'Set rbac_authorization_enabled = true (3.x: enable_rbac_authorization) and grant Key Vault data roles.',
      controls: { [CIS2]: ['8.6'], [CIS3]: ['3.3.6'], [MCSB]: ['PA-7'] },
    }),
    r(keyVaultPublicNetworkDisabled, {
      service: 'Key Vault',
      title: 'Key Vault public network access is disabled',
      severity: 'high',
      rationale: 'Secrets and keys should be reachable only from the platform network.',
      remediation: 'Set public_network_access_enabled = false and attach a private endpoint.',
      controls: { [MCSB]: ['NS-2', 'DP-8'] },
    }),
    r(keyVaultFirewallDeniesByDefault, {
      service: 'Key Vault',
      title: 'Key Vault firewall denies by default',
      severity: 'medium',
      rationale:
        'If public access is ever re-enabled, a deny-by-default firewall still limits who can reach the vault.',
      remediation: 'Set network_acls { default_action = "Deny", bypass = "AzureServices" }.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(keyVaultPrivateEndpointAttached, {
      service: 'Key Vault',
      title: 'Key Vault has a private endpoint',
      severity: 'medium',
      rationale:
        'With public access off, a private endpoint is the only way workloads reach the vault.',
      remediation: 'Add an azurerm_private_endpoint with subresource "vault" targeting the vault.',
      controls: { [CIS2]: ['8.7'], [CIS3]: ['3.3.7'], [MCSB]: ['NS-2'] },
    }),
    r(keyVaultKeyExpires, {
      service: 'Key Vault',
      title: 'Key Vault key has an expiration date',
      severity: 'medium',
      rationale: 'Keys without expiry are used indefinitely, growing the impact of a compromise.',
      remediation: 'Set expiration_date, or rotation_policy { expire_after = "P1Y" }.',
      controls: { [CIS2]: ['8.1', '8.2'], [CIS3]: ['3.3.1', '3.3.2'], [MCSB]: ['DP-6'] },
    }),
    r(keyVaultKeyRotationAutomated, {
      service: 'Key Vault',
      title: 'Key Vault key rotates automatically',
      severity: 'medium',
      rationale: 'Manual rotation is forgotten; an automatic policy rotates before expiry.',
      remediation:
        'Add rotation_policy { automatic { time_before_expiry = "P30D" } expire_after = "P1Y" }.',
      controls: { [CIS2]: ['8.8'], [CIS3]: ['3.3.8'], [MCSB]: ['DP-6'] },
    }),
    r(keyVaultKeyStrong, {
      service: 'Key Vault',
      title: 'Key Vault key is RSA 3072+ or EC P-256+',
      severity: 'low',
      rationale:
        'RSA 2048 is deprecated by NIST after 2030; keys outlive the code that creates them.',
      remediation: 'Use key_size = 3072 or 4096, or an EC key on P-256/P-384/P-521.',
      controls: { [MCSB]: ['DP-6'] },
    }),
    r(keyVaultSecretExpires, {
      service: 'Key Vault',
      title: 'Key Vault secret has an expiration date',
      severity: 'medium',
      rationale: 'Secrets without expiry stay valid after they are forgotten.',
      remediation: 'Set expiration_date and rotate before it.',
      controls: { [CIS2]: ['8.3', '8.4'], [CIS3]: ['3.3.3', '3.3.4'], [MCSB]: ['DP-6'] },
    }),
    r(keyVaultSecretContentTypeSet, {
      service: 'Key Vault',
      title: 'Key Vault secret declares its content type',
      severity: 'low',
      rationale:
        'Rotation tooling and reviewers need to know what a secret is (password, connection string, certificate).',
      remediation: 'Set content_type, e.g. "password" or "application/x-pkcs12".',
    }),
    r(keyVaultSecretValueNotInCode, {
      service: 'Key Vault',
      title: 'Key Vault secret value is not written in the configuration',
      severity: 'critical',
      rationale:
        'A literal value is committed to git and printed in plans; it is disclosed to everyone with repository access.',
      remediation:
        'Generate the value (random_password) or use value_wo; never write it literally.',
      controls: { [MCSB]: ['IM-8'] },
      unwaivable: true,
    }),
    // AKS
    r(kubernetesClusterLocalAccountsDisabled, {
      service: 'AKS',
      title: 'AKS local accounts are disabled',
      severity: 'high',
      rationale:
        'The local cluster-admin kubeconfig is a static credential that bypasses Entra ID and cannot be revoked per user.',
      remediation: 'Set local_account_disabled = true (requires Entra integration).',
      controls: { [AKS]: ['5.5.1'], [MCSB]: ['IM-1'] },
    }),
    r(kubernetesClusterEntraRbacEnabled, {
      service: 'AKS',
      title: 'AKS uses Entra ID with Azure RBAC for Kubernetes authorization',
      severity: 'high',
      rationale:
        'Azure RBAC makes cluster access reviewable and revocable in one place with the rest of the platform.',
      remediation:
        'Add azure_active_directory_role_based_access_control { azure_rbac_enabled = true } and keep role_based_access_control_enabled.',
      controls: { [AKS]: ['5.5.1', '5.5.2'], [MCSB]: ['PA-7'] },
    }),
    r(kubernetesClusterApiServerRestricted, {
      service: 'AKS',
      title: 'AKS API server is private or limited to authorized ranges',
      severity: 'high',
      rationale:
        'An API server open to the internet is exposed to credential stuffing and zero-day attacks.',
      remediation:
        'Set private_cluster_enabled = true, or api_server_access_profile { authorized_ip_ranges = [...] } with real ranges: no 0.0.0.0/0, no documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).',
      controls: { [AKS]: ['5.4.1'], [MCSB]: ['NS-2'] },
    }),
    r(kubernetesClusterNetworkPolicyEnabled, {
      service: 'AKS',
      title: 'AKS enforces Kubernetes network policies',
      severity: 'medium',
      rationale:
        'Without a policy engine NetworkPolicy objects are silently ignored and every pod can reach every other.',
      remediation: 'Set network_profile { network_policy = "cilium" } (or "azure"/"calico").',
      controls: { [AKS]: ['4.3.1', '5.4.4'], [MCSB]: ['NS-1'] },
    }),
    r(kubernetesClusterSecretsEncryptedWithKms, {
      service: 'AKS',
      title: 'AKS encrypts Kubernetes secrets with a Key Vault key',
      severity: 'medium',
      rationale:
        'KMS encryption protects secrets in etcd with a key the platform controls and can rotate.',
      remediation:
        'Add key_management_service { key_vault_key_id = ..., key_vault_network_access = "Private" }.',
      controls: { [AKS]: ['5.3.1'], [MCSB]: ['DP-5'] },
    }),
    r(kubernetesClusterHostEncryptionEnabled, {
      service: 'AKS',
      title: 'AKS node pools encrypt disks at the host',
      severity: 'low',
      rationale: 'Temp disks and OS disk caches hold pod data; host encryption covers them.',
      remediation:
        'Set host_encryption_enabled = true on every node pool (subscription feature EncryptionAtHost).',
      controls: { [MCSB]: ['DP-4'] },
    }),
    r(kubernetesClusterDiskEncryptionSetAttached, {
      service: 'AKS',
      title: 'AKS node disks are encrypted with a customer-managed key',
      severity: 'medium',
      rationale:
        'With a disk encryption set the organisation holds the key to node OS and data disks and can revoke it; platform keys are held by Microsoft.',
      remediation:
        'Create an azurerm_disk_encryption_set with a Key Vault key and set disk_encryption_set_id (at cluster creation).',
      controls: { [MCSB]: ['DP-5'] },
    }),
    r(kubernetesClusterNodePublicIpDisabled, {
      service: 'AKS',
      title: 'AKS nodes have no public IP',
      severity: 'high',
      rationale: 'Public node IPs expose kubelet and node ports directly to the internet.',
      remediation: 'Set node_public_ip_enabled = false (the default) on every node pool.',
      controls: { [AKS]: ['5.4.3'], [MCSB]: ['NS-1'] },
    }),
    r(kubernetesClusterAzurePolicyEnabled, {
      service: 'AKS',
      title: 'AKS runs the Azure Policy add-on',
      severity: 'medium',
      rationale:
        'Admission control enforces pod security for what is deployed outside Terraform too.',
      remediation: 'Set azure_policy_enabled = true and assign the pod security initiative.',
      controls: { [MCSB]: ['PV-2'] },
    }),
    r(kubernetesClusterDefenderEnabled, {
      service: 'AKS',
      title: 'AKS has Microsoft Defender for Containers',
      severity: 'medium',
      rationale: 'Runtime threat detection and image vulnerability assessment for the cluster.',
      remediation: 'Add microsoft_defender { log_analytics_workspace_id = ... }.',
      controls: { [AKS]: ['5.1.1'], [MCSB]: ['LT-1'] },
    }),
    r(kubernetesClusterWorkloadIdentityEnabled, {
      service: 'AKS',
      title: 'AKS workload identity is enabled',
      severity: 'medium',
      rationale:
        'Workloads authenticate to Cosmos, Event Hubs and Key Vault with federated identities instead of stored secrets.',
      remediation: 'Set oidc_issuer_enabled = true and workload_identity_enabled = true.',
      controls: { [AKS]: ['5.2.1'], [MCSB]: ['IM-3'] },
    }),
    r(kubernetesClusterAutoUpgradeEnabled, {
      service: 'AKS',
      title: 'AKS follows automatic upgrade channels',
      severity: 'low',
      rationale:
        'Clusters left on old patch levels and node images accumulate known vulnerabilities.',
      remediation:
        'Set automatic_upgrade_channel = "patch" (or "stable") and node_os_upgrade_channel = "NodeImage".',
      controls: { [MCSB]: ['PV-6'] },
    }),
    r(kubernetesClusterMonitoringEnabled, {
      service: 'AKS',
      title: 'AKS sends container logs to Log Analytics',
      severity: 'medium',
      rationale: 'Container Insights is where pod logs and node events are investigated.',
      remediation:
        'Add oms_agent { log_analytics_workspace_id = ..., msi_auth_for_monitoring_enabled = true }.',
      controls: { [MCSB]: ['LT-3'] },
    }),
    // Kubernetes workloads
    r(kubernetesNamespaceDefaultDenyNetworkPolicy, {
      service: 'Kubernetes',
      title: 'Namespace has a default-deny ingress network policy',
      severity: 'medium',
      rationale:
        'Without a default deny, every pod accepts traffic from every other pod in the cluster.',
      remediation:
        'Add a kubernetes_network_policy_v1 in the namespace with an empty pod_selector and policy_types = ["Ingress"] (plus explicit allows).',
      controls: { [AKS]: ['4.3.2'], [MCSB]: ['NS-1'] },
    }),
    r(kubernetesNamespacePodSecurityEnforced, {
      service: 'Kubernetes',
      title: 'Namespace enforces a Pod Security Standard',
      severity: 'medium',
      rationale:
        'The built-in admission controller rejects privileged pods the rules below would only report.',
      remediation:
        'Label the namespace pod-security.kubernetes.io/enforce = "restricted" (or "baseline"); where a container must be exempted (a mesh init container), bind a ValidatingAdmissionPolicy labelled iot.platform/pod-security-standard = "restricted" to the namespace with validationActions ["Deny"].',
      controls: { [AKS]: ['4.2.1', '4.6.3'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesNamespaceMeshInitAdmitted, {
      service: 'Kubernetes',
      title: "Pod security admits the mesh's init container in meshed namespaces",
      severity: 'high',
      rationale:
        "Istio's injected istio-init needs NET_ADMIN, NET_RAW and uid 0, which both the baseline and restricted Pod Security Standards reject: a meshed namespace enforcing either through its label refuses every pod, and no deployment rolls out.",
      remediation:
        'Use Istio CNI (label the namespace iot.platform/istio-traffic-redirection = "istio-cni" once the add-on redirects with CNIChaining), or enforce "privileged" in the label and restricted through an admission policy that exempts only istio-init from the mesh image (WorkloadNamespace does this).',
      controls: { [AKS]: ['4.2.1'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadIdentityEgressAllowed, {
      service: 'Kubernetes',
      title: 'Workload-identity pods can reach Entra ID',
      severity: 'high',
      rationale:
        "Workload identity exchanges the pod's projected token at login.microsoftonline.com; a default-deny egress policy without an allow for it makes every Azure call of the pod fail at run time, although the stack deploys.",
      remediation:
        'Allow login.microsoftonline.com:443 for the pods with a CiliumNetworkPolicy toFQDNs rule (Advanced Container Networking Services) or an equivalent egress path (KubernetesWorkload adds it for a workload identity).',
      controls: { [MCSB]: ['IM-3', 'NS-1'] },
    }),
    r(kubernetesWorkloadReplicasLeftToAutoscaler, {
      service: 'Kubernetes',
      title: 'Replicas are left to the autoscaler that scales the workload',
      severity: 'medium',
      rationale:
        'When an HPA or KEDA ScaledObject targets a deployment that also sets spec.replicas, every terraform apply resets the replica count the autoscaler chose: under load the service drops to the configured count on each deploy.',
      remediation:
        "Leave spec.replicas unset on autoscaled workloads (the kubernetes provider's replicas is optional and computed), or add it to lifecycle.ignore_changes.",
    }),
    r(kubernetesWorkloadNotInDefaultNamespace, {
      service: 'Kubernetes',
      title: 'Workload is not in the default namespace',
      severity: 'low',
      rationale: 'The default namespace carries no network policy, quota or pod security label.',
      remediation: "Set metadata.namespace to the workload's own namespace.",
      controls: { [AKS]: ['4.6.4'] },
    }),
    r(kubernetesWorkloadRunsAsNonRoot, {
      service: 'Kubernetes',
      title: 'Containers run as non-root',
      severity: 'high',
      rationale: 'Root in a container is root on the node after any container escape.',
      remediation:
        'Set security_context { run_as_non_root = true, run_as_user = 10001 } on the pod or every container.',
      controls: { [AKS]: ['4.2.6', '4.6.3'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadPrivilegeEscalationDisabled, {
      service: 'Kubernetes',
      title: 'Containers cannot escalate privileges',
      severity: 'high',
      rationale: 'Kubernetes allows setuid escalation unless allow_privilege_escalation is false.',
      remediation:
        'Set security_context { allow_privilege_escalation = false } on every container.',
      controls: { [AKS]: ['4.2.5'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadNotPrivileged, {
      service: 'Kubernetes',
      title: 'Containers are not privileged',
      severity: 'critical',
      rationale:
        'A privileged container has every device and capability of the node: it is the node.',
      remediation: 'Remove security_context.privileged or set it to false.',
      controls: { [AKS]: ['4.2.1'], [MCSB]: ['PV-2'] },
      unwaivable: true,
    }),
    r(kubernetesWorkloadReadOnlyRootFilesystem, {
      service: 'Kubernetes',
      title: 'Containers have a read-only root filesystem',
      severity: 'medium',
      rationale: 'An attacker cannot drop tools or modify the application in a read-only image.',
      remediation:
        'Set security_context { read_only_root_filesystem = true } and mount emptyDir volumes where writes are needed.',
      controls: { [AKS]: ['4.6.3'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadCapabilitiesDropped, {
      service: 'Kubernetes',
      title: 'Containers drop all Linux capabilities',
      severity: 'medium',
      rationale:
        'Default capabilities include NET_RAW (spoofing) and others the workloads never need.',
      remediation:
        'Set security_context { capabilities { drop = ["ALL"] } }; add back NET_BIND_SERVICE only if needed.',
      controls: { [AKS]: ['4.2.7', '4.2.8'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadHostNamespacesNotShared, {
      service: 'Kubernetes',
      title: 'Pods do not share host network, PID or IPC namespaces',
      severity: 'high',
      rationale: 'Host namespaces let a pod see and reach node processes and interfaces.',
      remediation: 'Remove host_network, host_pid and host_ipc (or set them to false).',
      controls: { [AKS]: ['4.2.2', '4.2.3', '4.2.4'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadResourcesBounded, {
      service: 'Kubernetes',
      title: 'Containers request CPU and memory and limit memory',
      severity: 'medium',
      rationale:
        'Unbounded pods starve neighbours and make scheduling unpredictable; a memory leak takes the node down.',
      remediation:
        'Set resources { requests = { cpu, memory }, limits = { memory } } on every container.',
    }),
    r(kubernetesWorkloadProbesDefined, {
      service: 'Kubernetes',
      title: 'Containers have liveness and readiness probes',
      severity: 'low',
      rationale:
        'Without readiness, traffic reaches pods that cannot serve; without liveness, hung pods are never restarted.',
      remediation: 'Add liveness_probe (/livez) and readiness_probe (/readyz) to every container.',
    }),
    r(kubernetesWorkloadImagePinnedByDigest, {
      service: 'Kubernetes',
      title: 'Container images are pinned by digest',
      severity: 'medium',
      rationale:
        'Any tag, release numbers included, is a name the registry can move to other content; only a digest names the image that was reviewed and scanned, and makes deployments reproducible.',
      remediation:
        'Reference images as name@sha256:<digest>, the digest the pipeline recorded when it pushed and scanned the image; a digest passed in at deploy time (name@${var.x}) passes only when x is a string variable validated with can(regex("^sha256:[a-f0-9]{64}$", var.x)).',
      controls: { [MCSB]: ['DS-6'] },
    }),
    r(kubernetesWorkloadSeccompRuntimeDefault, {
      service: 'Kubernetes',
      title: 'Containers run with the RuntimeDefault seccomp profile',
      severity: 'low',
      rationale: 'Without seccomp every syscall is allowed, widening the kernel attack surface.',
      remediation:
        'Set security_context { seccomp_profile { type = "RuntimeDefault" } } on the pod.',
      controls: { [AKS]: ['4.6.2'], [MCSB]: ['PV-2'] },
    }),
    r(kubernetesWorkloadSecretsMountedAsFiles, {
      service: 'Kubernetes',
      title: 'Secrets are mounted as files, not environment variables',
      severity: 'low',
      rationale:
        'Environment variables leak through crash dumps, /proc and logs of misbehaving libraries.',
      remediation:
        'Mount secrets as volumes (or use the Key Vault CSI driver) instead of env.value_from.secret_key_ref.',
      controls: { [AKS]: ['4.4.1'], [MCSB]: ['IM-8'] },
    }),
    r(kubernetesWorkloadServiceAccountTokenScoped, {
      service: 'Kubernetes',
      title: 'Pods mount an API token only with a dedicated service account',
      severity: 'medium',
      rationale:
        'A token of the default service account in every pod is a credential an attacker can use against the API server.',
      remediation:
        'Set automount_service_account_token = false, or run the pod as its own service account.',
      controls: { [AKS]: ['4.1.5', '4.1.6'], [MCSB]: ['IM-3'] },
    }),
    r(kubernetesServiceAccountTokenNotAutomounted, {
      service: 'Kubernetes',
      title: 'Service account does not automount its token',
      severity: 'low',
      rationale:
        'Pods should opt in to an API token; workload identity uses its own projected token.',
      remediation: 'Set automount_service_account_token = false on the service account.',
      controls: { [AKS]: ['4.1.6'] },
    }),
    r(kubernetesRoleNoWildcards, {
      service: 'Kubernetes',
      title: 'Roles do not use wildcards',
      severity: 'high',
      rationale: 'A wildcard grants every verb or resource, including ones added by future CRDs.',
      remediation: 'List verbs, resources and api_groups explicitly.',
      controls: { [AKS]: ['4.1.3'], [MCSB]: ['PA-7'] },
    }),
    r(kubernetesRoleSecretsNotReadable, {
      service: 'Kubernetes',
      title: 'Roles do not grant reading secrets',
      severity: 'medium',
      rationale: 'list/watch on secrets returns every secret value of the scope.',
      remediation:
        'Remove get/list/watch on secrets; read secrets through the Key Vault CSI driver with workload identity.',
      controls: { [AKS]: ['4.1.2'], [MCSB]: ['PA-7'] },
    }),
    r(kubernetesClusterAdminNotBound, {
      service: 'Kubernetes',
      title: 'Nothing is bound to cluster-admin',
      severity: 'high',
      rationale:
        'cluster-admin is unrestricted; administration goes through Entra groups and Azure RBAC roles.',
      remediation:
        'Bind a narrower ClusterRole, or grant "Azure Kubernetes Service RBAC Cluster Admin" to an Entra group with PIM.',
      controls: { [AKS]: ['4.1.1'], [MCSB]: ['PA-7'] },
    }),
    r(kubernetesSecretNotInCode, {
      service: 'Kubernetes',
      title: 'Kubernetes Secret values are not written in the configuration',
      severity: 'critical',
      rationale: 'Literal values are committed to git and printed in plans.',
      remediation:
        'Feed data from an expression (Key Vault data source, random_password) or use the Key Vault CSI driver.',
      controls: { [MCSB]: ['IM-8'] },
      unwaivable: true,
    }),
    r(kubernetesServiceNotExposedPublicly, {
      service: 'Kubernetes',
      title: 'Kubernetes Service is not exposed on a public load balancer or node port',
      severity: 'high',
      rationale: 'A public Service bypasses API Management, its authentication and its throttling.',
      remediation:
        'Use ClusterIP; for a LoadBalancer add the annotation service.beta.kubernetes.io/azure-load-balancer-internal = "true".',
      controls: { [MCSB]: ['NS-2'] },
    }),
    // Identity
    r(roleAssignmentNotPrivileged, {
      service: 'Identity',
      title: 'Role assignment is not Owner, Contributor or an access administrator',
      severity: 'high',
      rationale:
        'Workload and platform identities need data-plane or narrow roles; privileged roles let a compromised workload take over its scope.',
      remediation:
        'Assign the narrowest built-in role (e.g. Key Vault Secrets User, AcrPull, Storage Blob Data Contributor) or a custom role.',
      controls: { [MCSB]: ['PA-7'] },
    }),
    // Azure Monitor alerting
    r(monitorActionGroupHasAlertRules, {
      service: 'Azure Monitor',
      title: 'Action group is notified by at least one alert rule',
      severity: 'high',
      rationale:
        'An action group that no metric, log or Prometheus alert rule names never pages anyone: the platform looks monitored and is not.',
      remediation:
        'Add alert rules whose action names the group (the PlatformAlerts construct creates the platform set), or remove the group.',
    }),
    // Log Analytics
    r(logAnalyticsRetention90Days, {
      service: 'Log Analytics',
      title: 'Log Analytics keeps logs for at least 90 days',
      severity: 'medium',
      rationale:
        'Investigations regularly start weeks after the event; 30 days (the default) is too short.',
      remediation: 'Set retention_in_days = 90 or more (archive beyond that).',
      controls: { [MCSB]: ['LT-6'] },
    }),
    r(logAnalyticsLocalAuthDisabled, {
      service: 'Log Analytics',
      title: 'Log Analytics shared-key authentication is disabled',
      severity: 'medium',
      rationale:
        'Workspace keys let anyone who holds them inject or read logs; agents use Entra ID (AMA).',
      remediation:
        'Set local_authentication_enabled = false (3.x: local_authentication_disabled = true).',
      controls: { [MCSB]: ['IM-1'] },
    }),
    // Network
    r(subnetNsgAssociated, {
      service: 'Networking',
      title: 'Subnet has a network security group',
      severity: 'medium',
      rationale: 'A subnet without NSG has no layer-4 boundary beyond the VNet defaults.',
      remediation: 'Add an azurerm_subnet_network_security_group_association for the subnet.',
      controls: { [MCSB]: ['NS-1'] },
    }),
    r(networkSecurityGroupSshNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow SSH from the internet',
      severity: 'critical',
      rationale: 'SSH exposed to the internet is brute-forced within minutes.',
      remediation: 'Remove the rule or restrict its source to a management range; use Bastion.',
      controls: { [CIS2]: ['6.2'], [MCSB]: ['NS-1'] },
    }),
    r(networkSecurityGroupRdpNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow RDP from the internet',
      severity: 'critical',
      rationale: 'RDP exposed to the internet is a leading ransomware entry point.',
      remediation: 'Remove the rule or restrict its source to a management range; use Bastion.',
      controls: { [CIS2]: ['6.1'], [MCSB]: ['NS-1'] },
    }),
    r(networkSecurityGroupHttpNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow HTTP (80) from the internet',
      severity: 'medium',
      rationale:
        'Plain HTTP from the internet should terminate at the edge (Front Door / Application Gateway), not in the VNet.',
      remediation: 'Restrict the source to the edge service tag or remove the rule.',
      controls: { [CIS2]: ['6.4'], [MCSB]: ['NS-1'] },
    }),
    r(networkSecurityGroupHttpsNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow HTTPS (443) from the internet',
      severity: 'low',
      rationale:
        'Internet HTTPS belongs on the edge subnet only; anywhere else it bypasses the WAF.',
      remediation:
        'Restrict the source to the edge service tag, or waive for the edge subnet with the reason.',
      controls: { [CIS2]: ['6.4'], [MCSB]: ['NS-1'] },
    }),
    r(networkSecurityGroupUdpNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow all UDP from the internet',
      severity: 'high',
      rationale: 'Open UDP services are used for reflection and amplification attacks.',
      remediation: 'Remove the rule or list the exact UDP ports and sources.',
      controls: { [CIS2]: ['6.3'], [MCSB]: ['NS-1'] },
    }),
    r(productionNoDocumentationAddresses, {
      service: 'Deployment inputs',
      title: 'Production uses no documentation IP ranges or example e-mail domains',
      severity: 'high',
      rationale:
        'Documentation ranges (RFC 5737, RFC 3849) and example domains (RFC 2606, RFC 6761) belong to no real network or mailbox: in production they are placeholders, so the API server admits nobody (or the wrong network), a firewall rule protects nothing and alerts reach no one.',
      remediation:
        'Take the value from a Terraform variable whose validation rejects documentation ranges and example domains (stacks/deploy-inputs.ts), and set the real value in the environment tfvars.',
      controls: { [MCSB]: ['PV-2'] },
    }),
    r(networkSecurityGroupAllPortsNotOpenToInternet, {
      service: 'Networking',
      title: 'NSG does not allow every port from the internet',
      severity: 'critical',
      rationale: 'An any-any inbound rule removes the network boundary entirely.',
      remediation:
        'Remove the rule; allow only the ports a service needs from the sources that need them.',
      controls: { [MCSB]: ['NS-1'] },
      unwaivable: true,
    }),
    r(virtualNetworkFlowLogged, {
      service: 'Networking',
      title: 'Virtual network has flow logs',
      severity: 'low',
      rationale:
        'Flow logs show who talked to whom during an incident; VNet flow logs replace NSG flow logs (retired).',
      remediation:
        'Add an azurerm_network_watcher_flow_log with target_resource_id = the VNet and traffic analytics on.',
      controls: { [CIS2]: ['6.5'], [MCSB]: ['LT-4'] },
    }),
    // PostgreSQL
    r(postgresqlFlexibleServerPublicNetworkDisabled, {
      service: 'PostgreSQL',
      title: 'PostgreSQL Flexible Server public network access is disabled',
      severity: 'high',
      rationale: 'Results and aggregates should be reachable from the platform network only.',
      remediation:
        'Use VNet integration (delegated_subnet_id) or a private endpoint and set public_network_access_enabled = false.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(postgresqlFlexibleServerEntraAuthOnly, {
      service: 'PostgreSQL',
      title: 'PostgreSQL Flexible Server uses Entra ID authentication only',
      severity: 'medium',
      rationale:
        'Passwords are shared secrets; Entra tokens are short-lived and tied to workload identities.',
      remediation:
        'Set authentication { active_directory_auth_enabled = true, password_auth_enabled = false }.',
      controls: { [MCSB]: ['IM-1'] },
    }),
    r(postgresqlFlexibleServerGeoRedundantBackup, {
      service: 'PostgreSQL',
      title: 'PostgreSQL Flexible Server backups are geo-redundant',
      severity: 'low',
      rationale: 'A regional outage must not take the backups with it.',
      remediation: 'Set geo_redundant_backup_enabled = true (at creation).',
      controls: { [MCSB]: ['BR-1'] },
    }),
    r(postgresqlFlexibleServerLoggingParameters, {
      service: 'PostgreSQL',
      title: 'PostgreSQL Flexible Server logs connections, checkpoints and throttles',
      severity: 'medium',
      rationale:
        'Connection logs are the audit trail of database access; throttling slows brute force.',
      remediation:
        'Add azurerm_postgresql_flexible_server_configuration resources setting log_connections, log_disconnections, log_checkpoints and connection_throttle_enable to on.',
      controls: { [CIS2]: ['4.3.2', '4.3.3', '4.3.4', '4.3.5'], [MCSB]: ['LT-3'] },
    }),
    r(postgresqlFlexibleServerFirewallNotOpen, {
      service: 'PostgreSQL',
      title: 'PostgreSQL firewall rule is not open to Azure or wide ranges',
      severity: 'high',
      rationale:
        '0.0.0.0 admits every Azure service of every tenant; wide ranges admit networks nobody reviewed.',
      remediation: 'Remove the rule; use private networking, or list the exact client addresses.',
      controls: { [CIS2]: ['4.3.7'], [MCSB]: ['NS-2'] },
    }),
    // Redis
    r(redisCacheNonSslPortDisabled, {
      service: 'Redis',
      title: 'Azure Cache for Redis plaintext port is closed',
      severity: 'high',
      rationale: 'Port 6379 carries keys and values, and the access key, in clear text.',
      remediation: 'Set non_ssl_port_enabled = false (3.x: enable_non_ssl_port).',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(redisCacheTls12, {
      service: 'Redis',
      title: 'Azure Cache for Redis requires TLS 1.2',
      severity: 'high',
      rationale: 'TLS 1.0/1.1 are deprecated and vulnerable to downgrade.',
      remediation: 'Set minimum_tls_version = "1.2".',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(redisCachePublicNetworkDisabled, {
      service: 'Redis',
      title: 'Azure Cache for Redis public network access is disabled',
      severity: 'medium',
      rationale: 'Live alert and latest-value data should be reachable from the platform only.',
      remediation: 'Set public_network_access_enabled = false and attach a private endpoint.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(redisCacheEntraAuthEnabled, {
      service: 'Redis',
      title: 'Azure Cache for Redis uses Entra ID, not access keys',
      severity: 'medium',
      rationale: 'Access keys are shared and long-lived; Entra tokens are per workload.',
      remediation:
        'Set redis_configuration { active_directory_authentication_enabled = true } and access_keys_authentication_enabled = false.',
      controls: { [MCSB]: ['IM-1'] },
    }),
    r(managedRedisPublicNetworkDisabled, {
      service: 'Redis',
      title: 'Azure Managed Redis public network access is disabled',
      severity: 'medium',
      rationale: 'Live alert and latest-value data should be reachable from the platform only.',
      remediation:
        'Set public_network_access = "Disabled" and attach a private endpoint (subresource redisEnterprise).',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(managedRedisEncryptedProtocol, {
      service: 'Redis',
      title: 'Azure Managed Redis requires encrypted client connections',
      severity: 'high',
      rationale: 'Plaintext protocol exposes data and credentials on the wire.',
      remediation: 'Keep default_database { client_protocol = "Encrypted" }.',
      controls: { [MCSB]: ['DP-3'] },
    }),
    r(managedRedisAccessKeysDisabled, {
      service: 'Redis',
      title: 'Azure Managed Redis access keys are disabled',
      severity: 'medium',
      rationale: 'Clients should authenticate with Entra ID instead of shared keys.',
      remediation: 'Keep default_database { access_keys_authentication_enabled = false }.',
      controls: { [MCSB]: ['IM-1'] },
    }),
    r(redisAccessPolicyWritesSerialised, {
      service: 'Redis',
      title: 'Access-policy writes to one Redis cache are serialised',
      severity: 'high',
      rationale:
        "Azure rejects concurrent updates of one cache database's access policies; Terraform creates unordered resources in parallel, so the second grant fails the deployment.",
      remediation:
        'Make each access-policy assignment (or its ARM template deployment) depend on the previous one, e.g. with RedisCache.grantDataAccess, which chains them.',
    }),
    // App Service
    r(servicePlanZoneBalanced, {
      service: 'App Service',
      title: 'App Service plan is zone balanced',
      severity: 'low',
      rationale: 'A zone outage should not take the dashboard down.',
      remediation: 'Set zone_balancing_enabled = true with a Premium v3 SKU and worker_count >= 3.',
    }),
    r(linuxWebAppHttpsOnly, {
      service: 'App Service',
      title: 'Web app redirects HTTP to HTTPS',
      severity: 'high',
      rationale: 'Plain HTTP exposes dashboard sessions and data.',
      remediation: 'Set https_only = true.',
      controls: { [CIS2]: ['9.2'], [MCSB]: ['DP-3'] },
    }),
    r(linuxWebAppTls12, {
      service: 'App Service',
      title: 'Web app requires TLS 1.2 or later',
      severity: 'high',
      rationale: 'TLS 1.0/1.1 are deprecated and vulnerable to downgrade.',
      remediation: 'Set site_config { minimum_tls_version = "1.2" } (or "1.3").',
      controls: { [CIS2]: ['9.3'], [MCSB]: ['DP-3'] },
    }),
    r(linuxWebAppFtpDisabled, {
      service: 'App Service',
      title: 'Web app FTP deployment is disabled',
      severity: 'medium',
      rationale: 'FTP(S) deployment uses basic-auth publishing credentials outside the pipeline.',
      remediation:
        'Set site_config { ftps_state = "Disabled" } and ftp_publish_basic_authentication_enabled = false.',
      controls: { [CIS2]: ['9.10'], [MCSB]: ['PV-2'] },
    }),
    r(linuxWebAppAuthenticationEnabled, {
      service: 'App Service',
      title: 'Web app authentication (Easy Auth) is enabled',
      severity: 'high',
      rationale:
        'App Service authentication signs users in with Entra ID before any request reaches the app code.',
      remediation:
        'Add auth_settings_v2 { auth_enabled = true, require_authentication = true, active_directory_v2 { ... } }.',
      controls: { [CIS2]: ['9.1'], [MCSB]: ['IM-1'] },
    }),
    r(linuxWebAppClientCertificatesRequired, {
      service: 'App Service',
      title: 'Web app requires client certificates',
      severity: 'low',
      rationale:
        'Mutual TLS admits only clients holding a certificate the app trusts, before any application code runs.',
      remediation:
        'Set client_certificate_enabled = true and client_certificate_mode = "Required" (clients need a certificate the app validates).',
      controls: { [CIS2]: ['9.4'] },
    }),
    r(linuxWebAppRemoteDebuggingDisabled, {
      service: 'App Service',
      title: 'Web app remote debugging is disabled',
      severity: 'high',
      rationale:
        'Remote debugging opens debugger ports into the running app and lets a debugger read memory and secrets.',
      remediation: 'Set site_config { remote_debugging_enabled = false } (the default).',
      controls: { [MCSB]: ['PV-2'] },
    }),
    r(corsOriginsNotWildcard, {
      service: 'App Service',
      title: 'CORS does not allow every origin',
      severity: 'medium',
      rationale:
        'CORS with "*" lets any website script calls to the app or API from a visitor\'s browser.',
      remediation:
        'List the origins that need cross-origin access in site_config { cors { allowed_origins } } or the API Management <cors> policy; never "*".',
      controls: { [MCSB]: ['PV-2'] },
    }),
    r(linuxWebAppManagedIdentity, {
      service: 'App Service',
      title: 'Web app has a managed identity',
      severity: 'medium',
      rationale:
        'The app reaches PostgreSQL, Redis and Key Vault with its identity instead of stored secrets.',
      remediation: 'Add identity { type = "SystemAssigned" } (or UserAssigned with identity_ids).',
      controls: { [CIS2]: ['9.5'], [MCSB]: ['IM-3'] },
    }),
    r(linuxWebAppPublicNetworkDisabled, {
      service: 'App Service',
      title: 'Web app public network access is disabled',
      severity: 'medium',
      rationale:
        'The dashboard is published through the edge, not directly on *.azurewebsites.net.',
      remediation:
        'Set public_network_access_enabled = false and attach a private endpoint behind Front Door / Application Gateway.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    // Storage
    r(storageAccountHttpsOnly, {
      service: 'Storage',
      title: 'Storage account requires secure transfer',
      severity: 'high',
      rationale: 'HTTP exposes data and SAS tokens on the wire.',
      remediation: 'Set https_traffic_only_enabled = true (3.x: enable_https_traffic_only).',
      controls: { [CIS2]: ['3.1'], [CIS3]: ['4.1'], [MCSB]: ['DP-3'] },
    }),
    r(storageAccountTls12, {
      service: 'Storage',
      title: 'Storage account requires TLS 1.2',
      severity: 'high',
      rationale: 'TLS 1.0/1.1 are deprecated and vulnerable to downgrade.',
      remediation: 'Set min_tls_version = "TLS1_2".',
      controls: { [CIS2]: ['3.15'], [CIS3]: ['4.15'], [MCSB]: ['DP-3'] },
    }),
    r(storageAccountPublicBlobAccessDisabled, {
      service: 'Storage',
      title: 'Storage account forbids anonymous blob access',
      severity: 'high',
      rationale: 'One container set to public by mistake publishes its data to the internet.',
      remediation: 'Set allow_nested_items_to_be_public = false.',
      controls: { [CIS2]: ['3.7'], [CIS3]: ['4.7'], [MCSB]: ['NS-2'] },
    }),
    r(storageAccountNetworkRestricted, {
      service: 'Storage',
      title: 'Storage account is not open to all networks',
      severity: 'high',
      rationale: 'An open endpoint exposes the account to key and SAS misuse from anywhere.',
      remediation:
        'Set public_network_access_enabled = false, or network_rules { default_action = "Deny" }.',
      controls: { [CIS2]: ['3.8'], [CIS3]: ['4.8'], [MCSB]: ['NS-2'] },
    }),
    r(storageAccountSharedKeyDisabled, {
      service: 'Storage',
      title: 'Storage account shared key access is disabled',
      severity: 'medium',
      rationale: 'Account keys grant full access and cannot be scoped or attributed; Entra ID can.',
      remediation:
        'Set shared_access_key_enabled = false (and storage_use_azuread = true in the provider).',
      controls: { [CIS2]: ['3.4'], [MCSB]: ['IM-1'] },
    }),
    r(storageAccountBlobSoftDeleteEnabled, {
      service: 'Storage',
      title: 'Storage account keeps deleted blobs for 7 days or more',
      severity: 'medium',
      rationale: 'Soft delete recovers from accidental or malicious deletion.',
      remediation: 'Set blob_properties { delete_retention_policy { days = 7 } } (or more).',
      controls: { [CIS2]: ['3.11'], [CIS3]: ['4.11'], [MCSB]: ['BR-1'] },
    }),
    r(storageAccountCustomerManagedKey, {
      service: 'Storage',
      title: 'Storage account is encrypted with a customer-managed key',
      severity: 'medium',
      rationale:
        'A customer-managed key lets the organisation rotate and revoke the key to data at rest; Microsoft-managed keys are held by Microsoft.',
      remediation:
        'Add customer_managed_key { key_vault_key_id, user_assigned_identity_id }, or an azurerm_storage_account_customer_managed_key for the account.',
      controls: { [CIS2]: ['3.12'], [MCSB]: ['DP-5'] },
    }),
    r(storageAccountInfrastructureEncrypted, {
      service: 'Storage',
      title: 'Storage account has infrastructure (double) encryption',
      severity: 'low',
      rationale:
        'A second encryption layer with a different key protects against a flaw in one layer.',
      remediation: 'Set infrastructure_encryption_enabled = true (at creation).',
      controls: { [CIS2]: ['3.2'], [CIS3]: ['4.2'], [MCSB]: ['DP-4'] },
    }),
    r(storageAccountCrossTenantReplicationDisabled, {
      service: 'Storage',
      title: 'Storage account does not replicate to other tenants',
      severity: 'medium',
      rationale: 'Object replication to another tenant is an exfiltration path.',
      remediation: 'Set cross_tenant_replication_enabled = false.',
      controls: { [CIS2]: ['3.16'], [CIS3]: ['4.16'], [MCSB]: ['NS-2'] },
    }),
    r(storageAccountPrivateEndpointAttached, {
      service: 'Storage',
      title: 'Storage account has a private endpoint',
      severity: 'medium',
      rationale: 'With public access off, a private endpoint is how workloads reach the account.',
      remediation:
        'Add an azurerm_private_endpoint (subresource "blob", and others used) targeting the account.',
      controls: { [CIS2]: ['3.10'], [CIS3]: ['4.10'], [MCSB]: ['NS-2'] },
    }),
    r(storageAccountLakehouseHierarchicalNamespace, {
      service: 'Storage',
      title: 'A lakehouse storage account has a hierarchical namespace (ADLS Gen2)',
      severity: 'medium',
      rationale:
        'Delta tables and streaming checkpoints need atomic directory renames and POSIX ACLs; on a flat blob namespace a rename is a copy and delete, so a crash can leave a half-committed table or checkpoint.',
      remediation:
        'Set is_hns_enabled = true on the account a Databricks access connector is granted on (at creation: it cannot be turned on in place without a migration).',
      // a platform integrity rule: no CIS or MCSB control asks for a hierarchical namespace
      controls: {},
    }),
    // Azure Databricks
    r(databricksWorkspacePublicNetworkDisabled, {
      service: 'Databricks',
      title: 'Databricks workspace public network access is disabled',
      severity: 'high',
      rationale:
        'With public access on, anyone with a token can reach the workspace UI and REST API (jobs, secrets, notebooks) from the internet.',
      remediation:
        'Set public_network_access_enabled = false and network_security_group_rules_required = "NoAzureDatabricksRules", with a databricks_ui_api private endpoint.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(databricksWorkspacePrivateEndpointAttached, {
      service: 'Databricks',
      title: 'Databricks workspace has a private endpoint',
      severity: 'medium',
      rationale:
        'With public access off, the databricks_ui_api private endpoint is how users, deployers and clusters (back end) reach the control plane.',
      remediation:
        'Add an azurerm_private_endpoint with subresource "databricks_ui_api" (and one "browser_authentication" per region for SSO).',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(databricksWorkspaceNoPublicIp, {
      service: 'Databricks',
      title: 'Databricks clusters have no public IP (secure cluster connectivity)',
      severity: 'high',
      rationale:
        'Cluster nodes with public addresses are reachable from the internet; with secure cluster connectivity they open no inbound port and relay to the control plane outbound.',
      remediation: 'Set custom_parameters { no_public_ip = true }.',
      controls: { [MCSB]: ['NS-2'] },
    }),
    r(databricksWorkspaceVnetInjected, {
      service: 'Databricks',
      title: 'Databricks clusters run in the customer VNet (VNet injection)',
      severity: 'medium',
      rationale:
        "In a managed VNet the clusters escape the platform's NSGs, egress path and private DNS; injected, they reach private endpoints and the Kafka backbone privately.",
      remediation:
        'Set custom_parameters { virtual_network_id, public_subnet_name, private_subnet_name, *_network_security_group_association_id } with two subnets delegated to Microsoft.Databricks/workspaces.',
      controls: { [MCSB]: ['NS-1'] },
    }),
    r(databricksWorkspacePremium, {
      service: 'Databricks',
      title: 'Databricks workspace is on the Premium tier',
      severity: 'medium',
      rationale:
        'Private Link, customer-managed keys, Unity Catalog access control, secret and cluster ACLs and audit logs need Premium; Standard cannot be made private.',
      remediation: 'Set sku = "premium".',
      controls: { [MCSB]: ['PA-7', 'LT-3'] },
    }),
    r(databricksWorkspaceCustomerManagedKey, {
      service: 'Databricks',
      title: 'Databricks managed services and disks are encrypted with a customer-managed key',
      severity: 'low',
      rationale:
        'A customer-managed key lets the organisation rotate and revoke the key to notebooks, secrets and cluster disks; Microsoft-managed keys are held by Microsoft.',
      remediation:
        'Set managed_services_cmk_key_vault_key_id and managed_disk_cmk_key_vault_key_id (the DatabricksWorkspace customerManagedKey prop), granting the AzureDatabricks application and the disk encryption set on the vault.',
      controls: { [MCSB]: ['DP-5'] },
    }),
    r(databricksClusterIsolatedAccessMode, {
      service: 'Databricks',
      title: 'Databricks clusters run in an access mode with Unity Catalog isolation',
      severity: 'high',
      rationale:
        'Without isolation (NONE, the legacy modes, or no mode) code on the cluster bypasses Unity Catalog grants and reaches other users’ credentials and data; the lakehouse tables are governed only through Unity Catalog.',
      remediation:
        'Set data_security_mode = "SINGLE_USER" (DATA_SECURITY_MODE_DEDICATED) for a job cluster, or "USER_ISOLATION" (DATA_SECURITY_MODE_STANDARD) for a shared one (the DatabricksJob construct writes SINGLE_USER).',
      controls: { [MCSB]: ['PA-7'] },
    }),
    r(databricksClusterSecretsReferenced, {
      service: 'Databricks',
      title: 'Databricks clusters get credentials as secret references, not values',
      severity: 'high',
      rationale:
        'A credential written into spark_conf or spark_env_vars is stored in Terraform state, shown in the job settings to everyone who can view the job, and kept in the cluster event log.',
      remediation:
        'Put the secret in Key Vault and reference it as {{secrets/<scope>/<key>}} through a Key Vault-backed secret scope, or use the access connector’s managed identity (Unity Catalog credentials) instead of a secret.',
      controls: { [MCSB]: ['IM-8'] },
    }),
    r(databricksSecretScopeKeyVaultBacked, {
      service: 'Databricks',
      title: 'Databricks secret scopes are backed by Azure Key Vault',
      severity: 'medium',
      rationale:
        'A Databricks-backed scope keeps a copy of each secret outside the platform vault, out of reach of its RBAC, purge protection, rotation and audit logs.',
      remediation:
        'Set keyvault_metadata { resource_id, dns_name } to the platform vault (the DatabricksJob construct’s secret scope does).',
      controls: { [MCSB]: ['IM-8', 'DP-6'] },
    }),
    // Coverage
    r(resourceTypeReviewed, {
      service: 'Policy coverage',
      title: 'Every resource type is judged by a rule or reviewed with a reason',
      severity: 'high',
      rationale:
        'A gate that has no rule for a resource type passes it unseen: a new type in a stack (or a workload written as a raw manifest, or an ARM template) would reach production without review.',
      remediation:
        'Review the type: add rules for its security-relevant settings, or list it in policies/rules/unjudged/reviewed-types.ts with the reason it needs none (app teams: a rule in their own pack, or a waiver with the reason).',
    }),
  ],
});
