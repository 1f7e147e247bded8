import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function run(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('processing server configuration', () => {
  it('exits 2 naming every bad variable, without echoing secrets', () => {
    const r = run({
      DATABASE_URL: 'mysql://user:hunter2@db/iot',
      PORT: 'eighty',
      WEBHOOK_MAX_ATTEMPTS: '0',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid configuration');
    expect(r.stderr).toMatch(/DATABASE_URL=<redacted>: must be a URL \(postgres: or postgresql:\)/);
    expect(r.stderr).toMatch(/REDIS_URL=<unset>: is required/);
    expect(r.stderr).toMatch(/PORT="eighty": must be an integer from 0 to 65535/);
    expect(r.stderr).toMatch(/WEBHOOK_MAX_ATTEMPTS="0"/);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('refuses a webhook URL that is not http(s)', () => {
    const r = run({
      DATABASE_URL: 'postgres://iot@127.0.0.1:1/iot',
      REDIS_URL: 'redis://127.0.0.1:1',
      ALERT_WEBHOOK_URLS: 'https://ok.example/hook,ftp://files.example/x',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("ALERT_WEBHOOK_URLS: 'ftp://files.example/x' is not an http(s) URL");
  });

  it('refuses one of the web database principal settings without the other', () => {
    const r = run({
      DATABASE_URL: 'postgres://iot@127.0.0.1:1/iot',
      REDIS_URL: 'redis://127.0.0.1:1',
      WEB_DATABASE_PRINCIPAL_NAME: 'id-iot-dev-web',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'WEB_DATABASE_PRINCIPAL_NAME and WEB_DATABASE_PRINCIPAL_OBJECT_ID: set both or neither',
    );
  });

  it('refuses a web database principal object id that is not a GUID', () => {
    const r = run({
      DATABASE_URL: 'postgres://iot@127.0.0.1:1/iot',
      REDIS_URL: 'redis://127.0.0.1:1',
      WEB_DATABASE_PRINCIPAL_NAME: 'id-iot-dev-web',
      WEB_DATABASE_PRINCIPAL_OBJECT_ID: 'web',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/WEB_DATABASE_PRINCIPAL_OBJECT_ID="web": must be a string matching/);
  });
});
