/**
 * `npm run policy -- [dir|file] [--fail-on high] [--pack p] [--report-dir docs/audit]`.
 * `npm run synth` calls it on cdktf.out as the gate. See policies/README.md.
 */
import { runCli } from './run';

process.exitCode = runCli(process.argv.slice(2));
