// The lakehouse job's Python unit tests (data-science/tests: settings without Spark, transforms on
// a local SparkSession) and its lint (ruff, pinned in data-science/requirements.txt), run in the
// venv scripts/engines/install.mjs builds, so CI runs them through jest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assertSparkInstalled, root, sparkEnv, venvPython } from './spark';

jest.setTimeout(600_000);

beforeAll(() => assertSparkInstalled());

function python(args: readonly string[]) {
  const r = spawnSync(venvPython, args, {
    cwd: join(root, 'data-science'),
    env: { ...sparkEnv(), PYTHONPATH: join(root, 'data-science', 'jobs') },
    encoding: 'utf8',
    timeout: 540_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('data-science Python', () => {
  it('passes its unit tests', () => {
    const r = python([
      '-W',
      'ignore::ResourceWarning',
      '-m',
      'unittest',
      'discover',
      '-s',
      'tests',
      '-t',
      'tests',
      '-v',
    ]);
    // unittest prints "Ran N tests" and "OK"; N = 0 would be a discovery mistake, not a pass.
    const ran = Number(/Ran (\d+) tests?/.exec(r.output)?.[1] ?? 0);
    if (r.status !== 0 || ran === 0) throw new Error(r.output);
    expect(ran).toBeGreaterThanOrEqual(13);
    expect(r.output).toMatch(/\nOK\b/);
  });

  it('is clean under ruff (lint and format)', () => {
    const check = python(['-m', 'ruff', 'check', '.']);
    expect({ status: check.status, output: check.output.trim() }).toEqual({
      status: 0,
      output: 'All checks passed!',
    });
    const format = python(['-m', 'ruff', 'format', '--check', '.']);
    if (format.status !== 0) throw new Error(format.output);
  });
});
