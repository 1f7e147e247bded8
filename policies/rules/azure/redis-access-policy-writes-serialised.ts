import { fail, pass } from '../../engine/check';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';

/** What an ARM template deployment writes when it assigns Managed Redis access policies. */
const MANAGED_ASSIGNMENT_TYPE = 'microsoft.cache/redisenterprise/databases/accesspolicyassignments';

/** True when a template deployment's template assigns Managed Redis access policies. */
function writesManagedAccessPolicy(r: Resource): boolean {
  const template = r.get('template_content');
  // An expression (e.g. file()) cannot be read: such a deployment is not counted as a writer.
  return (
    template.state === 'known' &&
    String(template.value).toLowerCase().includes(MANAGED_ASSIGNMENT_TYPE)
  );
}

/** Every access-policy write that targets `cache`, by address. */
function writers(cache: Resource, ctx: RuleContext): Resource[] {
  const types =
    cache.type === 'azurerm_redis_cache'
      ? ['azurerm_redis_cache_access_policy_assignment', 'azurerm_redis_cache_access_policy']
      : ['azurerm_resource_group_template_deployment'];
  const found = new Map<string, Resource>();
  for (const ref of ctx.referrers(cache, { types })) {
    if (ref.from.type === 'azurerm_resource_group_template_deployment') {
      // The cache is found from the deployment's parameters (the cluster name), not its deps.
      if (ref.fromAttribute === 'depends_on' || !writesManagedAccessPolicy(ref.from)) continue;
    } else if (ref.fromAttribute !== 'redis_cache_id') continue;
    found.set(ref.from.address, ref.from);
  }
  return [...found.values()].sort((a, b) => a.address.localeCompare(b.address));
}

/** Addresses `r` waits for: its `depends_on` entries and every resource it references. */
function directDependencies(r: Resource, ctx: RuleContext): string[] {
  const deps = r.attrs.depends_on;
  const explicit = Array.isArray(deps)
    ? deps.filter((d): d is string => typeof d === 'string').map((d) => d.replace(/^\$\{|\}$/g, ''))
    : [];
  return [...explicit, ...ctx.references(r).map((e) => e.to.address)];
}

/** Every address `r` transitively waits for. */
function ancestors(r: Resource, ctx: RuleContext): Set<string> {
  return ctx.memo(`redis-access-policy-ancestors:${r.address}`, () => {
    const seen = new Set<string>();
    const stack = directDependencies(r, ctx);
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      const res = ctx.lookup(next);
      if (res) stack.push(...directDependencies(res, ctx));
    }
    return seen;
  });
}

/**
 * Writes of one Redis cache's access policies happen one at a time: every two of them are
 * ordered by the dependency graph (a `depends_on` chain), since the service rejects concurrent
 * updates of a database's access policies and Terraform runs unordered resources in parallel.
 */
export const redisAccessPolicyWritesSerialised: Rule = {
  id: 'redis-access-policy-writes-serialised',
  appliesTo: ['azurerm_managed_redis', 'azurerm_redis_cache'],
  evaluate: (cache: Resource, ctx: RuleContext): Verdict => {
    const ws = writers(cache, ctx);
    if (ws.length < 2) return pass(`${ws.length} access-policy write(s) on this cache`);
    const parallel: string[] = [];
    for (let i = 0; i < ws.length; i++) {
      for (let j = i + 1; j < ws.length; j++) {
        const a = ws[i];
        const b = ws[j];
        if (!ancestors(a, ctx).has(b.address) && !ancestors(b, ctx).has(a.address)) {
          parallel.push(`${a.address} and ${b.address}`);
        }
      }
    }
    if (parallel.length > 0) {
      return fail(
        `access-policy writes that Terraform may run at the same time: ${parallel.join('; ')}`,
      );
    }
    return pass(`${ws.length} access-policy writes, each waiting for the one before`);
  },
};
