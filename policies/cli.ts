#!/usr/bin/env node
/**
 * `npm run policy -- [dir|file] [--fail-on high] [--pack p] [--report-dir docs/audit] [--list]`.
 * `npm run synth` calls it on cdktf.out as the gate. See policies/README.md.
 *
 * Paths are relative to the folder the command was run from: npm runs scripts from the package
 * root and passes that folder as INIT_CWD.
 */
import { EXIT, consoleIo, runCli } from './run';

// `npm run policy -- --list | head` closes stdout early: end quietly, keeping the exit code.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? EXIT.usage);
});

const io = consoleIo(process.env.INIT_CWD ?? process.cwd());
process.exitCode = runCli(process.argv.slice(2), io);
io.flush();
