export * from './mesh-ingress-endpoint';
export * from './mesh-ingress-route';
