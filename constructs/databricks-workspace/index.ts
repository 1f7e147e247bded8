export * from './databricks-workspace';
