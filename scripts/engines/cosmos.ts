import { join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { failure, freePort, spawnManaged, waitUntilReady } from './process';
import type { EngineContext, RunningEngine } from './types';

/**
 * The key handed to clients of the stand-in. @vercel/cosmosdb-server does not check request
 * signatures, but @azure/cosmos signs every request with the key, so it must be valid base64.
 * This is the Cosmos DB emulator's published well-known key, never a secret.
 */
export const STAND_IN_COSMOS_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/**
 * A client for the stand-in. Over plain HTTP the SDK must not follow the account's advertised
 * regional endpoints (it would switch to https://…): endpoint discovery is off.
 */
export function standInCosmosClient(endpoint: string, key = STAND_IN_COSMOS_KEY): CosmosClient {
  return new CosmosClient({
    endpoint,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}

/**
 * The Cosmos DB stand-in `@vercel/cosmosdb-server` as a child Node process serving plain HTTP
 * on 127.0.0.1, so clients need no certificate workaround, only
 * `connectionPolicy.enableEndpointDiscovery: false`. It is in-memory: every start is empty.
 * It starts through `cosmos-stand-in.cjs`, which keeps connections alive as Cosmos DB does (the
 * package's own CLI answers `connection: close`, so every SDK call opened a new TCP connection;
 * measured: ingest's CPU per reading and its Cosmos write time drop with keep-alive, ADR 0024),
 * and answers bulk calls that ask for `Prefer: return=minimal` without echoing each document, as
 * Cosmos DB does.
 * `COSMOS_STAND_IN_KEEPALIVE=0` starts the package's CLI instead (`--no-ssl`), to compare.
 * It also sets COSMOS_CREATE_IF_MISSING=true so the ingest service creates its database and
 * container here (never in Azure, where the platform provisions them).
 */
export async function startCosmos(ctx: EngineContext): Promise<RunningEngine> {
  const port = ctx.port ?? (await freePort());
  const logFile = join(ctx.dir, 'cosmos.log');
  const keepAlive = process.env.COSMOS_STAND_IN_KEEPALIVE !== '0';
  const cli = keepAlive
    ? join(__dirname, 'cosmos-stand-in.cjs')
    : require.resolve('@vercel/cosmosdb-server/lib/cli.js');
  const proc = spawnManaged({
    name: 'cosmos',
    command: process.execPath,
    args: keepAlive
      ? [cli, '127.0.0.1', String(port)]
      : [cli, '--no-ssl', '--host', '127.0.0.1', '--port', String(port)],
    logFile,
    cwd: ctx.dir,
  });
  const stop = () => proc.stop('SIGTERM', 5000);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const client = standInCosmosClient(endpoint);
    await waitUntilReady(
      proc,
      async () => {
        // The database-account read is the first call every SDK client makes.
        await client.getDatabaseAccount();
        return true;
      },
      15_000,
    );
    client.dispose();
  } catch (err) {
    await stop();
    throw failure('cosmos', err, logFile);
  }
  return {
    name: 'cosmos',
    env: {
      COSMOS_ENDPOINT: endpoint,
      COSMOS_KEY: STAND_IN_COSMOS_KEY,
      COSMOS_CREATE_IF_MISSING: 'true',
    },
    pid: proc.pid,
    logFile,
    stop,
  };
}
