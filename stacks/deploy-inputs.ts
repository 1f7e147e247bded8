/**
 * Deploy-time inputs: values that only the operator knows when a stack is applied (Entra group
 * ids, e-mail receivers, SSH keys, the networks allowed to reach the API server). They are
 * Terraform variables with a description, a type and validation blocks written with Terraform's
 * own functions, so `terraform plan` rejects a malformed value or a placeholder before anything
 * is created. Environments (./environments) hold only what is known at synth.
 *
 * Placeholders are rejected in every environment, not only in prod: a documentation range
 * (RFC 5737 / RFC 3849) or an example domain (RFC 2606 / RFC 6761) is never a real network or
 * mailbox, so accepting one anywhere only defers the failure.
 */
import type { Construct } from 'constructs';
import { Fn, Token, TerraformVariable } from 'cdktf';
import type { TerraformVariableValidationConfig } from 'cdktf';
import {
  DOCUMENTATION_IPV4_RANGES,
  EXAMPLE_DOMAINS,
  RESERVED_TOP_LEVEL_DOMAINS,
} from '../policies/reserved-values';

/** HCL string literal (JSON string syntax is valid HCL for these ASCII patterns). */
const hcl = (s: string) => JSON.stringify(s);

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const EMAIL = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$';
const EXAMPLE_EMAIL = `(?i)([@.](${EXAMPLE_DOMAINS.map((d) => d.replace(/\./g, '\\.')).join('|')})|\\.(${RESERVED_TOP_LEVEL_DOMAINS.join('|')}))$`;
const IPV4_CIDR =
  '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$';
/** An IPv4 address or CIDR: Key Vault's firewall takes either. */
const IPV4_ADDRESS_OR_CIDR =
  '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(/([0-9]|[12][0-9]|3[0-2]))?$';
/** Terraform: the address or CIDR `a` as a CIDR (a bare address is its /32). */
const asCidr = (a: string) => `(strcontains(${a}, "/") ? ${a} : "\${${a}}/32")`;
/**
 * OpenSSH public keys HDInsight nodes accept: RSA of 2048 bits or more (a 2048-bit key's blob is
 * 372 base64 characters) or Ed25519 (a 68-character blob). The blob must start with the
 * length-prefixed key type, which is what `AAAAB3NzaC1yc2E` / `AAAAC3NzaC1lZDI1NTE5AAAAI` are.
 */
const SSH_KEY =
  '^(ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]{357,}={0,2}|ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43})( [^\\s].*)?$';

/** Terraform: `email` (a string expression) is a well-formed address outside the example domains. */
export function emailConditions(email: string): { format: string; notExample: string } {
  return {
    format: `can(regex(${hcl(EMAIL)}, ${email}))`,
    notExample: `!can(regex(${hcl(EXAMPLE_EMAIL)}, ${email}))`,
  };
}

/**
 * Terraform: the IPv4 CIDR `c` overlaps no RFC 5737 range. Two ranges overlap when they agree on
 * the shorter of their prefixes, i.e. when both network addresses, cut to min(prefix, 24), are
 * equal. `try` keeps a malformed value from erroring here: the format block reports it.
 */
export function notDocumentationRange(c: string): string {
  const bits = `min(tonumber(split("/", ${c})[1]), 24)`;
  const checks = DOCUMENTATION_IPV4_RANGES.map(
    (d) =>
      `cidrhost("\${split("/", ${c})[0]}/\${${bits}}", 0) != cidrhost("${d.split('/')[0]}/\${${bits}}", 0)`,
  );
  return `try(${checks.join(' && ')}, true)`;
}

/**
 * A validation block. In Terraform's JSON syntax a plain string is a template, so the condition
 * must be one interpolation to be evaluated as an expression.
 */
function check(condition: string, errorMessage: string): TerraformVariableValidationConfig {
  return { condition: `\${${condition}}`, errorMessage };
}

