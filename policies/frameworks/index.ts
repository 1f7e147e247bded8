/**
 * Control catalogues, as data, per framework version. Only the controls that bear on what
 * this platform deploys are listed; a control no rule maps to shows as `manual` in the
 * coverage matrix. `kind: 'process'` marks a control that configuration can only partly show
 * (a rule mapped to it makes it `partial`, never `automated`).
 *
 * Control ids follow each benchmark's own numbering. CIS Azure 3.0.0 moved Key Vault to 3.3.x
 * and storage to 4.x; numbers here were cross-checked against public mirrors of the
 * benchmarks, not the licensed PDFs — auditors should confirm before relying on them.
 */

/** One control of a framework. */
export interface Control {
  readonly id: string;
  readonly title: string;
  /** `config` (default): provable from configuration; `process`: needs evidence beyond it. */
  readonly kind?: 'config' | 'process';
}

/** A framework version. */
export interface Framework {
  readonly id: string;
  readonly title: string;
  readonly controls: readonly Control[];
}

const c = (id: string, title: string, kind?: 'process'): Control =>
  kind ? { id, title, kind } : { id, title };

/** CIS Microsoft Azure Foundations Benchmark 2.0.0. */
export const CIS_AZURE_2_0_0: Framework = {
  id: 'cis-azure-2.0.0',
  title: 'CIS Microsoft Azure Foundations Benchmark 2.0.0',
  controls: [
    c('3.1', "Ensure that 'Secure transfer required' is set to 'Enabled'"),
    c(
      '3.2',
      "Ensure that 'Enable Infrastructure Encryption' for each storage account is set to 'enabled'",
    ),
    c('3.4', 'Ensure that storage account access keys are periodically regenerated', 'process'),
    c(
      '3.7',
      "Ensure that 'Public access level' is disabled for storage accounts with blob containers",
    ),
    c('3.8', 'Ensure default network access rule for storage accounts is set to deny'),
    c('3.10', 'Ensure private endpoints are used to access storage accounts'),
    c('3.11', 'Ensure soft delete for Azure blob storage is enabled'),
    c('3.12', 'Ensure storage for critical data are encrypted with customer managed keys'),
    c('3.15', "Ensure the 'Minimum TLS version' for storage accounts is set to 'Version 1.2'"),
    c('3.16', "Ensure 'Cross Tenant Replication' is not enabled"),
    c('4.3.2', "Ensure server parameter 'log_checkpoints' is set to 'ON' for PostgreSQL"),
    c('4.3.3', "Ensure server parameter 'log_connections' is set to 'ON' for PostgreSQL"),
    c('4.3.4', "Ensure server parameter 'log_disconnections' is set to 'ON' for PostgreSQL"),
    c('4.3.5', "Ensure server parameter 'connection_throttling' is set to 'ON' for PostgreSQL"),
    c('4.3.7', "Ensure 'Allow access to Azure services' for PostgreSQL is disabled"),
    c(
      '4.5.1',
      "Ensure that 'Firewalls & Networks' is limited to use selected networks for Cosmos DB",
    ),
    c('4.5.2', 'Ensure that private endpoints are used where possible for Cosmos DB'),
    c('4.5.3', 'Use Entra ID client authentication and Azure RBAC where possible for Cosmos DB'),
    c('5.1.5', "Ensure that logging for Azure Key Vault is 'Enabled'"),
    c(
      '5.4',
      'Ensure that Azure Monitor resource logging is enabled for all services that support it',
    ),
    c('6.1', 'Ensure that RDP access from the Internet is evaluated and restricted'),
    c('6.2', 'Ensure that SSH access from the Internet is evaluated and restricted'),
    c('6.3', 'Ensure that UDP access from the Internet is evaluated and restricted'),
    c('6.4', 'Ensure that HTTP(S) access from the Internet is evaluated and restricted'),
    c(
      '6.5',
      'Ensure that network security group flow log retention period is greater than 90 days',
    ),
    c('8.1', 'Ensure that the expiration date is set for all keys in RBAC key vaults'),
    c('8.2', 'Ensure that the expiration date is set for all keys in non-RBAC key vaults'),
    c('8.3', 'Ensure that the expiration date is set for all secrets in RBAC key vaults'),
    c('8.4', 'Ensure that the expiration date is set for all secrets in non-RBAC key vaults'),
    c('8.5', 'Ensure the key vault is recoverable'),
    c('8.6', 'Enable role-based access control for Azure Key Vault'),
    c('8.7', 'Ensure that private endpoints are used for Azure Key Vault'),
    c('8.8', 'Ensure automatic key rotation is enabled within Azure Key Vault'),
    c('9.1', 'Ensure App Service Authentication is set up for apps in Azure App Service'),
    c('9.2', 'Ensure web app redirects all HTTP traffic to HTTPS'),
    c('9.3', 'Ensure web app is using the latest version of TLS encryption'),
    c(
      '9.4',
      "Ensure the web app has 'Client Certificates (Incoming client certificates)' set to 'On'",
    ),
    c('9.5', 'Ensure that register with Entra ID is enabled on App Service'),
    c('9.10', 'Ensure FTP deployments are disabled'),
  ],
};

