import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('web server configuration', () => {
  it('exits 2 naming every bad variable, without echoing secrets', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts')], {
      cwd: join(__dirname, '..', '..'),
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: 'http://:s3cret@cache:6379',
        SSE_HEARTBEAT_MS: '10',
        TRUST_PROXY: 'maybe',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL=<unset>: is required/);
    expect(r.stderr).toMatch(/REDIS_URL=<redacted>: must be a URL \(redis: or rediss:\)/);
    expect(r.stderr).toMatch(/SSE_HEARTBEAT_MS="10": must be an integer from 1000 to 120000/);
    expect(r.stderr).toMatch(/TRUST_PROXY="maybe": must be true or false/);
    expect(r.stderr).not.toContain('s3cret');
  });
});
