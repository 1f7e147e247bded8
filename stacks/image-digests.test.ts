// Images by digest end to end: the digest variables refuse anything but a digest (evaluated by
// the real terraform CLI), and every image the stacks deploy is `<registry>/iot/<name>@${var}`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { buildApp } from './app';
import { IMAGES, imageDigest, imageDigestVariableName } from './image-digests';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function terraformBinary(): string {
  const found =
    process.env.TERRAFORM_BIN ??
    (process.env.PATH ?? '')
      .split(delimiter)
      .map((d) => join(d, 'terraform'))
      .find((p) => existsSync(p));
  if (!found)
    throw new Error('image-digests.test needs the terraform CLI on PATH (or TERRAFORM_BIN)');
  return found;
}

describe('image digest variables, validated by terraform itself', () => {
  let dir: string;
  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), 'digests');
    for (const image of IMAGES) imageDigest(stack, image);
    // declared once even when asked twice (the job and the route reuse a workload's image)
    imageDigest(stack, 'ingest');
    const { variable } = JSON.parse(Testing.synth(stack)) as { variable: Record<string, unknown> };
    expect(Object.keys(variable).sort()).toEqual(IMAGES.map(imageDigestVariableName).sort());
    dir = mkdtempSync(join(tmpdir(), 'image-digests-'));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `terraform plan` with every digest variable set to `value` (ingest to `ingest`): its errors. */
  function plan(ingest: string): string[] {
    const vars = Object.fromEntries(
      IMAGES.map((i) => [imageDigestVariableName(i), i === 'ingest' ? ingest : DIGEST]),
    );
    writeFileSync(join(dir, 'inputs.tfvars.json'), JSON.stringify(vars));
    let out: string;
    try {
      out = execFileSync(
        terraformBinary(),
        ['plan', '-json', '-input=false', '-lock=false', '-var-file=inputs.tfvars.json'],
        {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
        },
      );
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
      if (!out.includes('"@level":"error"')) throw e;
    }
    return out
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as { '@level': string; diagnostic?: { detail?: string } })
      .filter((m) => m['@level'] === 'error')
      .map((m) => m.diagnostic?.detail ?? '');
  }

  it('accepts a sha256 digest', () => {
    expect(plan(DIGEST)).toEqual([]);
  });

  it.each([
    ['a release tag', '0.1.0'],
    ['latest', 'latest'],
    ['a commit sha (a tag, not content)', '3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8'],
    ['a digest without its algorithm', '0123456789abcdef'.repeat(4)],
    ['a short digest', 'sha256:abc123'],
    ['upper-case hex', `sha256:${'ABCDEF0123456789'.repeat(4)}`],
    ['a whole reference', `acr.azurecr.io/iot/ingest@${DIGEST}`],
    ['a digest with a trailing newline', `${DIGEST}\n`],
  ])('refuses %s', (_what, value) => {
    expect(plan(value)).toEqual([
      expect.stringMatching(/ingest_image_digest must be an image digest/),
    ]);
  });
});

describe('the stacks deploy images by digest only', () => {
  const stacks = buildApp(Testing.app());

  /** Every `image` / `docker_image_name` value anywhere in a synthesized stack. */
  function images(json: unknown, found: string[] = []): string[] {
    if (Array.isArray(json)) json.forEach((j) => images(j, found));
    else if (typeof json === 'object' && json !== null) {
      for (const [k, v] of Object.entries(json)) {
        if ((k === 'image' || k === 'docker_image_name') && typeof v === 'string') found.push(v);
        else images(v, found);
      }
    }
    return found;
  }

  it.each(stacks.map((s) => [s.workloads.node.id, s.workloads] as const))(
    '%s: every container runs <registry>/iot/<service>@${var.<service>_image_digest}',
    (_id, stack) => {
      const json = JSON.parse(Testing.synth(stack)) as {
        variable: Record<string, unknown>;
        resource: unknown;
      };
      const all = images(json.resource);
      expect(all.length).toBeGreaterThanOrEqual(4);
      for (const image of all) {
        expect(image).toMatch(
          /^\$\{[^}]+\}\/iot\/(ingest|analysis|processing|splunk-forwarder)@\$\{var\.(ingest|analysis|processing|splunk_forwarder)_image_digest\}$/,
        );
        const [, repo, variable] = /iot\/([\w-]+)@\$\{var\.(\w+)_image_digest\}$/.exec(image)!;
        expect(variable).toBe(repo.replace(/-/g, '_'));
      }
      expect(Object.keys(json.variable)).toEqual(
        expect.arrayContaining([
          'ingest_image_digest',
          'analysis_image_digest',
          'processing_image_digest',
        ]),
      );
    },
  );

  it.each(stacks.map((s) => [s.platform.node.id, s.platform] as const))(
    '%s: the dashboard runs iot/web@${var.web_image_digest}',
    (_id, stack) => {
      const json = JSON.parse(Testing.synth(stack)) as { variable: Record<string, unknown> };
      expect(images(json)).toEqual(['iot/web@${var.web_image_digest}']);
      expect(json.variable.web_image_digest).toMatchObject({
        type: 'string',
        validation: [{ condition: '${can(regex("^sha256:[a-f0-9]{64}$", var.web_image_digest))}' }],
      });
    },
  );
});