/** The validation blocks of each input, by variable name; the test evaluates them with terraform. */
export const VALIDATIONS = {
  aks_admin_group_object_ids: [
    check(
      'length(var.aks_admin_group_object_ids) > 0',
      'List at least one Entra group: with local accounts off, its members are the only cluster admins.',
    ),
    check(
      `alltrue([for id in var.aks_admin_group_object_ids : can(regex(${hcl(UUID)}, id)) && id != "00000000-0000-0000-0000-000000000000"])`,
      'Each entry must be the object id (a GUID such as 0b5c…-…) of an existing Entra group, not the nil GUID.',
    ),
  ],
  apim_publisher_email: [
    check(
      emailConditions('var.apim_publisher_email').format,
      'The publisher e-mail must be an e-mail address such as iot-platform@contoso.com.',
    ),
    check(
      emailConditions('var.apim_publisher_email').notExample,
      'The publisher e-mail must be a real mailbox, not in example.com/.net/.org or the .example, .test, .invalid, .localhost domains (RFC 2606, RFC 6761).',
    ),
  ],
  alert_email_addresses: [
    check(
      `alltrue([for v in values(var.alert_email_addresses) : ${emailConditions('v').format}])`,
      'Each alert receiver must be an e-mail address such as oncall@contoso.com.',
    ),
    check(
      `alltrue([for v in values(var.alert_email_addresses) : ${emailConditions('v').notExample}])`,
      'Alert receivers must be real mailboxes, not in example.com/.net/.org or the .example, .test, .invalid, .localhost domains (RFC 2606, RFC 6761).',
    ),
  ],
  hdinsight_ssh_public_keys: [
    check(
      'length(var.hdinsight_ssh_public_keys) > 0',
      'List at least one SSH public key for the HDInsight node login user.',
    ),
    check(
      `alltrue([for k in var.hdinsight_ssh_public_keys : can(regex(${hcl(SSH_KEY)}, k))])`,
      'Each key must be an OpenSSH public key line: "ssh-rsa AAAAB3NzaC1yc2E…" (2048 bits or more) or "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI…", then an optional comment (the content of id_rsa.pub / id_ed25519.pub).',
    ),
    // A real key's blob holds random bytes, which are not valid UTF-8, so Terraform's
    // base64decode fails on it; a blob that decodes cleanly is text posing as a key.
    check(
      `alltrue([for k in var.hdinsight_ssh_public_keys : !can(base64decode(split(" ", k)[1]))])`,
      'The base64 part of each key must be key material; this one decodes to plain text, so it is a placeholder, not a public key.',
    ),
  ],
  aks_authorized_ip_ranges: [
    check(
      `alltrue([for c in var.aks_authorized_ip_ranges : can(regex(${hcl(IPV4_CIDR)}, c)) && can(cidrhost(c, 0))])`,
      'Each entry must be an IPv4 CIDR such as 20.61.14.0/28 (a single address is /32).',
    ),
    check(
      `alltrue([for c in var.aks_authorized_ip_ranges : try(tonumber(split("/", c)[1]) >= 8, true)])`,
      'A range wider than /8 (such as 0.0.0.0/0) opens the API server to the internet; list the networks that deploy.',
    ),
    check(
      `alltrue([for c in var.aks_authorized_ip_ranges : ${notDocumentationRange('c')}])`,
      `No entry may overlap the documentation ranges ${DOCUMENTATION_IPV4_RANGES.join(', ')} (RFC 5737): they belong to no real network.`,
    ),
  ],
  key_vault_deployer_ip_ranges: [
    check(
      `alltrue([for a in var.key_vault_deployer_ip_ranges : can(regex(${hcl(IPV4_ADDRESS_OR_CIDR)}, a)) && can(cidrhost(${asCidr('a')}, 0))])`,
      'Each entry must be a public IPv4 address such as 20.61.14.7 or a CIDR such as 20.61.14.0/28.',
    ),
    check(
      `alltrue([for a in var.key_vault_deployer_ip_ranges : try(tonumber(split("/", ${asCidr('a')})[1]) >= 8, true)])`,
      'A range wider than /8 (such as 0.0.0.0/0) opens the vault to the internet; list the addresses that deploy.',
    ),
    check(
      `alltrue([for a in var.key_vault_deployer_ip_ranges : ${notDocumentationRange(asCidr('a'))}])`,
      `No entry may overlap the documentation ranges ${DOCUMENTATION_IPV4_RANGES.join(', ')} (RFC 5737): they belong to no real network.`,
    ),
  ],
} satisfies Record<string, TerraformVariableValidationConfig[]>;

/** A deploy-time input. */
export type DeployInputName = keyof typeof VALIDATIONS;

