export * from './databricks-job';
export * from './unity-catalog-credentials';