/** CIS Microsoft Azure Foundations Benchmark 3.0.0 (Key Vault 3.3.x, storage 4.x). */
export const CIS_AZURE_3_0_0: Framework = {
  id: 'cis-azure-3.0.0',
  title: 'CIS Microsoft Azure Foundations Benchmark 3.0.0',
  controls: [
    c('3.3.1', 'Ensure that the expiration date is set for all keys in RBAC key vaults'),
    c('3.3.2', 'Ensure that the expiration date is set for all keys in non-RBAC key vaults'),
    c('3.3.3', 'Ensure that the expiration date is set for all secrets in RBAC key vaults'),
    c('3.3.4', 'Ensure that the expiration date is set for all secrets in non-RBAC key vaults'),
    c('3.3.5', 'Ensure the Key Vault is recoverable'),
    c('3.3.6', 'Enable role-based access control for Azure Key Vault'),
    c('3.3.7', 'Ensure that private endpoints are used for Azure Key Vault'),
    c('3.3.8', 'Ensure automatic key rotation is enabled within Azure Key Vault'),
    c('4.1', "Ensure that 'Secure transfer required' is set to 'Enabled'"),
    c(
      '4.2',
      "Ensure that 'Enable Infrastructure Encryption' for each storage account is set to 'enabled'",
    ),
    c(
      '4.7',
      "Ensure that 'Public access level' is disabled for storage accounts with blob containers",
    ),
    c('4.8', 'Ensure default network access rule for storage accounts is set to deny'),
    c('4.10', 'Ensure private endpoints are used to access storage accounts'),
    c('4.11', 'Ensure soft delete for Azure blob storage is enabled'),
    c('4.15', "Ensure the 'Minimum TLS version' for storage accounts is set to 'Version 1.2'"),
    c('4.16', "Ensure 'Cross Tenant Replication' is not enabled"),
  ],
};

