export * from './monitoring';
export * from './alert-rules';
export * from './managed-prometheus';
export * from './platform-alerts';
export * from './prometheus-scrape-settings';
