export * from './network';
export * from './nsg-rules';
export * from './private-dns-zones';
