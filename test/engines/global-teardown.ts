import type { Engines } from '../../scripts/engines';

/** jest's globalTeardown for the `integration` project: stops what global-setup started. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __ENGINES__?: Engines };
  const engines = holder.__ENGINES__;
  holder.__ENGINES__ = undefined;
  if (engines) await engines.stop();
}
