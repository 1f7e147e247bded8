import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEngines } from '../../scripts/engines';
import type { Engines } from '../../scripts/engines';

/** The contract variables every integration test may rely on. */
const REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL', 'COSMOS_ENDPOINT', 'COSMOS_KEY'];

/** Where the endpoints of the current run are written, for debugging and ad-hoc tools. */
export const ENDPOINTS_FILE = resolve(__dirname, '..', '..', '.cache', 'engines', 'endpoints.json');

/**
 * jest's globalSetup for the `integration` project: starts the real engines once per run and
 * exports their addresses through process.env, which the test workers inherit.
 *
 * With ENGINES=external it starts nothing and checks that the contract variables are already
 * set (e.g. from a running `npm run local`), which saves the engines' start on every run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.ENGINES === 'external') {
    const missing = REQUIRED.filter((k) => !process.env[k]);
    if (missing.length > 0) {
      throw new Error(`ENGINES=external but ${missing.join(', ')} not set`);
    }
    return;
  }
  const engines = await startEngines();
  // globalSetup and globalTeardown run in the same process but as separate modules:
  // globalThis is how jest documents handing state from one to the other.
  (globalThis as { __ENGINES__?: Engines }).__ENGINES__ = engines;
  Object.assign(process.env, engines.env);
  mkdirSync(join(ENDPOINTS_FILE, '..'), { recursive: true });
  writeFileSync(
    ENDPOINTS_FILE,
    `${JSON.stringify({ ...engines.env, dir: engines.dir, startedAt: new Date().toISOString() }, null, 2)}\n`,
  );
}
