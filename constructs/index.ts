// The library's one entry point: re-exports only. Import a single construct by its folder
// (`constructs/key-vault`) to keep compile times low, or everything from here.
// Not re-exported here: `databricks-job` (DatabricksJob, UnityCatalogCredentials), the one folder
// that needs @cdktf/provider-databricks; import it by its subpath, so that provider stays an
// optional peer for app teams that do not use Databricks.
export * from './core';
export * from './network';
export * from './monitoring';
export * from './key-vault';
export * from './container-registry';
export * from './kubernetes-cluster';
export * from './kubernetes-workload';
export * from './api-management';
export * from './mesh-ingress';
export * from './cosmos-account';
export * from './databricks-workspace';
export * from './data-lake';
export * from './kafka';
export * from './kafka-topics';
export * from './postgres-server';
export * from './redis-cache';
export * from './web-app';
export * from './iot-streaming-platform';
export * from './pipeline-identity';
