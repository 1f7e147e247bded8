/**
 * Waivers both environments declare for Checkov-parity findings (issue 11) that the platform
 * accepts on purpose for now: each names what it would take to close the finding. The
 * environments spread these into their own `waivers`, so a reason is written once.
 */
import type { EnvironmentWaiver } from './types';

const owner = 'platform-team';

/** Platform-stack waivers, paths relative to the platform stack. */
export const PARITY_PLATFORM_WAIVERS: readonly EnvironmentWaiver[] = [
  {
    path: 'Platform/Cluster/Resource',
    rule: 'kubernetes-cluster-disk-encryption-set-attached',
    reason:
      'node disks are encrypted at rest with platform keys (and at the host in prod); a disk encryption set needs a Key Vault key, a set with its own identity granted on the key, and a new cluster, since disk_encryption_set_id is fixed at creation: a design change the cluster construct does not make yet',
    owner,
    expires: '2027-06-30',
  },
  {
    path: 'Platform/Cosmos/Resource',
    rule: 'cosmosdb-account-customer-managed-key',
    reason:
      'telemetry is encrypted at rest with service-managed keys; the Cosmos construct takes a customerManagedKey, but the platform does not yet create the key, the identity and its grant before the account, nor open the private vault to Cosmos DB, and adding a key to the existing account must be planned as a migration',
    owner,
    expires: '2027-06-30',
  },
  {
    path: 'Platform/Registry/Resource',
    rule: 'container-registry-quarantine-enabled',
    reason:
      'quarantine (a preview with no Azure CLI command to release an image, only the AcrQuarantineWriter data API) would hold every push until a scanner marks it Passed; the pipeline gates instead: the Build stage scans each pushed digest with Trivy and fails on critical findings before signing it, and both deploy stages verify the Notation signature of every digest before applying (docs/adr/0016); turning quarantine on needs a release step in Build with its own role',
    owner,
    expires: '2027-06-30',
  },
  {
    path: 'Platform/Registry/Resource',
    rule: 'container-registry-content-trust-enabled',
    reason:
      'Docker Content Trust is deprecated (retired 2028-03-31) and, since 2026-05-31, cannot be turned on for a registry that never had it, nor combined with a customer-managed key; its replacement is in place: the Build stage signs each digest with Notation and the Key Vault plugin (key in the platform vault) and the deploy stages verify the signature before applying (docs/adr/0016); the rule should be retired from the pack rather than this waiver renewed',
    owner,
    expires: '2027-06-30',
  },
  {
    path: 'Platform/WebApp/Resource',
    rule: 'linux-web-app-client-certificates-required',
    reason:
      'the dashboard is a browser app for operators behind Entra sign-in (App Service authentication, required) and private networking; mutual TLS would need a client certificate on every operator browser and would break the health probe, for no gain over Entra sign-in',
    owner,
    expires: '2027-06-30',
  },
];

/** The HDInsight backbone's storage account (prod), which has no customer-managed key. */
export const PARITY_HDINSIGHT_STORAGE_WAIVER: EnvironmentWaiver = {
  path: 'Platform/Hdinsight/Storage',
  rule: 'storage-account-customer-managed-key',
  reason:
    'the HDInsight cluster storage holds cluster logs and metadata only (Kafka data lives on the worker managed disks) and is encrypted twice (infrastructure encryption) with Microsoft-managed keys; a customer-managed key needs a key, an identity and a grant the HDInsight construct does not create yet',
  owner,
  expires: '2027-06-30',
};
