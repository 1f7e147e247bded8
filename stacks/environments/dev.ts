import { PARITY_PLATFORM_WAIVERS } from './parity-waivers';
import type { EnvironmentConfig } from './types';

const small = {
  replicas: 2,
  maxReplicas: 4,
  cpuRequest: '100m',
  memoryRequest: '192Mi',
  memoryLimit: '384Mi',
};

/** Development: small SKUs, one zone, Event Hubs as the Kafka backbone; secure defaults kept. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  backend: {
    resourceGroupName: 'rg-iot-tfstate',
    storageAccountName: 'stiottfstate7k2q',
    containerName: 'tfstate',
  },
  platform: {
    environment: 'dev',
    location: 'westeurope',
    namePrefix: 'iot',
    uniqueSuffix: '7k2q',
    tags: { costCenter: 'iot-platform', owner: 'platform-team' },
    zones: [],
    lockDataStores: false,
    network: {
      addressSpace: '10.40.0.0/16',
      aksNodesPrefix: '10.40.0.0/22',
      apiManagementPrefix: '10.40.4.0/27',
      webAppIntegrationPrefix: '10.40.4.32/27',
      postgresPrefix: '10.40.4.64/28',
      meshIngressPrefix: '10.40.4.80/28',
      privateEndpointsPrefix: '10.40.5.0/24',
      deploymentAgentsPrefix: '10.40.6.0/27',
      databricksHostPrefix: '10.40.8.0/24',
      databricksContainerPrefix: '10.40.9.0/24',
    },
    monitoring: {
      retentionDays: 90,
      alertReceivers: ['platform-oncall'],
    },
    aks: {
      skuTier: 'Standard',
      istioRevision: 'asm-1-29',
      defender: true,
      systemPool: { vmSize: 'Standard_D4ds_v5', minCount: 2, maxCount: 3 },
      workloadPool: { vmSize: 'Standard_D4ds_v5', minCount: 1, maxCount: 3 },
    },
    apiManagement: {
      sku: 'Developer',
      publisherName: 'IoT Platform Team',
      virtualNetworkType: 'External',
    },
    cosmos: { zoneRedundant: false, backupTier: 'Continuous7Days', autoscaleMaxThroughput: 1000 },
    backbone: { kind: 'eventhubs', sku: 'Standard', capacity: 1, autoInflateMaxThroughputUnits: 4 },
    postgres: {
      skuName: 'GP_Standard_D2ds_v5',
      storageMb: 32768,
      highAvailability: 'Disabled',
      geoRedundantBackup: false,
      backupRetentionDays: 7,
    },
    redis: { sku: 'Balanced_B1', highAvailability: false },
    webApp: { sku: 'P0v3', workerCount: 1, zoneBalancing: false },
  },
  waivers: [
    ...PARITY_PLATFORM_WAIVERS,
    {
      path: 'Platform/Postgres/Resource',
      rule: 'postgresql-flexible-server-geo-redundant-backup',
      reason:
        'dev data is synthetic and re-creatable from the simulator; 7-day local backups suffice and geo backup doubles the storage bill',
      owner: 'platform-team',
      expires: '2027-05-31',
    },
    {
      path: 'Platform/WebApp/Plan',
      rule: 'service-plan-zone-balanced',
      reason:
        'dev runs a single dashboard instance in one zone; zone balancing needs three paid workers and prod has it',
      owner: 'platform-team',
      expires: '2027-05-31',
    },
    {
      path: 'Platform/Cluster/Resource',
      rule: 'kubernetes-cluster-host-encryption-enabled',
      reason:
        'the dev subscription has not registered the EncryptionAtHost feature; OS and data disks are still encrypted at rest with platform keys',
      owner: 'platform-team',
      expires: '2027-02-28',
    },
    {
      path: 'Platform/Cluster/Pool-workloads',
      rule: 'kubernetes-cluster-host-encryption-enabled',
      reason:
        'the dev subscription has not registered the EncryptionAtHost feature; OS and data disks are still encrypted at rest with platform keys',
      owner: 'platform-team',
      expires: '2027-02-28',
    },
  ],
  dataScience: {
    job: {
      // 17.3 LTS (Spark 4.0.0): what the job is tested on (ADR 0014); service credentials
      // for Event Hubs need 16.1 or later
      cluster: { sparkVersion: '17.3.x-scala2.13', nodeType: 'Standard_D4ds_v5', workers: 1 },
      trigger: { continuous: true },
      sparkTrigger: '30s',
    },
  },
  delivery: {
    organization: 'contoso-iot',
    project: 'iot-platform',
    buildServiceConnection: 'iot-dev-build',
    deployServiceConnection: 'iot-dev-deploy',
    signingSubject: { organization: 'Contoso IoT', state: 'North Holland', country: 'NL' },
    deployRoleWaiver: { owner: 'platform-team', expires: '2027-06-30' },
  },
  workloads: {
    ingest: small,
    analysis: small,
    processing: small,
    // Placeholder until the Splunk team issues the endpoint; the token is the Key Vault secret
    // splunk-hec-token (workloads/splunk-forwarder/README.md).
    splunk: {
      hecUrl: 'https://hec.splunk.contoso.com:8088',
      index: 'iot_dev',
      forwarder: { ...small, replicas: 1, maxReplicas: 2 },
    },
  },
};
