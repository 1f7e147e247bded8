/**
 * Attribute renames between azurerm 3.x and 4.x, kept as data. Every rule is written against
 * the canonical (4.x) name; the normaliser moves a 3.x name to it before any rule runs, so a
 * stack written for either major version is judged the same way instead of passing silently.
 *
 * `from`/`to` are dot paths inside the resource; a dot walks into a block (object or list of
 * blocks, every element). `invert` marks a rename that also flips the meaning
 * (`local_authentication_disabled` → `local_authentication_enabled`).
 */
export interface AttributeAlias {
  readonly from: string;
  readonly to: string;
  readonly invert?: boolean;
}

/** Aliases by resource type; `*` applies to every type. */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, readonly AttributeAlias[]>> = {
  azurerm_storage_account: [
    { from: 'enable_https_traffic_only', to: 'https_traffic_only_enabled' },
    // azurerm 2.x name, still seen in copied modules.
    { from: 'allow_blob_public_access', to: 'allow_nested_items_to_be_public' },
  ],
  azurerm_key_vault: [{ from: 'enable_rbac_authorization', to: 'rbac_authorization_enabled' }],
  azurerm_redis_cache: [
    { from: 'enable_non_ssl_port', to: 'non_ssl_port_enabled' },
    // Not a provider rename: the storage account spelling, which Terraform would reject here
    // anyway; read so a copy-paste slip is judged instead of passing as "not set".
    { from: 'min_tls_version', to: 'minimum_tls_version' },
  ],
  azurerm_cosmosdb_account: [
    { from: 'enable_automatic_failover', to: 'automatic_failover_enabled' },
    { from: 'enable_multiple_write_locations', to: 'multiple_write_locations_enabled' },
    { from: 'enable_free_tier', to: 'free_tier_enabled' },
    { from: 'minimum_tls_version', to: 'minimal_tls_version' },
  ],
  azurerm_log_analytics_workspace: [
    { from: 'local_authentication_disabled', to: 'local_authentication_enabled', invert: true },
  ],
  azurerm_eventhub_namespace: [
    { from: 'min_tls_version', to: 'minimum_tls_version' },
    { from: 'local_authentication_disabled', to: 'local_authentication_enabled', invert: true },
  ],
  azurerm_kubernetes_cluster: [
    {
      from: 'api_server_authorized_ip_ranges',
      to: 'api_server_access_profile.authorized_ip_ranges',
    },
    { from: 'automatic_channel_upgrade', to: 'automatic_upgrade_channel' },
    { from: 'node_os_channel_upgrade', to: 'node_os_upgrade_channel' },
    { from: 'enable_pod_security_policy', to: 'pod_security_policy_enabled' },
    { from: 'default_node_pool.enable_auto_scaling', to: 'default_node_pool.auto_scaling_enabled' },
    {
      from: 'default_node_pool.enable_host_encryption',
      to: 'default_node_pool.host_encryption_enabled',
    },
    {
      from: 'default_node_pool.enable_node_public_ip',
      to: 'default_node_pool.node_public_ip_enabled',
    },
  ],
  azurerm_kubernetes_cluster_node_pool: [
    { from: 'enable_auto_scaling', to: 'auto_scaling_enabled' },
    { from: 'enable_host_encryption', to: 'host_encryption_enabled' },
    { from: 'enable_node_public_ip', to: 'node_public_ip_enabled' },
  ],
  azurerm_api_management: [
    { from: 'security.enable_backend_ssl30', to: 'security.backend_ssl30_enabled' },
    { from: 'security.enable_backend_tls10', to: 'security.backend_tls10_enabled' },
    { from: 'security.enable_backend_tls11', to: 'security.backend_tls11_enabled' },
    { from: 'security.enable_frontend_ssl30', to: 'security.frontend_ssl30_enabled' },
    { from: 'security.enable_frontend_tls10', to: 'security.frontend_tls10_enabled' },
    { from: 'security.enable_frontend_tls11', to: 'security.frontend_tls11_enabled' },
  ],
  azurerm_container_registry: [
    { from: 'retention_policy.days', to: 'retention_policy_in_days' },
    { from: 'trust_policy.enabled', to: 'trust_policy_enabled' },
  ],
  azurerm_linux_web_app: [
    { from: 'site_config.min_tls_version', to: 'site_config.minimum_tls_version' },
  ],
  // 3.x `log { category, enabled }` blocks; rules skip elements with `enabled = false`.
  azurerm_monitor_diagnostic_setting: [{ from: 'log', to: 'enabled_log' }],
};
