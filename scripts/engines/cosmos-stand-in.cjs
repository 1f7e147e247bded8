/**
 * Starts the Cosmos DB stand-in (@vercel/cosmosdb-server) over plain HTTP with keep-alive:
 * `node cosmos-stand-in.cjs <host> <port>`. Its own CLI cannot set `keepAlive`, so it answers
 * `connection: close` and every SDK request opens a new TCP connection, which Cosmos DB never
 * makes a client do (the SDK's agent keeps connections alive). Prints one "Ready" line.
 */
'use strict';
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
