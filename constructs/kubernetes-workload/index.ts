export * from './kubernetes-workload';
export * from './workload-namespace';
