export * from './web-app';