/** CIS Azure Kubernetes Service (AKS) Benchmark 1.8.0 (AKS-optimized Azure Linux). */
export const CIS_AKS_1_8_0: Framework = {
  id: 'cis-aks-1.8.0',
  title: 'CIS Azure Kubernetes Service (AKS) Benchmark 1.8.0',
  controls: [
    c('4.1.1', 'Ensure that the cluster-admin role is only used where required'),
    c('4.1.2', 'Minimize access to secrets'),
    c('4.1.3', 'Minimize wildcard use in Roles and ClusterRoles'),
    c('4.1.5', 'Ensure that default service accounts are not actively used'),
    c('4.1.6', 'Ensure that service account tokens are only mounted where necessary'),
    c('4.2.1', 'Minimize the admission of privileged containers'),
    c(
      '4.2.2',
      'Minimize the admission of containers wishing to share the host process ID namespace',
    ),
    c('4.2.3', 'Minimize the admission of containers wishing to share the host IPC namespace'),
    c('4.2.4', 'Minimize the admission of containers wishing to share the host network namespace'),
    c('4.2.5', 'Minimize the admission of containers with allowPrivilegeEscalation'),
    c('4.2.6', 'Minimize the admission of root containers'),
    c('4.2.7', 'Minimize the admission of containers with the NET_RAW capability'),
    c('4.2.8', 'Minimize the admission of containers with added capabilities'),
    c('4.3.1', 'Ensure latest CNI version is used and supports network policies', 'process'),
    c('4.3.2', 'Ensure that all namespaces have network policies defined'),
    c('4.4.1', 'Prefer using secrets as files over secrets as environment variables'),
    c('4.4.2', 'Consider external secret storage', 'process'),
    c('4.6.1', 'Create administrative boundaries between resources using namespaces', 'process'),
    c('4.6.2', 'Ensure that the seccomp profile is set to docker/default in your pod definitions'),
    c('4.6.3', 'Apply security context to your pods and containers'),
    c('4.6.4', 'The default namespace should not be used'),
    c('5.1.1', 'Ensure image vulnerability scanning using Microsoft Defender for Cloud', 'process'),
    c('5.1.4', 'Minimize container registries to only those approved'),
    c('5.2.1', 'Prefer using dedicated AKS service accounts'),
    c('5.3.1', 'Ensure Kubernetes Secrets are encrypted'),
    c('5.4.1', 'Restrict access to the control plane endpoint'),
    c(
      '5.4.2',
      'Ensure clusters are created with private endpoint enabled and public access disabled',
    ),
    c('5.4.3', 'Ensure clusters are created with private nodes'),
    c('5.4.4', 'Ensure network policy is enabled and set as appropriate'),
    c('5.5.1', 'Manage Kubernetes RBAC users with Azure AD'),
    c('5.5.2', 'Use Azure RBAC for Kubernetes authorization'),
  ],
};

/** Microsoft cloud security benchmark v3. */
export const MCSB_V3: Framework = {
  id: 'mcsb-v3',
  title: 'Microsoft cloud security benchmark v3',
  controls: [
    c('NS-1', 'Establish network segmentation boundaries'),
    c('NS-2', 'Secure cloud native services with network controls'),
    c('IM-1', 'Use centralized identity and authentication system'),
    c('IM-3', 'Manage application identities securely and automatically'),
    c('IM-8', 'Restrict the exposure of credentials and secrets'),
    c('PA-7', 'Follow just enough administration (least privilege) principle'),
    c('DP-3', 'Encrypt sensitive data in transit'),
    c('DP-4', 'Enable data at rest encryption by default'),
    c('DP-5', 'Use customer-managed key option in data at rest encryption when required'),
    c('DP-6', 'Use a secure key management process', 'process'),
    c('DP-8', 'Ensure security of key and certificate repository'),
    c('LT-1', 'Enable threat detection capabilities', 'process'),
    c('LT-3', 'Enable logging for security investigation'),
    c('LT-4', 'Enable network logging for security investigation'),
    c('LT-6', 'Configure log storage retention'),
    c('PV-2', 'Audit and enforce secure configurations'),
    c('PV-6', 'Rapidly and automatically remediate vulnerabilities', 'process'),
    c('BR-1', 'Ensure regular automated backups'),
    c('DS-6', 'Enforce security of workload throughout DevOps lifecycle', 'process'),
  ],
};

/** Every framework the reports know, in report order. */
export const FRAMEWORKS: readonly Framework[] = [
  CIS_AZURE_2_0_0,
  CIS_AZURE_3_0_0,
  CIS_AKS_1_8_0,
  MCSB_V3,
];
