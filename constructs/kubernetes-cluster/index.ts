export * from './kubernetes-cluster';