const DESCRIPTIONS: Record<DeployInputName, string> = {
  aks_admin_group_object_ids:
    'Object ids of the Entra groups whose members are AKS cluster admins (az ad group show --group <name> --query id).',
  apim_publisher_email:
    'E-mail address API Management sends publisher notifications to (a team mailbox).',
  alert_email_addresses:
    'E-mail address of each alert receiver of the platform action group, keyed by receiver name.',
  hdinsight_ssh_public_keys:
    'OpenSSH public keys (the .pub line) of the HDInsight node login user, for break-glass access.',
  aks_authorized_ip_ranges:
    'Public IPv4 CIDRs allowed to reach the public AKS API server besides the deployment agents (operators, pipeline egress).',
  key_vault_deployer_ip_ranges:
    "Public IPv4 addresses or CIDRs of a deployer outside the VNet (the first deploy, before the deployment agents exist). Non-empty opens the Key Vault's public endpoint to exactly these; empty (the default) keeps it private-only. See docs/adr/0010.",
};

/** Declares the Terraform variable `name` with its type, description and validation blocks. */
function declare(scope: Construct, name: DeployInputName, type: string): TerraformVariable {
  return new TerraformVariable(scope, name, {
    type,
    description: DESCRIPTIONS[name],
    validation: [...VALIDATIONS[name]],
  });
}

/** Entra groups that administer the cluster. */
export function adminGroupObjectIds(scope: Construct): string[] {
  return declare(scope, 'aks_admin_group_object_ids', 'list(string)').listValue;
}

/** API Management's publisher e-mail. */
export function apimPublisherEmail(scope: Construct): string {
  return declare(scope, 'apim_publisher_email', 'string').stringValue;
}

/**
 * Alert receivers by name: one `map(string)` input whose keys must be exactly `names`, so a
 * forgotten or misspelt receiver fails the plan instead of silently alerting nobody.
 */
export function alertEmailReceivers(
  scope: Construct,
  names: readonly string[],
): { name: string; emailAddress: string }[] {
  const v = declare(scope, 'alert_email_addresses', 'map(string)');
  v.addValidation(
    check(
      `length(var.alert_email_addresses) == ${names.length} && alltrue([for n in ${JSON.stringify(names)} : contains(keys(var.alert_email_addresses), n)])`,
      `Give exactly one address for each receiver: ${names.join(', ')}.`,
    ),
  );
  return names.map((name) => ({
    name,
    emailAddress: Token.asString(Fn.lookupNested(v.value, [JSON.stringify(name)])),
  }));
}

/** SSH public keys of the HDInsight nodes' login user. */
export function hdinsightSshPublicKeys(scope: Construct): string[] {
  return declare(scope, 'hdinsight_ssh_public_keys', 'list(string)').listValue;
}

/**
 * Public ranges allowed to reach a public API server. With deployment agents in the VNet (whose
 * NAT address the platform authorizes itself) the input is optional and defaults to none;
 * without them at least one range is required, or nobody could reach the API server.
 */
export function authorizedIpRanges(
  scope: Construct,
  opts: { readonly deploymentAgents: boolean },
): string[] {
  const v = new TerraformVariable(scope, 'aks_authorized_ip_ranges', {
    type: 'list(string)',
    description: DESCRIPTIONS.aks_authorized_ip_ranges,
    default: opts.deploymentAgents ? [] : undefined,
    // A copy: addValidation appends to the array it was given.
    validation: [...VALIDATIONS.aks_authorized_ip_ranges],
  });
  if (!opts.deploymentAgents) {
    v.addValidation(
      check(
        'length(var.aks_authorized_ip_ranges) > 0',
        'List at least one public IPv4 CIDR allowed to reach the API server (e.g. your office or pipeline egress).',
      ),
    );
  }
  return v.listValue;
}

/**
 * Public addresses a deployer outside the VNet applies the platform from. The platform stack
 * creates a Key Vault certificate, a call to the vault's data plane, before any agent inside the
 * VNet exists; listing the deployer's address opens the vault's firewall to it for that apply.
 * Defaults to none: the vault stays private-only (docs/adr/0010).
 */
export function keyVaultDeployerIpRanges(scope: Construct): string[] {
  return new TerraformVariable(scope, 'key_vault_deployer_ip_ranges', {
    type: 'list(string)',
    description: DESCRIPTIONS.key_vault_deployer_ip_ranges,
    default: [],
    validation: [...VALIDATIONS.key_vault_deployer_ip_ranges],
  }).listValue;
}
