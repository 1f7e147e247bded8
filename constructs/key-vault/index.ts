export * from './key-vault';
