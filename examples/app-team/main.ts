/**
 * The telemetry team's stack, on the packed library: a Key Vault, a Cosmos DB account, an Event
 * Hubs namespace with Kafka topics and a container registry, each private and sending its logs
 * to the team's workspace, and one user-assigned identity the team's service runs as, granted
 * exactly what it uses. `npm run synth` writes cdktf.out/stacks/telemetry-dev/cdk.tf.json.
 */
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import {
  ContainerRegistry,
  CosmosAccount,
  EventHubsKafka,
  KeyVault,
  Monitoring,
  Network,
  Tags,
} from 'iot-streaming-platform';
import type { PrivateDnsZoneKey } from 'iot-streaming-platform';

/** The team's stack: one environment, its names and address plan as data. */
export class TelemetryTeamStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    // Every taggable resource below, the team's own included, gets these (the library's aspect).
    Tags.add(this, { team: 'telemetry', 'cost-center': 'cc-4711', environment: 'dev' });

    const rg = new ResourceGroup(this, 'ResourceGroup', {
      name: 'rg-telemetry-dev-weu',
      location: 'westeurope',
    });
    const client = new DataAzurermClientConfig(this, 'Client');
    const monitoring = new Monitoring(this, 'Monitoring', {
      workspaceName: 'log-telemetry-dev-weu',
      resourceGroup: rg,
      retentionDays: 90,
    });
    // Keyed by name: a key fixes the setting's (and an endpoint's) Terraform address.
    const diagnosticSettings = { law: { workspace: monitoring.workspace } };
    const network = new Network(this, 'Network', {
      name: 'vnet-telemetry-dev-weu',
      resourceGroup: rg,
      addressSpace: ['10.60.0.0/24'],
      subnets: [{ name: 'endpoints', addressPrefix: '10.60.0.0/26' }],
      privateDnsZones: ['vault', 'cosmosSql', 'eventHubs', 'registry'],
      diagnosticSettings,
    });
    const privateEndpoint = (zone: PrivateDnsZoneKey) => ({
      [zone]: { subnet: network.subnet('endpoints'), privateDnsZones: [network.dnsZone(zone)] },
    });

    // The identity the team's service runs as (workload identity on AKS, or an App Service).
    const service = new UserAssignedIdentity(this, 'ServiceIdentity', {
      name: 'id-telemetry-dev-weu',
      resourceGroupName: rg.name,
      location: rg.location,
    });

    const vault = new KeyVault(this, 'KeyVault', {
      name: 'kv-telemetry-dev-weu',
      resourceGroup: rg,
      tenantId: client.tenantId,
      privateEndpoints: privateEndpoint('vault'),
      diagnosticSettings,
    });
    const cosmos = new CosmosAccount(this, 'Cosmos', {
      name: 'cosmos-telemetry-dev-weu',
      resourceGroup: rg,
      privateEndpoints: privateEndpoint('cosmosSql'),
      diagnosticSettings,
    });
    const db = cosmos.addSqlDatabase('telemetry');
    cosmos.addSqlContainer(db, 'readings', { partitionKeyPaths: ['/deviceId'] });
    const kafka = new EventHubsKafka(this, 'Kafka', {
      name: 'evhns-telemetry-dev-weu',
      resourceGroup: rg,
      topics: [
        { name: 'telemetry.raw', partitionCount: 4 },
        { name: 'telemetry.enriched', partitionCount: 4 },
      ],
      privateEndpoints: privateEndpoint('eventHubs'),
      diagnosticSettings,
    });
    const registry = new ContainerRegistry(this, 'Registry', {
      name: 'acrtelemetrydevweu',
      resourceGroup: rg,
      privateEndpoints: privateEndpoint('registry'),
      diagnosticSettings,
    });

    // Least privilege: each grant is one role assignment at the narrowest scope.
    vault.grantSecretsRead(service);
    cosmos.container('telemetry', 'readings').grantReadWriteData(service);
    kafka.grantConsume(service, 'telemetry.raw');
    kafka.grantProduce(service, 'telemetry.enriched');
    registry.grantPull(service);
  }
}

const app = new App();
new TelemetryTeamStack(app, 'telemetry-dev');
app.synth();
