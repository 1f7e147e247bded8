import { PARITY_HDINSIGHT_STORAGE_WAIVER, PARITY_PLATFORM_WAIVERS } from './parity-waivers';
import type { EnvironmentConfig } from './types';

/** Production: zone redundant, HA everywhere, HDInsight Kafka as in the reference architecture. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  backend: {
    resourceGroupName: 'rg-iot-tfstate',
    storageAccountName: 'stiottfstate7k2q',
    containerName: 'tfstate',
  },
  platform: {
    environment: 'prod',
    production: true,
    location: 'westeurope',
    namePrefix: 'iot',
    uniqueSuffix: '7k2q',
    tags: { costCenter: 'iot-platform', owner: 'platform-team', criticality: 'high' },
    zones: ['1', '2', '3'],
    lockDataStores: true,
    network: {
      addressSpace: '10.50.0.0/16',
      aksNodesPrefix: '10.50.0.0/21',
      apiManagementPrefix: '10.50.8.0/27',
      webAppIntegrationPrefix: '10.50.8.32/27',
      postgresPrefix: '10.50.8.64/28',
      meshIngressPrefix: '10.50.8.80/28',
      privateEndpointsPrefix: '10.50.9.0/24',
      hdinsightPrefix: '10.50.10.0/24',
      deploymentAgentsPrefix: '10.50.11.0/27',
      databricksHostPrefix: '10.50.12.0/24',
      databricksContainerPrefix: '10.50.13.0/24',
    },
    monitoring: {
      retentionDays: 365,
      alertReceivers: ['platform-oncall'],
    },
    aks: {
      skuTier: 'Standard',
      istioRevision: 'asm-1-29',
      privateCluster: true,
      defender: true,
      // Host encryption needs the subscription feature Microsoft.Compute/EncryptionAtHost.
      systemPool: { vmSize: 'Standard_D4ds_v5', minCount: 3, maxCount: 6, hostEncryption: true },
      workloadPool: { vmSize: 'Standard_D8ds_v5', minCount: 3, maxCount: 12, hostEncryption: true },
    },
    apiManagement: {
      sku: 'Premium',
      capacity: 3,
      publisherName: 'IoT Platform Team',
      virtualNetworkType: 'External',
    },
    cosmos: {
      zoneRedundant: true,
      additionalRegions: [{ location: 'northeurope', zoneRedundant: true }],
      backupTier: 'Continuous30Days',
      autoscaleMaxThroughput: 10000,
    },
    backbone: {
      kind: 'hdinsight',
      workerCount: 4,
      disksPerWorkerNode: 2,
    },
    postgres: {
      skuName: 'GP_Standard_D4ds_v5',
      storageMb: 131072,
      highAvailability: 'ZoneRedundant',
      geoRedundantBackup: true,
      backupRetentionDays: 35,
    },
    redis: { sku: 'Balanced_B5', highAvailability: true },
    webApp: { sku: 'P1v3', workerCount: 3, zoneBalancing: true },
  },
  waivers: [...PARITY_PLATFORM_WAIVERS, PARITY_HDINSIGHT_STORAGE_WAIVER],
  dataScience: {
    job: {
      cluster: {
        sparkVersion: '17.3.x-scala2.13',
        nodeType: 'Standard_D8ds_v5',
        autoscale: { minWorkers: 2, maxWorkers: 8 },
      },
      trigger: { continuous: true },
      sparkTrigger: '10s',
      maxOffsetsPerTrigger: 200000,
    },
  },
  delivery: {
    organization: 'contoso-iot',
    project: 'iot-platform',
    buildServiceConnection: 'iot-prod-build',
    deployServiceConnection: 'iot-prod-deploy',
    signingSubject: { organization: 'Contoso IoT', state: 'North Holland', country: 'NL' },
    deployRoleWaiver: { owner: 'platform-team', expires: '2027-06-30' },
    // prod runs exactly the digests dev built, scanned and signed (docs/adr/0022)
    promoteFrom: 'dev',
  },
  workloads: {
    ingest: {
      replicas: 3,
      maxReplicas: 12,
      cpuRequest: '500m',
      memoryRequest: '384Mi',
      memoryLimit: '768Mi',
    },
    analysis: {
      replicas: 3,
      maxReplicas: 6,
      cpuRequest: '500m',
      memoryRequest: '512Mi',
      memoryLimit: '1Gi',
    },
    processing: {
      replicas: 3,
      maxReplicas: 6,
      cpuRequest: '500m',
      memoryRequest: '384Mi',
      memoryLimit: '768Mi',
    },
    splunk: {
      hecUrl: 'https://hec.splunk.contoso.com:8088',
      index: 'iot',
      forwarder: {
        replicas: 2,
        maxReplicas: 6,
        cpuRequest: '250m',
        memoryRequest: '256Mi',
        memoryLimit: '512Mi',
      },
    },
  },
};
