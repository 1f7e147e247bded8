export * from './pipeline-identity';
export * from './image-signing-certificate';
