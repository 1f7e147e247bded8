import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import {
  VALIDATIONS,
  adminGroupObjectIds,
  alertEmailReceivers,
  apimPublisherEmail,
  authorizedIpRanges,
  hdinsightSshPublicKeys,
  keyVaultDeployerIpRanges,
} from './deploy-inputs';

// The validation blocks are evaluated by the real Terraform CLI: `terraform plan` on a
// configuration that holds only the variables needs no provider, no credentials and no network.
function terraformBinary(): string {
  const fromEnv = process.env.TERRAFORM_BIN;
  if (fromEnv) return fromEnv;
  const found = (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, 'terraform'))
    .find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'deploy-inputs.test needs the terraform CLI (1.9 or later) to evaluate the variable validations: put it on PATH or set TERRAFORM_BIN',
    );
  }
  return found;
}

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOqK8ttoVxBdfvswfvjkBMKLh4aQHWWsbmJXzEGQ+UVk ops-break-glass';
const RSA_3072 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQD2dsGAPeTLEeS61Eb2ah5GQfvHcyMcCtw69x0Et3GJ2yfzau4zvtaZlBohltZu2hRWg6+exMgvgirFyfFmQN9na/aNT5vxRct4p/aNDgwVs0dBh7MdHHF7E9VjRkRFzgILHRYnRiVAuXuq9udXrHx5QlHHvJ5ddt9t0hQlXTPYdWLY9snCZVOWwD5UGAx1ejpOq53KgQjuhlhEpR85kP5PJbI6oy3jiW0byTox5cZDoLCsVOniddI4ep23nJ9H4dKMROijy72V0UzwngvDbQ8pOpEyqtSLX1K0hdAuaPUkKpcUp7dqABdxxJvnaQ07jMfdwFvgpWNwaEg1z1ChexSdf+5ERftCojZnZX+ehPYZwWoDaYX+kD3IegA9hQUSZEXUw6dvGw7pYQgkpzQHk6FhgSnQe29pgZM4pqMVTJhMDWLnoR5T3P9bsij2N6T4JTYyTjLYsRn0uUu7z5ng1uyJHPaLtzAB7lNn7rn9WukFJ21RGve0pZzTlkSVO+UvafM= ops';
/** The prod key the environment used to carry: a valid-looking ed25519 line whose blob is text. */
const PLACEHOLDER_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJ3b2ZpeG9wLXBsYXRmb3JtLWJyZWFrLWdsYXNz platform-break-glass';

const GOOD = {
  aks_admin_group_object_ids: ['0b5cd7f4-2f61-4f0e-9a8e-51c1b0c6d7a2'],
  apim_publisher_email: 'iot-platform@contoso.com',
  alert_email_addresses: { 'platform-oncall': 'oncall@contoso.com', security: 'soc@fabrikam.io' },
  hdinsight_ssh_public_keys: [ED25519, RSA_3072],
  aks_authorized_ip_ranges: ['20.61.14.0/28', '52.174.10.7/32'],
  key_vault_deployer_ip_ranges: ['52.174.10.7', '20.61.14.0/28'],
};
type Inputs = typeof GOOD;

let dir: string;
let terraform: string;

