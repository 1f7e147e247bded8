export * from './kafka-topics-job';
