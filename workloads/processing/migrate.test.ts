import { loadMigrations, parseMigrations, pendingMigrations } from './migrate';

describe('parseMigrations', () => {
  it('orders by numeric version, not by file listing order', () => {
    const ms = parseMigrations([
      { file: '010_ten.sql', sql: 'select 10' },
      { file: '002_two.sql', sql: 'select 2' },
      { file: '001_one.sql', sql: 'select 1' },
    ]);
    expect(ms.map((m) => `${m.version}:${m.name}`)).toEqual(['1:one', '2:two', '10:ten']);
  });

  it('rejects a duplicate version naming both files', () => {
    expect(() =>
      parseMigrations([
        { file: '001_a.sql', sql: '' },
        { file: '001_b.sql', sql: '' },
      ]),
    ).toThrow("migration version 1 is used twice ('a', 'b')");
  });

  it('rejects a file name without a version', () => {
    expect(() => parseMigrations([{ file: 'init.sql', sql: '' }])).toThrow(
      "migration file name 'init.sql' does not match NNN_name.sql",
    );
  });
});

describe('pendingMigrations', () => {
  const [one, two, three] = parseMigrations([
    { file: '001_one.sql', sql: 'a' },
    { file: '002_two.sql', sql: 'b' },
    { file: '003_three.sql', sql: 'c' },
  ]);

  it('returns the unapplied migrations in order', () => {
    const pending = pendingMigrations([one, two, three], [{ version: 1, checksum: one.checksum }]);
    expect(pending.map((m) => m.version)).toEqual([2, 3]);
  });

  it('refuses an applied migration whose file changed', () => {
    expect(() => pendingMigrations([one, two], [{ version: 2, checksum: 'other' }])).toThrow(
      'migration 2_two changed after it was applied',
    );
  });

  it('refuses an applied migration whose file is gone', () => {
    expect(() => pendingMigrations([one], [{ version: 9, checksum: 'x' }])).toThrow(
      'migration 9 is applied but its file is missing',
    );
  });
});

describe('the shipped migrations', () => {
  it('parse, start at 1 and have no gaps', () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });
});
