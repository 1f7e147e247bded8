import type { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from './errors';

/** A naming rule of one Azure resource type (Azure's "naming rules and restrictions"). */
export interface NamingRule {
  /** Azure's noun for the resource, used in messages. */
  readonly resource: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** The whole name must match. */
  readonly pattern: RegExp;
  /** Human description of `pattern` for the error message. */
  readonly patternDescription: string;
  /** Whether the name is part of a global DNS name and so must be unique across Azure. */
  readonly globallyUnique?: boolean;
}

/**
 * Naming rules for the resources the library creates, from Azure's published restrictions.
 * Globally unique names are checked for shape only: uniqueness is Azure's to decide.
 */
export const NamingRules = {
  resourceGroup: rule(
    'resource group',
    1,
    90,
    /^[-\w.()]*[-\w()]$/,
    'letters, digits, underscores, hyphens, periods and parentheses, not ending in a period',
  ),
  keyVault: rule(
    'key vault',
    3,
    24,
    /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    'letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
    true,
  ),
  containerRegistry: rule(
    'container registry',
    5,
    50,
    /^[a-zA-Z0-9]+$/,
    'letters and digits only',
    true,
  ),
  storageAccount: rule(
    'storage account',
    3,
    24,
    /^[a-z0-9]+$/,
    'lower-case letters and digits only',
    true,
  ),
  cosmosAccount: rule(
    'cosmos db account',
    3,
    44,
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'lower-case letters, digits and hyphens, not starting or ending with a hyphen',
    true,
  ),
  postgresServer: rule(
    'postgresql flexible server',
    3,
    63,
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'lower-case letters, digits and hyphens, not starting or ending with a hyphen',
    true,
  ),
  redis: rule(
    'redis cache',
    1,
    63,
    /^[a-zA-Z0-9](?!.*--)(?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and single hyphens, starting and ending with a letter or digit',
    true,
  ),
  managedRedis: rule(
    'managed redis',
    1,
    60,
    /^[a-zA-Z0-9](?!.*--)(?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and single hyphens, starting and ending with a letter or digit',
    true,
  ),
  apiManagement: rule(
    'api management service',
    1,
    50,
    /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and hyphens, starting with a letter and ending with a letter or digit',
    true,
  ),
  kubernetesCluster: rule(
    'kubernetes cluster',
    1,
    63,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]*[a-zA-Z0-9])?$/,
    'letters, digits, underscores and hyphens, starting and ending with a letter or digit',
  ),
  aksNodePool: rule(
    'aks node pool',
    1,
    12,
    /^[a-z][a-z0-9]*$/,
    'lower-case letters and digits, starting with a letter (linux pools: at most 12)',
  ),
  appServicePlan: rule('app service plan', 1, 60, /^[a-zA-Z0-9-]+$/, 'letters, digits and hyphens'),
  webApp: rule(
    'web app',
    2,
    60,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and hyphens, not starting or ending with a hyphen',
    true,
  ),
  eventHubsNamespace: rule(
    'event hubs namespace',
    6,
    50,
    /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    'letters, digits and hyphens, starting with a letter and ending with a letter or digit',
    true,
  ),
  eventHub: rule(
    'event hub',
    1,
    256,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$/,
    'letters, digits, periods, underscores and hyphens, starting and ending with a letter or digit',
  ),
  hdinsightCluster: rule(
    'hdinsight cluster',
    3,
    59,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and hyphens, starting and ending with a letter or digit',
    true,
  ),
  virtualNetwork: rule(
    'virtual network',
    2,
    64,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9_])?$/,
    'letters, digits, underscores, periods and hyphens, starting with a letter or digit, ending with a letter, digit or underscore',
  ),
  subnet: rule(
    'subnet',
    1,
    80,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9_])?$/,
    'letters, digits, underscores, periods and hyphens, starting with a letter or digit, ending with a letter, digit or underscore',
  ),
  logAnalyticsWorkspace: rule(
    'log analytics workspace',
    4,
    63,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    'letters, digits and hyphens, starting and ending with a letter or digit',
  ),
  userAssignedIdentity: rule(
    'user assigned identity',
    3,
    128,
    /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
    'letters, digits, hyphens and underscores, starting with a letter or digit',
  ),
  generic: rule(
    'resource',
    1,
    80,
    /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9_])?$/,
    'letters, digits, underscores, periods and hyphens',
  ),
} satisfies Record<string, NamingRule>;

