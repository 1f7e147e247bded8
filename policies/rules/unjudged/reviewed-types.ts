/**
 * Resource types the platform pack has reviewed and judges through no rule of their own, each
 * with the reason. The coverage rule `resource-type-reviewed` passes a resource of such a type
 * and fails one of any other type that no rule judges: adding a resource type to a stack is a
 * review (a rule, or an entry here with its reason), never a silent pass of the gate.
 *
 * A reason says why the type carries no setting worth a rule, or which rules judge it from the
 * resource it serves (a private endpoint from its service's `*-private-endpoint-attached` rule).
 */
export const REVIEWED_TYPES: Readonly<Record<string, string>> = {
  // Azure: containers and structure
  azurerm_resource_group: 'a container; its contents are judged resource by resource',
  azurerm_management_lock:
    'protects resources from deletion; nothing to misconfigure that weakens them',
  azurerm_role_definition:
    'custom roles are judged where they are assigned (role-assignment rules read the definition they grant)',
  // Azure: identity
  azurerm_user_assigned_identity:
    'an identity has no settings of its own; what it may do is judged on its role assignments',
  azurerm_federated_identity_credential:
    'trusts one issuer and subject (a Kubernetes service account or a pipeline): no secret; the subject is set by the construct from the service account it binds',
  azurerm_cosmosdb_sql_role_assignment:
    'data-plane grant of a built-in Cosmos role to one principal on one scope, written only by the constructs’ grant methods',
  azurerm_postgresql_flexible_server_active_directory_administrator:
    'names the Entra administrator; password auth is judged on the server (postgresql rules)',
  // Azure: data services' children
  azurerm_cosmosdb_sql_database:
    'a namespace inside an account judged by the cosmosdb-account rules',
  azurerm_cosmosdb_sql_container:
    'a container inside an account judged by the cosmosdb-account rules',
  azurerm_postgresql_flexible_server_database:
    'a database inside a server judged by the postgresql rules',
  azurerm_postgresql_flexible_server_configuration:
    'server parameters; the security-relevant ones are judged by postgresql-flexible-server-logging-parameters and the TLS rule on the server',
  azurerm_eventhub: 'a topic inside a namespace judged by the eventhub-namespace rules',
  azurerm_eventhub_consumer_group:
    'a consumer group inside an event hub: no settings of security relevance',
  azurerm_storage_container:
    'a container inside an account judged by the storage-account rules (public blob access is an account setting there)',
  azurerm_key_vault_certificate:
    'generated inside the vault (no key material in code); the vault is judged by the key-vault rules',
  azurerm_databricks_access_connector:
    'a managed identity for Unity Catalog; what it may reach is judged on its role assignments',
  // Azure: networking judged from the resource it serves
  azurerm_private_endpoint:
    'judged from the service it connects, by each service’s *-private-endpoint-attached rule',
  azurerm_private_dns_zone: 'name resolution for private endpoints; judged with them',
  azurerm_private_dns_zone_virtual_network_link:
    'attaches a private DNS zone to the VNet; judged with the private endpoints',
  azurerm_private_dns_a_record: 'a name for a private address; judged with the private endpoints',
  azurerm_subnet_network_security_group_association:
    'binds an NSG (judged by the network-security-group rules) to a subnet',
  azurerm_nat_gateway:
    'outbound-only translation for the private subnets; it accepts no inbound connection',
  azurerm_nat_gateway_public_ip_association: 'the NAT gateway’s outbound address',
  azurerm_subnet_nat_gateway_association:
    'routes a subnet’s outbound traffic through the NAT gateway',
  azurerm_public_ip:
    'addresses of the NAT gateway and the edge; exposure is judged on what listens behind them (NSG and service public-network rules)',
  // Azure: monitoring
  azurerm_application_insights:
    'telemetry sink; local auth and retention are judged on its Log Analytics workspace (log-analytics rules)',
  azurerm_monitor_workspace:
    'the Prometheus metrics store; no public data-plane write path of its own',
  azurerm_monitor_data_collection_endpoint: 'ingestion endpoint for data collection rules',
  azurerm_monitor_data_collection_rule:
    'what is collected and where it goes; judged by what it feeds',
  azurerm_monitor_data_collection_rule_association: 'binds a data collection rule to a resource',
  azurerm_monitor_metric_alert:
    'an alert rule; monitor-action-group-has-alert-rules judges that alerts reach someone',
  azurerm_monitor_scheduled_query_rules_alert_v2:
    'an alert rule on logs; judged with the action groups',
  azurerm_monitor_alert_prometheus_rule_group:
    'alert rules on Prometheus metrics; judged with the action groups',
  // API Management's API surface
  azurerm_api_management_api:
    'an API of the gateway; authentication, TLS and network exposure are judged on the service and its policies',
  azurerm_api_management_backend:
    'where the gateway forwards; the backend’s own exposure is judged on it',
  azurerm_api_management_product:
    'groups APIs for subscriptions; subscription_required is set by the construct',
  azurerm_api_management_product_api: 'adds an API to a product',
  azurerm_api_management_subscription: 'a subscription key kept in the service, never in code',
  // Kubernetes objects without workload or network exposure of their own
  kubernetes_horizontal_pod_autoscaler_v2:
    'scales a workload judged by the kubernetes-workload rules',
  kubernetes_pod_disruption_budget_v1:
    'bounds voluntary evictions of a workload; no security setting',
  kubernetes_network_policy_v1:
    'judged through kubernetes-namespace-default-deny-network-policy and kubernetes-workload-identity-egress-allowed, which read every policy of the namespace',
  // Databricks objects judged from what they serve
  databricks_workspace_file:
    'job source uploaded from the repository’s data-science/jobs, reviewed and tested with the code; it holds no secret (the job reads them from the Key Vault-backed scope)',
  databricks_storage_credential:
    'binds Unity Catalog to the access connector’s managed identity: no secret; what it reaches is the identity’s role assignments',
  databricks_credential:
    'a Unity Catalog service credential on the access connector’s managed identity: no secret',
  databricks_external_location:
    'a Unity Catalog path on the lake under a storage credential; access to it goes through Unity Catalog grants',
};

