import type { App } from 'cdktf';
import { environments } from './environments';
import type { EnvironmentConfig } from './environments';
import { DataStack } from './data-stack';
import { PlatformStack } from './platform-stack';
import { WorkloadsStack } from './workloads-stack';

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly platform: PlatformStack;
  readonly workloads: WorkloadsStack;
  /** Databricks' side (Unity Catalog credentials, secret scope, lakehouse job), with dataScience. */
  readonly data?: DataStack;
}

/** Adds the stacks of every environment (or of `only`) to `app`. */
export function buildApp(
  app: App,
  only: readonly EnvironmentConfig[] = environments,
): EnvironmentStacks[] {
  return only.map((env) => {
    const platform = new PlatformStack(app, `iot-${env.name}`, env);
    const workloads = new WorkloadsStack(app, `iot-${env.name}-workloads`, env, platform.platform);
    workloads.addDependency(platform);
    const data = env.dataScience
      ? new DataStack(app, `iot-${env.name}-data`, env, platform.platform)
      : undefined;
    data?.addDependency(platform);
    return { platform, workloads, data };
  });
}
