export * from './fqdn-egress-policy';
export * from './kubernetes-workload';
export * from './mesh-pod-security';
export * from './mesh-policies';
export * from './restricted-pod';
export * from './scaled-object';
export * from './secret-provider-class';
export * from './workload-namespace';
