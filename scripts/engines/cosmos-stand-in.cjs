/**
 * Starts the Cosmos DB stand-in (@vercel/cosmosdb-server) over plain HTTP with keep-alive:
 * `node cosmos-stand-in.cjs <host> <port>`. Its own CLI cannot set `keepAlive`, so it answers
 * `connection: close` and every SDK request opens a new TCP connection, which Cosmos DB never
 * makes a client do (the SDK's agent keeps connections alive). It also honours
 * `Prefer: return=minimal` on bulk calls (below). Prints one "Ready" line. ADR 0024.
 */
'use strict';

// Bulk and batch calls with `Prefer: return=minimal` (the SDK's contentResponseOnWriteEnabled:
// false) get each operation's status without the document, as Cosmos DB answers them; the
// package always echoes every document. Wrapped before the package's route table captures it.
const batchDocuments = require('@vercel/cosmosdb-server/lib/handler/batch-documents');
const echoEveryDocument = batchDocuments.default;
batchDocuments.default = async (account, req, res, params) => {
  const body = await echoEveryDocument(account, req, res, params);
  if (!Array.isArray(body) || !/\breturn=minimal\b/i.test(String(req.headers.prefer ?? ''))) {
    return body;
  }
  return body.map((r) =>
    r && typeof r === 'object' && 'resourceBody' in r && r.statusCode < 400
      ? { statusCode: r.statusCode, requestCharge: r.requestCharge, eTag: r.eTag }
      : r,
  );
};

const { createHttpServer } = require('@vercel/cosmosdb-server');

const [host = '127.0.0.1', portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`cosmos-stand-in: port must be an integer 0–65535, got ${JSON.stringify(portArg)}`);
  process.exit(2);
}
const server = createHttpServer({ keepAlive: true });
// Longer than the SDK agent's idle sockets live, so the server is not the side closing them mid-request.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(port, host, () => {
  console.log(`Ready to accept HTTP connections at ${host}:${server.address().port} (keep-alive)`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
