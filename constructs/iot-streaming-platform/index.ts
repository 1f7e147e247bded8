export * from './iot-streaming-platform';
