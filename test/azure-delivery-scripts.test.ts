// scripts/azure/promote-images.sh and deploy-stacks.sh as the pipeline runs them, with az, oras,
// notation, openssl and terraform replaced by recording fakes on PATH: the order of the supply
// chain's steps, what stops a promotion, and which stacks a deploy stage plans and applies.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const DIGEST = `sha256:${'a'.repeat(64)}`;
const SHA = 'b'.repeat(40);
const IMAGES = ['ingest', 'analysis', 'processing', 'web', 'splunk-forwarder'];
const digests = Object.fromEntries(
  IMAGES.map((i) => [`TF_VAR_${i.replace(/-/g, '_')}_image_digest`, DIGEST]),
);

/** A folder of fake tools: each appends `<tool> <args>` to $LOG and answers like the real one. */
function fakes(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'delivery-fakes-'));
  const log = join(dir, 'calls.log');
  const tool = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/usr/bin/env bash\necho "${name} $*" >> "$LOG"\n${body}\n`);
    chmodSync(file, 0o755);
  };
  tool(
    'az',
    [
      'case "$1 $2" in',
      '  "acr login") echo "{\\"loginServer\\":\\"$4.azurecr.io\\",\\"accessToken\\":\\"t\\"}" ;;',
      '  "keyvault certificate") echo "https://kv.vault.azure.net/keys/image-signing/1" ;;',
      '  "account show") echo 00000000-0000-0000-0000-000000000001 ;;',
      'esac',
    ].join('\n'),
  );
  tool(
    'oras',
    [
      'case "$1" in',
      '  login) cat > /dev/null ;;',
      `  resolve) echo "\${FAKE_RESOLVE:-${DIGEST}}" ;;`,
      '  discover)',
      '    case "$4" in',
      '      *acriotdev*) if [ -n "$FAKE_SOURCE_REFERRERS" ]; then echo "$FAKE_SOURCE_REFERRERS"; else',
      '           echo \'{"manifests":[{"digest":"sha256:5160"},{"digest":"sha256:5b0d"}]}\'; fi ;;',
      '      *) if [ -n "$FAKE_TARGET_REFERRERS" ]; then echo "$FAKE_TARGET_REFERRERS"; else',
      '           echo \'{"manifests":[{"digest":"sha256:5160"},{"digest":"sha256:5b0d"}]}\'; fi ;;',
      '    esac ;;',
      'esac',
    ].join('\n'),
  );
  tool('notation', '[ "$1" = login ] && cat > /dev/null; exit 0');
  tool('openssl', 'echo "subject=CN=image-signing,O=Contoso IoT,ST=North Holland,C=NL"');
  tool(
    'terraform',
    [
      'echo "  DATABRICKS_AUTH_TYPE=$DATABRICKS_AUTH_TYPE ARM_USE_OIDC=$ARM_USE_OIDC" >> "$LOG"',
      'echo "  TF_VAR_web_image_digest=$TF_VAR_web_image_digest" >> "$LOG"',
      'case "$2 $3" in',
      '  "show -json") if [ -n "$FAKE_PLAN_JSON" ]; then echo "$FAKE_PLAN_JSON"; else echo \'{"resource_changes":[]}\'; fi ;;',
      '  show*) echo "plan of $1" ;;',
      'esac',
    ].join('\n'),
  );
  return { dir, log };
}

function run(script: string, args: string[], env: Record<string, string>) {
  const { dir, log } = fakes();
  const r = spawnSync('bash', [join(root, 'scripts/azure', script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env, LOG: log, PATH: `${dir}:${process.env.PATH ?? ''}` },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    // no tool was called
  }
  return { ...r, calls, dir };
}

describe('scripts/azure/promote-images.sh', () => {
  const pem = join(mkdtempSync(join(tmpdir(), 'delivery-pem-')), 'signing-certificate.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const args = (reports: string) => [
    'acriotdev7k2q',
    'acriotprod7k2q',
    SHA,
    'kv-iotprod7k2q',
    'image-signing',
    pem,
    reports,
  ];
  const promote = (env: Record<string, string> = {}) =>
    run('promote-images.sh', args(join(tmpdir(), `promoted-${process.pid}`)), {
      ...digests,
      ...env,
    });

  it('verifies in dev, copies with referrers, checks the digest and referrers, verifies in prod, signs, locks', () => {
    const r = promote();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const src = `acriotdev7k2q.azurecr.io/iot/ingest@${DIGEST}`;
    const dst = `acriotprod7k2q.azurecr.io/iot/ingest`;
    const ingest = r.calls.filter(
      (c) => c.includes('iot/ingest') && !c.startsWith('notation policy'),
    );
    expect(ingest).toEqual([
      `notation verify ${src}`,
      `oras discover --format json ${src}`,
      `oras cp -r ${src} ${dst}:${SHA}`,
      `oras resolve ${dst}:${SHA}`,
      `oras discover --format json ${dst}@${DIGEST}`,
      `notation verify ${dst}@${DIGEST}`,
      `notation sign --signature-format cose --id https://kv.vault.azure.net/keys/image-signing/1 --plugin azure-kv --plugin-config self_signed=true ${dst}@${DIGEST}`,
      `az acr repository update --name acriotprod7k2q --image iot/ingest:${SHA} --write-enabled false --delete-enabled false --output none`,
      `oras discover --format json ${dst}@${DIGEST}`,
      `az acr repository update --name acriotprod7k2q --image iot/ingest@sha256:5160 --write-enabled false --delete-enabled false --output none`,
      `az acr repository update --name acriotprod7k2q --image iot/ingest@sha256:5b0d --write-enabled false --delete-enabled false --output none`,
    ]);
    // every image, and the trust policy trusts the source certificate for both registries only
    for (const image of IMAGES) expect(r.stdout).toContain(`${image} ${DIGEST}`);
    const trust = r.calls.filter((c) => c.startsWith('notation cert add'));
    expect(trust).toEqual([`notation cert add --type ca --store promote-source ${pem}`]);
  });

  it('stops before signing when the copy is not the digest that was built', () => {
    const r = promote({ FAKE_RESOLVE: `sha256:${'c'.repeat(64)}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the Build stage built ${DIGEST}`);
    expect(r.calls.filter((c) => c.startsWith('notation sign'))).toEqual([]);
    expect(r.calls.filter((c) => c.startsWith('az acr repository update'))).toEqual([]);
  });

  it('stops before signing when a referrer (signature, SBOM) did not come along', () => {
    const r = promote({ FAKE_TARGET_REFERRERS: '{"manifests":[{"digest":"sha256:5160"}]}' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('referrers of iot/ingest@');
    expect(r.stderr).toContain('sha256:5b0d');
    expect(r.calls.filter((c) => c.startsWith('notation sign'))).toEqual([]);
  });

  it('stops when the source digest has no referrers or discover fails, never copying unsigned', () => {
    for (const broken of ['{"manifests":[]}', 'not json']) {
      const r = promote({ FAKE_SOURCE_REFERRERS: broken });
      // 1 from the script, or jq's own status when discover's output is not JSON
      expect(r.status).not.toBe(0);
      expect(r.calls.filter((c) => c.startsWith('oras cp'))).toEqual([]);
      expect(r.calls.filter((c) => c.startsWith('notation sign'))).toEqual([]);
    }
  });

  it.each([
    [
      'a missing digest',
      { TF_VAR_web_image_digest: '' },
      /TF_VAR_web_image_digest is not a digest/,
    ],
    ['a tag for a digest', { TF_VAR_web_image_digest: 'latest' }, /is not a digest: 'latest'/],
  ])('exits 2 on %s, before any registry call', (_what, env, message) => {
    const r = promote(env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.calls).toEqual([]);
  });
});

describe('scripts/azure/deploy-stacks.sh', () => {
  function out(stacks: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'delivery-out-'));
    for (const s of stacks) {
      mkdirSync(join(dir, 'stacks', s), { recursive: true });
      writeFileSync(join(dir, 'stacks', s, '.terraform.lock.hcl'), '# lock\n');
    }
    return dir;
  }
  const signedIn = {
    ...digests,
    servicePrincipalId: '00000000-0000-0000-0000-0000000000aa',
    tenantId: '00000000-0000-0000-0000-0000000000bb',
    idToken: 'federated-token',
    ARM_SUBSCRIPTION_ID: '00000000-0000-0000-0000-0000000000cc',
  };
  const planned = (calls: string[]) =>
    calls.filter((c) => / plan /.test(c)).map((c) => /-chdir=\S+\/stacks\/(\S+)/.exec(c)?.[1]);

  it('plans the platform, then the workloads, then the data stack, with the databricks provider on the az login', () => {
    const cdktfOut = out(['iot-dev', 'iot-dev-workloads', 'iot-dev-data']);
    const r = run('deploy-stacks.sh', ['plan', 'dev', 'plan'], {
      ...signedIn,
      CDKTF_OUT: cdktfOut,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(planned(r.calls)).toEqual(['iot-dev', 'iot-dev-workloads', 'iot-dev-data']);
    expect(r.calls).toContain('  DATABRICKS_AUTH_TYPE=azure-cli ARM_USE_OIDC=true');
    expect(readFileSync(join(r.dir, 'plan', 'iot-dev-data.plan.txt'), 'utf8')).toContain(
      'plan of -chdir=',
    );
  });

  it('applies the saved data plan after the others', () => {
    const cdktfOut = out(['iot-prod', 'iot-prod-workloads', 'iot-prod-data']);
    const plans = mkdtempSync(join(tmpdir(), 'delivery-plans-'));
    for (const s of ['iot-prod', 'iot-prod-workloads', 'iot-prod-data']) {
      writeFileSync(join(plans, `${s}.terraform.lock.hcl`), '# lock\n');
    }
    const r = run('deploy-stacks.sh', ['apply-plan', 'prod', plans], {
      ...signedIn,
      CDKTF_OUT: cdktfOut,
    });
    expect(r.status).toBe(0);
    const applied = r.calls
      .filter((c) => / apply /.test(c))
      .map((c) => [/stacks\/(\S+)/.exec(c)?.[1], c.split(' ').pop()]);
    expect(applied).toEqual(
      ['iot-prod', 'iot-prod-workloads', 'iot-prod-data'].map((s) => [s, `${plans}/${s}.tfplan`]),
    );
  });

  it("reads the digests Azure Pipelines passes in upper case (a variable's env name) as Terraform's lower-case names", () => {
    const upper = Object.fromEntries(
      Object.entries(signedIn).map(([k, v]) => [k.startsWith('TF_VAR_') ? k.toUpperCase() : k, v]),
    );
    const r = run('deploy-stacks.sh', ['plan', 'dev', 'plan'], {
      ...upper,
      CDKTF_OUT: out(['iot-dev', 'iot-dev-workloads']),
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.calls).toContain(`  TF_VAR_web_image_digest=${DIGEST}`);
    const promoted = run(
      'promote-images.sh',
      [
        'acriotdev7k2q',
        'acriotprod7k2q',
        SHA,
        'kv',
        'image-signing',
        __filename,
        join(tmpdir(), `promoted-upper-${process.pid}`),
      ],
      Object.fromEntries(Object.entries(digests).map(([k, v]) => [k.toUpperCase(), v])),
    );
    expect(promoted.stderr).toBe('');
    expect(promoted.status).toBe(0);
  });

  it.each([
    ['replace', ['delete', 'create']],
    ['delete', ['delete']],
  ])(
    "stops at plan (exit 3) when a plan would %s the deploy identity's own privileged assignment",
    (_what, actions) => {
      const change = (address: string, a: string[]) => ({ address, change: { actions: a } });
      const r = run('deploy-stacks.sh', ['plan', 'dev', 'plan'], {
        ...signedIn,
        CDKTF_OUT: out(['iot-dev', 'iot-dev-workloads']),
        FAKE_PLAN_JSON: JSON.stringify({
          resource_changes: [
            change('azurerm_role_assignment.DeployCluster-c8f74afe36', ['delete', 'create']),
            change('azurerm_role_assignment.DeployRbacAdmin-c8f74afe36', actions),
          ],
        }),
      });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(
        "iot-dev would replace the deploy identity's own role assignments (azurerm_role_assignment.DeployRbacAdmin-c8f74afe36)",
      );
      // stopped at the first stack
      expect(planned(r.calls)).toEqual(['iot-dev']);
    },
  );

  it('plans on when only other assignments change, or its own are updated in place', () => {
    const r = run('deploy-stacks.sh', ['plan', 'dev', 'plan'], {
      ...signedIn,
      CDKTF_OUT: out(['iot-dev', 'iot-dev-workloads']),
      FAKE_PLAN_JSON: JSON.stringify({
        resource_changes: [
          {
            address: 'azurerm_role_assignment.DeployCluster-c8f74afe36',
            change: { actions: ['delete', 'create'] },
          },
          {
            address: 'azurerm_role_assignment.DeployContributor-c8f74afe36',
            change: { actions: ['no-op'] },
          },
        ],
      }),
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['platform', ['iot-dev']],
    ['workloads', ['iot-dev-workloads']],
    ['data', ['iot-dev-data']],
  ])('applies only the %s stack when asked', (only, expected) => {
    const stacks = ['iot-dev', 'iot-dev-workloads', 'iot-dev-data'];
    const plans = mkdtempSync(join(tmpdir(), 'delivery-plans-'));
    for (const s of stacks) writeFileSync(join(plans, `${s}.terraform.lock.hcl`), '# lock\n');
    const r = run('deploy-stacks.sh', ['apply-plan', 'dev', plans, only], {
      ...signedIn,
      CDKTF_OUT: out(stacks),
    });
    expect(r.status).toBe(0);
    expect(
      r.calls.filter((c) => / apply /.test(c)).map((c) => /stacks\/(\S+)/.exec(c)?.[1]),
    ).toEqual(expected);
  });

  it('skips the data stack where none was synthesized, and refuses an unknown stack', () => {
    const plans = mkdtempSync(join(tmpdir(), 'delivery-plans-'));
    const skipped = run('deploy-stacks.sh', ['apply-plan', 'dev', plans, 'data'], {
      ...signedIn,
      CDKTF_OUT: out(['iot-dev', 'iot-dev-workloads']),
    });
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toContain('iot-dev-data was not synthesized; nothing to apply');
    expect(skipped.calls.filter((c) => c.startsWith('terraform'))).toEqual([]);
    const bad = run('deploy-stacks.sh', ['apply-plan', 'dev', plans, 'everything'], {
      ...signedIn,
      CDKTF_OUT: out(['iot-dev']),
    });
    expect(bad.status).toBe(2);
  });

  it('plans only the platform and workloads of an environment without a data stack', () => {
    const r = run('deploy-stacks.sh', ['plan', 'dev', 'plan'], {
      ...signedIn,
      CDKTF_OUT: out(['iot-dev', 'iot-dev-workloads']),
    });
    expect(r.status).toBe(0);
    expect(planned(r.calls)).toEqual(['iot-dev', 'iot-dev-workloads']);
  });
});
