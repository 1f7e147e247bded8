/**
 * scripts/azure/web-signin-app-registration.ts: the generated scripts run against a stand-in `az` that
 * keeps the directory's state (app registrations, service principals, federated credentials) in
 * JSON files, so creation, idempotence and the identity moving are observable. The stack comes
 * from the real platform stack synthesized in memory.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { buildApp } from '../stacks/app';
import { dev } from '../stacks/environments';
import {
  FEDERATED_CREDENTIAL_NAME,
  TOKEN_EXCHANGE_AUDIENCE,
  main,
  signInInfo,
} from '../scripts/azure/web-signin-app-registration';

const ROOT = join(__dirname, '..');

/** The synthesized dev platform stack, as `cdktf synth` writes it. */
function synthesizedDevStack(): Record<string, unknown> {
  const [{ platform }] = buildApp(Testing.app(), [dev]);
  return JSON.parse(Testing.synth(platform));
}

const FAKE_AZ = `#!/usr/bin/env bash
set -euo pipefail
state="$FAKE_STATE"; echo "$*" >> "$state/az.log"
arg() { local k=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$k" ] && { echo "$2"; return; }; shift; done; }
case "$1 $2 $3" in
  "ad app list") f="$state/app.json"; [ -f "$f" ] && jq -r .appId "$f" || true;;
  "ad app create") jq -n --arg n "$(arg --display-name "$@")" --arg r "$(arg --web-redirect-uris "$@")" --arg i "$(arg --enable-id-token-issuance "$@")" --arg a "$(arg --sign-in-audience "$@")" '{appId:"11111111-2222-3333-4444-555555555555",displayName:$n,redirect:$r,idTokens:$i,audience:$a}' > "$state/app.json"; jq -r .appId "$state/app.json";;
  "ad app update") echo update >> "$state/app.updates";;
  "ad sp show") [ -f "$state/sp" ];;
  "ad sp create") touch "$state/sp";;
  "account show --query") echo "aaaaaaaa-0000-0000-0000-000000000001";;
  "identity show --name") cat "$state/principal";;
  "ad app federated-credential") case "$4" in
      list) [ -f "$state/fic.json" ] && jq -r .subject "$state/fic.json" || true;;
      create|update) arg --parameters "$@" > "$state/fic.json"; echo "$4" >> "$state/fic.ops";;
    esac;;
  *) echo "unexpected az $*" >&2; exit 3;;
esac
`;

describe('scripts/azure/web-signin-app-registration.ts', () => {
  const stack = synthesizedDevStack();
  let dir: string;
  let out: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'web-signin-'));
    out = join(dir, 'out');
    mkdirSync(join(out, 'stacks', 'iot-dev'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'iot-dev', 'cdk.tf.json'), JSON.stringify(stack));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'az'), FAKE_AZ);
    chmodSync(join(dir, 'bin', 'az'), 0o755);
    writeFileSync(join(dir, 'principal'), 'bbbbbbbb-0000-0000-0000-000000000002\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const script = (command: string) => {
    let text = '';
    expect(
      main(
        [command, 'iot-dev', '--out', out],
        (s) => (text += s),
        () => undefined,
      ),
    ).toBe(0);
    return text;
  };
  const run = (text: string) =>
    spawnSync('bash', ['-c', text], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_STATE: dir },
    });
  const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

  it('finds the web app and the identity that redeems its sign-ins in the synthesized stack', () => {
    const info = signInInfo(stack);
    expect(info.webApp).toMatch(/^app-iot-dev-/);
    expect(info.identityName).toBe('id-iot-dev-web');
    expect(info.identityResourceGroup).toMatch(/^rg-iot-dev/);
  });

  it('register: creates a single-tenant registration with the callback and ID tokens, once', () => {
    const first = run(script('register'));
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(
      'export TF_VAR_web_signin_client_id=11111111-2222-3333-4444-555555555555',
    );
    const { webApp } = signInInfo(stack);
    expect(json('app.json')).toMatchObject({
      displayName: `${webApp} sign-in`,
      redirect: `https://${webApp}.azurewebsites.net/.auth/login/aad/callback`,
      idTokens: 'true',
      audience: 'AzureADMyOrg',
    });
    expect(existsSync(join(dir, 'sp'))).toBe(true);
    const again = run(script('register'));
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const log = readFileSync(join(dir, 'az.log'), 'utf8');
    expect(log.match(/ad app create/g)).toHaveLength(1);
    expect(log).not.toMatch(/credential reset|password/);
  });

  it('trust: lets the web identity stand in for a secret, and follows a re-created identity', () => {
    expect(run(script('register')).status).toBe(0);
    const trust = script('trust');
    expect(run(trust).status).toBe(0);
    expect(json('fic.json')).toEqual({
      name: FEDERATED_CREDENTIAL_NAME,
      issuer: 'https://login.microsoftonline.com/aaaaaaaa-0000-0000-0000-000000000001/v2.0',
      subject: 'bbbbbbbb-0000-0000-0000-000000000002',
      audiences: [TOKEN_EXCHANGE_AUDIENCE],
    });
    expect(run(trust).stderr).toContain('already trusts');
    writeFileSync(join(dir, 'principal'), 'cccccccc-0000-0000-0000-000000000003\n');
    expect(run(trust).status).toBe(0);
    expect(json('fic.json').subject).toBe('cccccccc-0000-0000-0000-000000000003');
    expect(readFileSync(join(dir, 'fic.ops'), 'utf8').trim().split('\n')).toEqual([
      'create',
      'update',
    ]);
  });

  it('trust: refuses to run before register', () => {
    const r = run(script('trust'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('run the register command first');
  });

  describe('command line', () => {
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'scripts', 'azure', 'web-signin-app-registration.ts'),
          ...args,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
      );

    it('prints help with --help and exits 0', () => {
      const r = cli('--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('usage: npx tsx scripts/azure/web-signin-app-registration.ts');
    });

    it.each([
      [['delete', 'iot-dev'], /unknown command "delete"/],
      [['register'], /register needs a stack name/],
      [['register', '../etc'], /is not a stack name/],
    ])('exits 2 on bad input %j', (args, message) => {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    });

    it('exits 2 for a web app without Entra sign-in', () => {
      const app = Object.values(
        (stack.resource as Record<string, Record<string, Record<string, unknown>>>)
          .azurerm_linux_web_app,
      )[0];
      const without = {
        ...stack,
        resource: {
          ...(stack.resource as object),
          azurerm_linux_web_app: { web: { ...app, auth_settings_v2: undefined } },
        },
      };
      writeFileSync(join(out, 'stacks', 'iot-dev', 'cdk.tf.json'), JSON.stringify(without));
      const r = cli('register', 'iot-dev', '--out', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/has no Entra sign-in/);
    });
  });
});
