import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_DIR, committedAsOf, writeAuditReports } from '../scripts/audit';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('committed audit reports', () => {
  const fresh = mkdtempSync(join(tmpdir(), 'audit-test-'));
  let code = -1;
  beforeAll(() => {
    code = writeAuditReports(fresh, committedAsOf());
  });
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it('the project stacks pass the gate with no unwaived failure at high or above', () => {
    expect(code).toBe(0);
  });

  it('are up to date with the code (run `npm run audit -- --keep-date` and commit when this fails)', () => {
    const committed = files(AUDIT_DIR).filter((f) => f !== 'as-of.json' && f !== 'README.md');
    expect(files(fresh)).toEqual(committed);
    for (const f of committed) {
      expect(`${f}\n${readFileSync(join(fresh, f), 'utf8')}`).toBe(
        `${f}\n${readFileSync(join(AUDIT_DIR, f), 'utf8')}`,
      );
    }
  });
});
