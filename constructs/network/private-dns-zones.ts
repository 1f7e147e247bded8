/**
 * The private DNS zones Azure Private Link needs, by service. A private endpoint registers its
 * address in the zone of its sub-resource, and a VNet linked to that zone resolves the service's
 * public name to the private address. Names from Azure's "private endpoint DNS zone values".
 */
export const PrivateDnsZones = {
  /** Key Vault (`vault`). */
  vault: 'privatelink.vaultcore.azure.net',
  /** Container Registry (`registry`), including its dedicated data endpoints. */
  registry: 'privatelink.azurecr.io',
  /** Cosmos DB NoSQL API (`Sql`). */
  cosmosSql: 'privatelink.documents.azure.com',
  /** PostgreSQL Flexible Server reached through a private endpoint (`postgresqlServer`). */
  postgresFlexible: 'privatelink.postgres.database.azure.com',
  /**
   * PostgreSQL Flexible Server with private access (delegated subnet): Azure requires a zone
   * ending in `.postgres.database.azure.com`, and a zone apart from the private-endpoint one
   * keeps the two modes from shadowing each other's records.
   */
  postgresFlexiblePrivateAccess: 'private.postgres.database.azure.com',
  /** Classic Azure Cache for Redis (`redisCache`). */
  redis: 'privatelink.redis.cache.windows.net',
  /** Azure Managed Redis (`redisEnterprise`). */
  managedRedis: 'privatelink.redis.azure.net',
  /** Event Hubs and Service Bus namespaces (`namespace`), Kafka endpoint included. */
  eventHubs: 'privatelink.servicebus.windows.net',
  /** API Management gateway (`Gateway`). */
  apiManagement: 'privatelink.azure-api.net',
  /** App Service and its SCM site (`sites`). */
  webSites: 'privatelink.azurewebsites.net',
  /** Storage blob (`blob`), e.g. HDInsight's cluster storage. */
  blob: 'privatelink.blob.core.windows.net',
  /** Storage Data Lake Gen2 (`dfs`). */
  dfs: 'privatelink.dfs.core.windows.net',
  /** Azure Databricks workspace (`databricks_ui_api`, `browser_authentication`). */
  databricks: 'privatelink.azuredatabricks.net',
  /** AKS private cluster API server: regional, so resolved from the network's location. */
  aks: (region: string): string => `privatelink.${region}.azmk8s.io`,
} as const;

/** Key of a well-known private DNS zone in {@link PrivateDnsZones}. */
export type PrivateDnsZoneKey = keyof typeof PrivateDnsZones;

/** The zone name of `key` for a network in `region`. */
export function privateDnsZoneName(key: PrivateDnsZoneKey, region: string): string {
  const zone = PrivateDnsZones[key];
  return typeof zone === 'function' ? zone(region) : zone;
}
