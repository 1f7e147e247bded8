// Writes the auditor reports of every stack in this repository to docs/audit/ (`npm run audit`).
// The reports are judged as of one day, recorded in docs/audit/as-of.json, so they only change
// when the code does: test/audit.test.ts regenerates them in a temp dir and fails when they
// differ from the committed ones.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { buildApp } from '../stacks/app';
import { runCli } from '../policies/run';
import gate from './gate.json';

/** Where the committed reports live. */
export const AUDIT_DIR = resolve(__dirname, '..', 'docs', 'audit');
const AS_OF_FILE = join(AUDIT_DIR, 'as-of.json');

/** The day the committed reports were judged on. */
export function committedAsOf(): string {
  return (JSON.parse(readFileSync(AS_OF_FILE, 'utf8')) as { asOf: string }).asOf;
}

/**
 * Synthesizes the app into a temp dir and writes every stack's reports (JSON, Markdown, SARIF,
 * JUnit) under `reportDir/<stack>/`, judged as of `asOf`. Returns the policy CLI's exit code.
 */
export function writeAuditReports(
  reportDir: string,
  asOf: string,
  log: (line: string) => void = () => {},
): number {
  const work = mkdtempSync(join(tmpdir(), 'iot-audit-'));
  const cwd = process.cwd();
  try {
    const app = new App({ outdir: join(work, 'cdktf.out') });
    buildApp(app);
    app.synth();
    // Run from the temp dir so report locations read `cdktf.out/stacks/<stack>/cdk.tf.json`,
    // the path a reader finds after `npm run synth`.
    process.chdir(work);
    return runCli(
      [
        'cdktf.out',
        '--report-dir',
        resolve(cwd, reportDir),
        '--today',
        asOf,
        ...gate.failOn.flatMap((f) => ['--fail-on', f]),
      ],
      {
        out: log,
        err: log,
      },
    );
  } finally {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const asOf = process.argv.includes('--keep-date')
    ? committedAsOf()
    : new Date().toISOString().slice(0, 10);
  mkdirSync(AUDIT_DIR, { recursive: true });
  const code = writeAuditReports(AUDIT_DIR, asOf, (l) => console.log(l));
  writeFileSync(AS_OF_FILE, `${JSON.stringify({ asOf }, null, 2)}\n`);
  console.log(`audit reports written to ${AUDIT_DIR} (as of ${asOf})`);
  process.exit(code);
}
