export * from './cosmos-account';
