import { dev } from './dev';
import { prod } from './prod';
import type { EnvironmentConfig } from './types';

export * from './types';
export { dev, prod };

/** Every environment the app synthesizes, in a stable order. */
export const environments: readonly EnvironmentConfig[] = [dev, prod];
