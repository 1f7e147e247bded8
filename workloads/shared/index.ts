/**
 * The workloads' shared module: reading schema and ids, the message contract, configuration,
 * logging, metrics, health endpoints, lifecycle, and the Kafka and Cosmos wrappers.
 */
export * from './schema';
export * from './ids';
export * from './messages';
export * from './config';
export * from './logger';
export * from './metrics';
export * from './health';
export * from './lifecycle';
export * from './kafka';
export * from './partitioner';
export * from './cosmos';
