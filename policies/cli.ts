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

process.exitCode = runCli(process.argv.slice(2), {
  out: console.log,
  err: console.error,
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
