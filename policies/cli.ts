/**
 * `npm run policy -- [dir|file] [--fail-on high] [--pack p] [--report-dir docs/audit] [--list]`.
 * `npm run synth` calls it on cdktf.out as the gate. See policies/README.md.
 *
 * Paths are relative to the folder the command was run from: npm runs scripts from the package
 * root and passes that folder as INIT_CWD.
 */
import { EXIT, runCli } from './run';

// `npm run policy -- --list | head` closes stdout early: end quietly, keeping the exit code.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? EXIT.usage);
});

// A large stack prints a line per failure: write them in 64 KB blocks, not one write each, and
// flush before anything goes to stderr so the two streams stay in order.
let pending = '';
const flush = () => {
  if (pending) process.stdout.write(pending);
  pending = '';
};

process.exitCode = runCli(process.argv.slice(2), {
  out: (line) => {
    pending += `${line}\n`;
    if (pending.length >= 1 << 16) flush();
  },
  err: (line) => {
    flush();
    process.stderr.write(`${line}\n`);
  },
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
flush();
