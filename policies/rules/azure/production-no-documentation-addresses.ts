import { fail, notApplicable, pass, unknown } from '../../engine/check';
import type { Node, Resource, RuleContext } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';
import { documentationRangeOf, exampleDomainOf } from '../../reserved-values';

/** Values of the tag `environment` that mark a production stack. */
const PRODUCTION = new Set(['prod', 'production']);

type Kind = 'address' | 'email';

/** Where each type keeps addresses: an attribute, optionally inside (nested) blocks. */
const FIELDS: Readonly<
  Record<string, readonly { block?: string; attribute: string; kind: Kind }[]>
> = {
  azurerm_network_security_rule: [
    { attribute: 'source_address_prefix', kind: 'address' },
    { attribute: 'source_address_prefixes', kind: 'address' },
    { attribute: 'destination_address_prefix', kind: 'address' },
    { attribute: 'destination_address_prefixes', kind: 'address' },
  ],
  azurerm_network_security_group: [
    { block: 'security_rule', attribute: 'source_address_prefix', kind: 'address' },
    { block: 'security_rule', attribute: 'source_address_prefixes', kind: 'address' },
    { block: 'security_rule', attribute: 'destination_address_prefix', kind: 'address' },
    { block: 'security_rule', attribute: 'destination_address_prefixes', kind: 'address' },
  ],
  azurerm_kubernetes_cluster: [
    { block: 'api_server_access_profile', attribute: 'authorized_ip_ranges', kind: 'address' },
  ],
  azurerm_key_vault: [{ block: 'network_acls', attribute: 'ip_rules', kind: 'address' }],
  azurerm_storage_account: [{ block: 'network_rules', attribute: 'ip_rules', kind: 'address' }],
  azurerm_container_registry: [
    { block: 'network_rule_set.ip_rule', attribute: 'ip_range', kind: 'address' },
  ],
  azurerm_cosmosdb_account: [{ attribute: 'ip_range_filter', kind: 'address' }],
  azurerm_eventhub_namespace: [
    { block: 'network_rulesets.ip_rule', attribute: 'ip_mask', kind: 'address' },
  ],
  azurerm_linux_web_app: [
    { block: 'site_config.ip_restriction', attribute: 'ip_address', kind: 'address' },
  ],
  azurerm_postgresql_flexible_server_firewall_rule: [
    { attribute: 'start_ip_address', kind: 'address' },
    { attribute: 'end_ip_address', kind: 'address' },
  ],
  azurerm_redis_firewall_rule: [
    { attribute: 'start_ip', kind: 'address' },
    { attribute: 'end_ip', kind: 'address' },
  ],
  azurerm_api_management: [{ attribute: 'publisher_email', kind: 'email' }],
  azurerm_monitor_action_group: [
    { block: 'email_receiver', attribute: 'email_address', kind: 'email' },
  ],
};

function environmentTag(r: Resource): string | undefined {
  const v = r.str('tags.environment');
  return v.state === 'known' ? v.value.toLowerCase() : undefined;
}

/**
 * Whether the resource belongs to production: its own `environment` tag, or, for resources
 * without tags (NSG rules, firewall rules), the tag of the stack's resource groups.
 */
function isProduction(r: Resource, ctx: RuleContext): boolean {
  const own = environmentTag(r);
  if (own !== undefined) return PRODUCTION.has(own);
  return ctx.memo('production-stack', () =>
    ctx.resources('azurerm_resource_group').some((g) => PRODUCTION.has(environmentTag(g) ?? '')),
  );
}

/** FAIL/UNKNOWN verdicts for one attribute; `checked` lists what was read and found clean. */
function judge(node: Node, attribute: string, kind: Kind, checked: string[]): Verdict[] {
  const at = node.pathOf(attribute);
  const v = node.list(attribute);
  if (v.state === 'absent') return [];
  const what = kind === 'email' ? 'example domain' : 'documentation range';
  if (v.state === 'unknown') {
    return [
      unknown(
        `${at} is only known at apply time (${v.reason}); the input it comes from must reject every ${what}`,
        at,
      ),
    ];
  }
  const verdicts: Verdict[] = [];
  for (const value of v.value) {
    const reserved = kind === 'email' ? exampleDomainOf(value) : documentationRangeOf(value);
    if (reserved) {
      verdicts.push(
        fail(
          `${at} is ${JSON.stringify(value)}, in the ${what} ${reserved}: a placeholder, not a real ${kind === 'email' ? 'mailbox' : 'network'}`,
          at,
        ),
      );
    }
  }
  if (verdicts.length === 0) checked.push(at);
  return verdicts;
}

/**
 * In a production stack (tag `environment` = `prod`/`production` on the resource or on the
 * stack's resource groups), no address is in a documentation range (RFC 5737, RFC 3849) and no
 * e-mail address is in an example domain (RFC 2606, RFC 6761): NSG rules, API server authorized
 * ranges, service firewalls, alert receivers and API Management's publisher e-mail.
 */
export const productionNoDocumentationAddresses: Rule = {
  id: 'production-no-documentation-addresses',
  appliesTo: Object.keys(FIELDS),
  evaluate: (r, ctx) => {
    if (!isProduction(r, ctx)) {
      return notApplicable('not a production resource (tag environment is not prod)');
    }
    const verdicts: Verdict[] = [];
    const checked: string[] = [];
    for (const f of FIELDS[r.type]) {
      if (!f.block) {
        verdicts.push(...judge(r, f.attribute, f.kind, checked));
        continue;
      }
      const blocks = r.blocks(f.block);
      if (blocks.state !== 'known') {
        verdicts.push(unknown(blocks.reason, f.block));
        continue;
      }
      for (const b of blocks.value) verdicts.push(...judge(b, f.attribute, f.kind, checked));
    }
    if (verdicts.length > 0) return verdicts;
    if (checked.length === 0) return notApplicable('no address or e-mail attribute is set');
    return pass(`no documentation range or example domain in ${checked.join(', ')}`);
  },
};
