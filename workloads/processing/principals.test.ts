import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import {
  PRINCIPAL_LOCK_KEY,
  WEB_READ_TABLES,
  createPrincipalStatements,
  databaseOf,
  ensureDatabaseReader,
  maintenanceConnectionString,
  readerGrantStatements,
} from './principals';

const web = { roleName: 'id-iot-dev-web', objectId: '0f8fad5b-d9cb-469f-a165-70867728950e' };

/** A pool double that records every statement and answers the catalog checks as told. */
function recordingPool(answers: { roleExists?: boolean; pgaadauth?: boolean } = {}) {
  const log: { text: string; values?: unknown[] }[] = [];
  const query = async (text: string, values?: unknown[]) => {
    log.push({ text, values });
    if (text.includes('FROM pg_roles')) return { rows: [{ exists: answers.roleExists ?? false }] };
    if (text.includes('FROM pg_proc')) return { rows: [{ available: answers.pgaadauth ?? true }] };
    return { rows: [] };
  };
  const pool = {
    query,
    connect: async () => ({ query, release: () => log.push({ text: '<release>' }) }),
  } as unknown as Pool;
  return { pool, log };
}

describe('web database principal statements', () => {
  it('creates the role bound to the object id as a service principal, not an admin, without mfa', () => {
    const create = createPrincipalStatements(web).at(-1);
    expect(create).toEqual({
      text: "SELECT * FROM pgaadauth_create_principal_with_oid($1, $2, 'service', false, false)",
      values: ['id-iot-dev-web', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    });
  });

  it('grants connect, schema usage and select on exactly the tables the web app reads', () => {
    expect(readerGrantStatements(web, 'iot').map((s) => s.text)).toEqual([
      'GRANT CONNECT ON DATABASE "iot" TO "id-iot-dev-web"',
      'GRANT USAGE ON SCHEMA public TO "id-iot-dev-web"',
      'GRANT SELECT ON TABLE devices, metric_minute, alerts TO "id-iot-dev-web"',
    ]);
    expect(WEB_READ_TABLES).toEqual(['devices', 'metric_minute', 'alerts']);
  });

  it('grants read on exactly the tables the web app queries (workloads/web/queries.ts)', () => {
    const queries = readFileSync(join(__dirname, '..', 'web', 'queries.ts'), 'utf8');
    const read = new Set(
      [...queries.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/g)].map((m) => m[1]),
    );
    expect([...read].sort()).toEqual([...WEB_READ_TABLES].sort());
  });

  it('grants only select: no write privilege appears anywhere', () => {
    const sql = readerGrantStatements(web, 'iot')
      .map((s) => s.text)
      .join('\n');
    expect(sql).not.toMatch(/INSERT|UPDATE|DELETE|TRUNCATE|ALL PRIVILEGES|CREATE/);
  });

  it.each([
    [{ ...web, roleName: 'web"; DROP TABLE alerts; --' }, /role name .* must be 1-63 letters/],
    [{ ...web, objectId: 'not-a-guid' }, /object id 'not-a-guid' must be a GUID/],
  ])('rejects a reader that could not be a managed identity: %o', (reader, message) => {
    expect(() => createPrincipalStatements(reader)).toThrow(message);
    expect(() => readerGrantStatements(reader, 'iot')).toThrow(message);
  });

  it('rejects a database name it would have to quote oddly', () => {
    expect(() => readerGrantStatements(web, 'iot"x')).toThrow(/database name 'iot"x'/);
  });

  it('points the maintenance connection at the postgres database, keeping user, host and tls', () => {
    const url = 'postgres://id-iot-dev-processing@psql.example:5432/iot?sslmode=require';
    expect(maintenanceConnectionString(url)).toBe(
      'postgres://id-iot-dev-processing@psql.example:5432/postgres?sslmode=require',
    );
    expect(databaseOf(url)).toBe('iot');
  });
});

describe('ensureDatabaseReader', () => {
  it('creates a missing role under the advisory lock in one transaction, then grants in the app database', async () => {
    const maintenance = recordingPool({ roleExists: false, pgaadauth: true });
    const app = recordingPool();
    const r = await ensureDatabaseReader(app.pool, maintenance.pool, web, 'iot');
    expect(r.created).toBe(true);
    expect(maintenance.log.map((l) => l.text.split(' ').slice(0, 4).join(' '))).toEqual([
      'BEGIN',
      'SELECT pg_advisory_xact_lock($1)',
      'SELECT EXISTS (SELECT 1',
      'SELECT EXISTS (SELECT 1',
      'SELECT * FROM pgaadauth_create_principal_with_oid($1,',
      'COMMIT',
      '<release>',
    ]);
    expect(maintenance.log[1].values).toEqual([PRINCIPAL_LOCK_KEY]);
    expect(app.log.map((l) => l.text)).toEqual(
      readerGrantStatements(web, 'iot').map((s) => s.text),
    );
  });

  it('leaves an existing role alone and still (re)applies the grants', async () => {
    const maintenance = recordingPool({ roleExists: true });
    const app = recordingPool();
    const r = await ensureDatabaseReader(app.pool, maintenance.pool, web, 'iot');
    expect(r.created).toBe(false);
    expect(maintenance.log.some((l) => l.text.includes('pgaadauth'))).toBe(false);
    expect(app.log).toHaveLength(3);
  });

  it('fails naming the fix on plain PostgreSQL (no pgaadauth) when the role is missing', async () => {
    const maintenance = recordingPool({ roleExists: false, pgaadauth: false });
    const app = recordingPool();
    await expect(ensureDatabaseReader(app.pool, maintenance.pool, web, 'iot')).rejects.toThrow(
      /role 'id-iot-dev-web' does not exist and this server has no pgaadauth_create_principal_with_oid/,
    );
    expect(maintenance.log.map((l) => l.text)).toContain('ROLLBACK');
    expect(maintenance.log.some((l) => l.text.includes('FROM pgaadauth'))).toBe(false);
    expect(app.log).toHaveLength(0);
  });
});