beforeAll(() => {
  terraform = terraformBinary();
  const stack = new TerraformStack(Testing.app(), 'inputs');
  adminGroupObjectIds(stack);
  apimPublisherEmail(stack);
  alertEmailReceivers(stack, ['platform-oncall', 'security']);
  hdinsightSshPublicKeys(stack);
  authorizedIpRanges(stack, { deploymentAgents: false });
  keyVaultDeployerIpRanges(stack);
  dir = mkdtempSync(join(tmpdir(), 'deploy-inputs-'));
  const { variable } = JSON.parse(Testing.synth(stack)) as { variable: unknown };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `terraform plan` with the inputs; returns the error details (empty when accepted). */
function plan(inputs: Inputs): string[] {
  writeFileSync(join(dir, 'inputs.tfvars.json'), JSON.stringify(inputs));
  let out: string;
  try {
    out = execFileSync(
      terraform,
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

describe('deploy-time inputs, validated by terraform itself', () => {
  it('accepts real values', () => {
    expect(plan(GOOD)).toEqual([]);
  });

  it.each<[string, Partial<Inputs>, RegExp]>([
    ['no admin group', { aks_admin_group_object_ids: [] }, /at least one Entra group/],
    ['an admin group that is no GUID', { aks_admin_group_object_ids: ['admins'] }, /object id/],
    [
      'the nil GUID as admin group',
      { aks_admin_group_object_ids: ['00000000-0000-0000-0000-000000000000'] },
      /not the nil GUID/,
    ],
    ['a publisher at example.com', { apim_publisher_email: 'iot@example.com' }, /real mailbox/],
    ['a publisher that is no address', { apim_publisher_email: 'iot-platform' }, /e-mail address/],
    [
      'an alert receiver at a subdomain of example.org',
      { alert_email_addresses: { 'platform-oncall': 'a@ops.example.org', security: 's@f.io' } },
      /real mailboxes/,
    ],
    [
      'an alert receiver in .test',
      { alert_email_addresses: { 'platform-oncall': 'a@ops.test', security: 's@f.io' } },
      /real mailboxes/,
    ],
    [
      'a missing alert receiver',
      { alert_email_addresses: { 'platform-oncall': 'a@contoso.com' } as never },
      /exactly one address for each receiver/,
    ],
    [
      'an empty alert receiver address',
      { alert_email_addresses: { 'platform-oncall': 'a@contoso.com', security: '' } as never },
      /e-mail address/,
    ],
    [
      'a misspelt alert receiver',
      {
        alert_email_addresses: { 'platform-oncall': 'a@contoso.com', secruity: 's@f.io' } as never,
      },
      /exactly one address for each receiver: platform-oncall, security/,
    ],
    [
      'an SSH key whose blob is text',
      { hdinsight_ssh_public_keys: [PLACEHOLDER_KEY] },
      /plain text/,
    ],
    [
      'an SSH key whose blob is of another type',
      { hdinsight_ssh_public_keys: [`ssh-ed25519 ${RSA_3072.split(' ')[1]}`] },
      /OpenSSH public key line/,
    ],
    [
      'an RSA key under 2048 bits',
      { hdinsight_ssh_public_keys: [RSA_3072.slice(0, 300)] },
      /OpenSSH public key line/,
    ],
    ['a DSA key', { hdinsight_ssh_public_keys: ['ssh-dss AAAAB3NzaC1kc3MAAACBAP'] }, /OpenSSH/],
    ['no SSH key', { hdinsight_ssh_public_keys: [] }, /at least one SSH public key/],
    [
      'TEST-NET-3 as authorized range',
      { aks_authorized_ip_ranges: ['203.0.113.0/24'] },
      /RFC 5737/,
    ],
    [
      'an address inside TEST-NET-2',
      { aks_authorized_ip_ranges: ['20.61.14.0/28', '198.51.100.7/32'] },
      /RFC 5737/,
    ],
    ['a supernet of TEST-NET-1', { aks_authorized_ip_ranges: ['192.0.0.0/16'] }, /RFC 5737/],
    ['the whole internet', { aks_authorized_ip_ranges: ['0.0.0.0/0'] }, /wider than \/8/],
    ['a malformed range', { aks_authorized_ip_ranges: ['10.0.0.300/24'] }, /IPv4 CIDR/],
    ['a bare address', { aks_authorized_ip_ranges: ['52.174.10.7'] }, /IPv4 CIDR/],
    ['no authorized range', { aks_authorized_ip_ranges: [] }, /at least one public IPv4 CIDR/],
    [
      'a deployer address inside TEST-NET-3',
      { key_vault_deployer_ip_ranges: ['203.0.113.7'] },
      /RFC 5737/,
    ],
    [
      'a deployer range overlapping TEST-NET-1',
      { key_vault_deployer_ip_ranges: ['52.174.10.7', '192.0.0.0/22'] },
      /RFC 5737/,
    ],
    [
      'the whole internet as deployer range',
      { key_vault_deployer_ip_ranges: ['0.0.0.0/0'] },
      /opens the vault to the internet/,
    ],
    [
      'a malformed deployer address',
      { key_vault_deployer_ip_ranges: ['52.174.10.256'] },
      /public IPv4 address/,
    ],
    ['a deployer host name', { key_vault_deployer_ip_ranges: ['agent.contoso.com'] }, /IPv4/],
  ])('rejects %s', (_, bad, message) => {
    const errors = plan({ ...GOOD, ...bad });
    expect(errors.some((d) => message.test(d)) ? 'rejected' : errors).toBe('rejected');
  });

  it('makes the authorized ranges optional (default none) when deployment agents are authorized', () => {
    const stack = new TerraformStack(Testing.app(), 'inputs');
    authorizedIpRanges(stack, { deploymentAgents: true });
    const { variable } = JSON.parse(Testing.synth(stack)) as {
      variable: Record<string, { default?: unknown; validation: { condition: string }[] }>;
    };
    expect(variable.aks_authorized_ip_ranges.default).toEqual([]);
    expect(variable.aks_authorized_ip_ranges.validation.map((v) => v.condition)).not.toContainEqual(
      expect.stringContaining('length('),
    );
  });

  it('keeps the vault private by default: no deployer range unless given', () => {
    const { key_vault_deployer_ip_ranges: _, ...withoutDeployer } = GOOD;
    expect(plan(withoutDeployer as Inputs)).toEqual([]);
    const stack = new TerraformStack(Testing.app(), 'inputs');
    keyVaultDeployerIpRanges(stack);
    const { variable } = JSON.parse(Testing.synth(stack)) as {
      variable: Record<string, { default?: unknown; type: string; description: string }>;
    };
    expect(variable.key_vault_deployer_ip_ranges).toMatchObject({
      type: 'list(string)',
      default: [],
      description: expect.stringContaining('private-only'),
    });
  });

  it('declares every input with a description and its validation blocks', () => {
    const stack = new TerraformStack(Testing.app(), 'inputs');
    adminGroupObjectIds(stack);
    const { variable } = JSON.parse(Testing.synth(stack)) as {
      variable: Record<string, { description: string; type: string; validation: unknown[] }>;
    };
    expect(variable.aks_admin_group_object_ids).toEqual({
      description: expect.stringContaining('Entra groups'),
      type: 'list(string)',
      validation: VALIDATIONS.aks_admin_group_object_ids.map((v) => ({
        condition: v.condition,
        error_message: v.errorMessage,
      })),
    });
  });
});
