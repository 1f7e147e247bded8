export * from './api-management';
export * from './api-policy';
