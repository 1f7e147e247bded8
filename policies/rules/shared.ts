/**
 * Checks several rules share: a private endpoint attached to a resource, a diagnostic setting
 * targeting it, and the internet-exposure test for NSG rules. All go through the stack graph.
 */
import { fail, pass, unknown } from '../engine/check';
import type { Resource, RuleContext } from '../engine/resource';
import type { Verdict } from '../engine/types';

/** Resources of `type` whose `attribute` points at no resource of this stack (a literal id, a variable). */
function unresolvedPointers(ctx: RuleContext, type: string, attribute: string): number {
  return ctx.memo(
    `unresolved:${type}:${attribute}`,
    () =>
      ctx.resources(type).filter((r) => {
        const v = r.get(attribute);
        return v.state !== 'absent' && ctx.references(r, attribute).length === 0;
      }).length,
  );
}

/**
 * PASS when some `fromType` resource references `target` from `attribute`; UNKNOWN when none
 * does but some `fromType` resource points somewhere the graph cannot resolve; else FAIL.
 */
export function referencedBy(
  target: Resource,
  ctx: RuleContext,
  fromType: string,
  attribute: string,
  what: string,
): Verdict {
  const refs = ctx.referrers(target, { types: [fromType], attribute });
  if (refs.length > 0) {
    return pass(`${what}: ${[...new Set(refs.map((r) => r.from.address))].sort().join(', ')}`);
  }
  const open = unresolvedPointers(ctx, fromType, attribute);
  if (open > 0) {
    return unknown(
      `no ${what} references this resource, but ${open} ${fromType} point(s) at ids the stack cannot resolve`,
    );
  }
  return fail(`no ${what} references this resource`);
}

/** A private endpoint whose service connection targets the resource. */
export function privateEndpointAttached(r: Resource, ctx: RuleContext): Verdict {
  return referencedBy(
    r,
    ctx,
    'azurerm_private_endpoint',
    'private_service_connection.private_connection_resource_id',
    'private endpoint',
  );
}

/** Types that support Azure Monitor diagnostic settings and that the platform deploys. */
export const DIAGNOSABLE_TYPES: readonly string[] = [
  'azurerm_api_management',
  'azurerm_container_registry',
  'azurerm_cosmosdb_account',
  'azurerm_eventhub_namespace',
  'azurerm_hdinsight_kafka_cluster',
  'azurerm_key_vault',
  'azurerm_kubernetes_cluster',
  'azurerm_linux_web_app',
  'azurerm_managed_redis',
  'azurerm_network_security_group',
  'azurerm_postgresql_flexible_server',
  'azurerm_redis_cache',
  'azurerm_storage_account',
  'azurerm_virtual_network',
];

const INTERNET_SOURCES = new Set(['*', '0.0.0.0', '0.0.0.0/0', '::/0', 'internet', 'any']);

/** One inbound allow rule of an NSG, inline or as its own resource, with the node it came from. */
export interface NsgRuleView {
  readonly attributePrefix: string;
  readonly read: (path: string) => ReturnType<Resource['get']>;
  readonly list: (path: string) => ReturnType<Resource['list']>;
  readonly name: string;
}

/** The security rules of an NSG resource or a standalone rule resource. */
export function nsgRules(r: Resource): NsgRuleView[] | undefined {
  if (r.type === 'azurerm_network_security_rule') {
    return [{ attributePrefix: '', read: (p) => r.get(p), list: (p) => r.list(p), name: r.name }];
  }
  const blocks = r.blocks('security_rule');
  if (blocks.state !== 'known') return undefined;
  return blocks.value.map((b) => ({
    attributePrefix: b.basePath,
    read: (p) => b.get(p),
    list: (p) => b.list(p),
    name: String(b.attrs.name ?? b.basePath),
  }));
}

function portCovers(spec: string, port: number): boolean {
  const s = spec.trim();
  if (s === '*') return true;
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  return port >= lo && port <= hi;
}

/**
 * Judges every inbound Allow rule of an NSG against "does it open `port`/`protocols` to the
 * internet". `port` undefined means any port (the rule must not open every port).
 */
export function internetExposure(
  r: Resource,
  port: number | undefined,
  protocols: readonly string[],
  label: string,
): Verdict[] {
  const rules = nsgRules(r);
  if (!rules) return [unknown(`security rules of ${r.address} are an expression`)];
  const verdicts: Verdict[] = [];
  for (const rule of rules) {
    const at = (p: string) => (rule.attributePrefix ? `${rule.attributePrefix}.${p}` : p);
    const direction = rule.read('direction');
    const access = rule.read('access');
    if (direction.state === 'known' && String(direction.value).toLowerCase() !== 'inbound')
      continue;
    if (access.state === 'known' && String(access.value).toLowerCase() !== 'allow') continue;
    const protocol = rule.read('protocol');
    if (protocol.state === 'known') {
      const p = String(protocol.value).toLowerCase();
      if (p !== '*' && !protocols.includes(p)) continue;
    }
    const sources = [rule.list('source_address_prefix'), rule.list('source_address_prefixes')];
    const ports = [rule.list('destination_port_range'), rule.list('destination_port_ranges')];
    const facts = [direction, access, protocol, ...sources, ...ports];
    const internet = sources.some(
      (s) => s.state === 'known' && s.value.some((v) => INTERNET_SOURCES.has(v.toLowerCase())),
    );
    const covers = ports.some(
      (p) =>
        p.state === 'known' &&
        p.value.some((v) => (port === undefined ? v.trim() === '*' : portCovers(v, port))),
    );
    if (internet && covers) {
      verdicts.push(
        fail(`rule ${rule.name} allows ${label} from the internet`, at('source_address_prefix')),
      );
    } else if (facts.some((f) => f.state === 'unknown')) {
      verdicts.push(
        unknown(
          `rule ${rule.name} has values only known at apply time`,
          at('source_address_prefix'),
        ),
      );
    }
  }
  if (verdicts.length === 0) return [pass(`no inbound rule allows ${label} from the internet`)];
  return verdicts;
}
