export * from './streaming-backbone';
export * from './event-hubs-kafka';
