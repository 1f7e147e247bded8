export * from './streaming-backbone';
export * from './event-hubs-kafka';
export * from './hdinsight-kafka-cluster';