function rule(
  resource: string,
  minLength: number,
  maxLength: number,
  pattern: RegExp,
  patternDescription: string,
  globallyUnique = false,
): NamingRule {
  return { resource, minLength, maxLength, pattern, patternDescription, globallyUnique };
}

/** Whether a value is a cdktf token (known only at apply time), which cannot be checked now. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/** Throws unless `value` satisfies the Azure naming rule. Tokens pass: Azure checks them. */
export function validateName(
  scope: IConstruct,
  prop: string,
  value: string,
  naming: NamingRule,
): void {
  if (isUnresolved(value)) return;
  const unique = naming.globallyUnique ? '; the name must also be globally unique' : '';
  if (value.length < naming.minLength || value.length > naming.maxLength) {
    throw new ValidationError(
      scope,
      prop,
      value,
      `a ${naming.resource} name is ${naming.minLength} to ${naming.maxLength} characters long (got ${value.length})${unique}`,
    );
  }
  if (!naming.pattern.test(value)) {
    throw new ValidationError(
      scope,
      prop,
      value,
      `a ${naming.resource} name allows ${naming.patternDescription}${unique}`,
    );
  }
}

/** Throws unless `value` is an integer (when `integer`) within [min, max]. */
export function validateRange(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  opts: { integer?: boolean; unit?: string } = {},
): void {
  if (value === undefined || isUnresolved(value)) return;
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const integer = opts.integer ?? true;
  if (
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    throw new ValidationError(
      scope,
      prop,
      value,
      `allowed is ${integer ? 'an integer' : 'a number'} from ${min} to ${max}${unit}`,
    );
  }
}

/** Throws unless `value` is one of `allowed`. */
export function validateOneOf<T extends string | number>(
  scope: IConstruct,
  prop: string,
  value: T | undefined,
  allowed: readonly T[],
): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw new ValidationError(
      scope,
      prop,
      value,
      `allowed values are ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    );
  }
}

/** Throws when two props that exclude each other are both set. */
export function validateExclusive(
  scope: IConstruct,
  prop: string,
  value: unknown,
  otherProp: string,
  otherSet: boolean,
): void {
  if (value !== undefined && value !== false && otherSet) {
    throw new ValidationError(scope, prop, value, `${prop} cannot be combined with ${otherProp}`);
  }
}

/** Throws unless the string is an IPv4 CIDR (`10.0.0.0/16`) or a bare IPv4 address. */
export function validateCidr(
  scope: IConstruct,
  prop: string,
  value: string,
  opts: { allowBareIp?: boolean } = {},
): void {
  if (isUnresolved(value)) return;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value);
  const ok =
    m !== null &&
    m.slice(1, 5).every((o) => Number(o) <= 255) &&
    (m[5] === undefined ? opts.allowBareIp === true : Number(m[5]) <= 32);
  if (!ok) {
    throw new ValidationError(
      scope,
      prop,
      value,
      opts.allowBareIp
        ? 'allowed is an ipv4 address or cidr such as 10.0.0.0/16'
        : 'allowed is an ipv4 cidr such as 10.0.0.0/16',
    );
  }
}

/**
 * Checks a service firewall's IP rules: each an IPv4 address or CIDR, and only together with
 * public network access (a private-only service has no public endpoint to filter).
 */
export function validateIpRules(
  scope: IConstruct,
  publicNetworkAccess: boolean,
  allowedIpRanges: readonly string[] | undefined,
): void {
  const ranges = allowedIpRanges ?? [];
  ranges.forEach((r, i) => validateCidr(scope, `allowedIpRanges[${i}]`, r, { allowBareIp: true }));
  if (!publicNetworkAccess && ranges.length > 0) {
    throw new ValidationError(
      scope,
      'allowedIpRanges',
      allowedIpRanges,
      'ip rules only apply with publicNetworkAccess: true',
    );
  }
}
