/**
 * How fast a Node server accepts new connections when its event loop is busy, and when it is not:
 *
 *   node scripts/bench/accept-per-turn.cjs [--connections 500] [--turn-ms 50] [--seconds 3]
 *
 * A worker thread opens `--connections` connections at once to a server in this thread. Busy:
 * every event-loop turn of the server spends `--turn-ms` ms of CPU (as a saturated ingest replica
 * does on the requests of its open connections). Baseline, in the same run: the same with an idle
 * loop. Prints connections accepted per second for each, the ratio and the load average. This is
 * the mechanism behind the 1,000-connection benchmark's first-request p99 (docs/benchmarks.md):
 * on Node 20 a listening socket yields about one accepted connection per loop turn.
 */
'use strict';
const net = require('node:net');
const os = require('node:os');
const { parseArgs } = require('node:util');
const { setImmediate } = require('node:timers');
const { Worker } = require('node:worker_threads');

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '500' },
    'turn-ms': { type: 'string', default: '50' },
    seconds: { type: 'string', default: '3' },
  },
});
const CONNECTIONS = Number(values.connections);
const TURN_MS = Number(values['turn-ms']);
const SECONDS = Number(values.seconds);
for (const [name, v] of [
  ['--connections', CONNECTIONS],
  ['--turn-ms', TURN_MS],
  ['--seconds', SECONDS],
]) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`accept-per-turn: ${name} must be a positive number, got ${v}`);
    process.exit(2);
  }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Accepted connections per second over `SECONDS` (or until all are in), with `turnMs` of work per turn. */
function measure(turnMs) {
  return new Promise((resolve) => {
    let accepted = 0;
    let spinning = true;
    const sockets = [];
    const server = net.createServer((s) => {
      accepted++;
      sockets.push(s);
    });
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
      const { port } = server.address();
      if (turnMs > 0) {
        const spin = () => {
          const t = Date.now();
          while (Date.now() - t < turnMs);
          if (spinning) setImmediate(spin);
        };
        setImmediate(spin);
      }
      const worker = new Worker(
        `const net = require('node:net'); const { workerData } = require('node:worker_threads');
         for (let i = 0; i < workerData.n; i++) net.connect(workerData.port, '127.0.0.1').on('error', () => {});`,
        { eval: true, workerData: { n: CONNECTIONS, port } },
      );
      const t0 = Date.now();
      const check = setInterval(() => {
        const s = (Date.now() - t0) / 1000;
        if (accepted >= CONNECTIONS || s >= SECONDS) {
          clearInterval(check);
          spinning = false;
          const rate = accepted / s;
          void worker.terminate();
          for (const x of sockets) x.destroy();
          server.close(() => resolve({ accepted, seconds: s, rate }));
        }
      }, 5);
    });
  });
}

(async () => {
  const idle = await measure(0);
  const busy = await measure(TURN_MS);
  const fmt = (r) =>
    `${r.accepted} of ${CONNECTIONS} in ${r.seconds.toFixed(2)} s = ${Math.round(r.rate)}/s`;
  console.log(`baseline, idle loop: ${fmt(idle)} · load ${load()}`);
  console.log(`busy loop, ${TURN_MS} ms a turn: ${fmt(busy)} · load ${load()}`);
  console.log(
    `RESULT accept · connections accepted per second with ${TURN_MS} ms turns: ${Math.round(busy.rate)} (${((busy.rate * TURN_MS) / 1000).toFixed(2)} a turn) | baseline idle loop ${Math.round(idle.rate)}/s | ratio ${(busy.rate / idle.rate).toFixed(4)}× | Node ${process.version} | load ${load()}`,
  );
})();