/**
 * Kinds written through `kubernetes_manifest` that the pack has reviewed, by `group/kind` (`v1`
 * core objects by kind alone). A workload kind (Pod, Deployment, …) is deliberately absent: the
 * workload rules judge `kubernetes_deployment_v1` and its kin, not a raw manifest, so one written
 * as a manifest must fail the coverage rule rather than pass unjudged.
 */
export const REVIEWED_MANIFEST_KINDS: Readonly<Record<string, string>> = {
  'networking.istio.io/Gateway':
    'a listener on the AKS Istio add-on’s ingress gateway, which the cluster construct keeps internal; routes only',
  'networking.istio.io/VirtualService':
    'routes inside the mesh; access is decided by AuthorizationPolicy',
  'security.istio.io/AuthorizationPolicy':
    'narrows which mesh identities may call a workload (it can only take access away from what the network policies allow); written by the workloads stack from its call graph',
  'security.istio.io/PeerAuthentication':
    'mesh mTLS mode; STRICT is written by the platform construct',
  'secrets-store.csi.x-k8s.io/SecretProviderClass':
    'mounts Key Vault secrets as files through workload identity; kubernetes-workload-secrets-mounted-as-files judges the mounts',
  'cilium.io/CiliumNetworkPolicy':
    'egress by FQDN on top of the namespace’s default deny; read by kubernetes-workload-identity-egress-allowed',
  'keda.sh/ScaledObject': 'scales a workload judged by the kubernetes-workload rules',
  'keda.sh/TriggerAuthentication': 'workload-identity auth for a scaler: no secret',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy':
    'an admission guard (it can only deny); kubernetes-namespace-pod-security-enforced reads it',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding':
    'binds an admission guard to namespaces; kubernetes-namespace-pod-security-enforced reads it',
};

/**
 * Resource types an `azurerm_resource_group_template_deployment` may create and pass the
 * coverage rule: ARM for what azurerm cannot write yet. Any other type in a template fails it.
 */
export const REVIEWED_ARM_TYPES: Readonly<Record<string, string>> = {
  'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments':
    'Azure Managed Redis data-access assignments (azurerm 4.55 has no resource for them); redis-access-policy-writes-serialised judges their order',
};
