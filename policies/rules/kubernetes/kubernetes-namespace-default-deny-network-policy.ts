import { fail, pass, unknown } from '../../engine/check';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule } from '../../engine/types';

const POLICY_TYPES = ['kubernetes_network_policy_v1', 'kubernetes_network_policy'];

interface PolicyIndex {
  /** namespace → default-deny policies (empty pod selector, Ingress in policy types). */
  readonly denyAll: Map<string, string[]>;
  /** Policies whose namespace or shape is an expression. */
  readonly unresolved: number;
}

/** Built once per stack: which namespaces have a default-deny ingress policy. */
function policyIndex(ctx: RuleContext): PolicyIndex {
  return ctx.memo('k8s:default-deny', () => {
    const denyAll = new Map<string, string[]>();
    let unresolved = 0;
    for (const p of POLICY_TYPES.flatMap((t) => ctx.resources(t))) {
      const ns = p.str('metadata.namespace');
      const types = p.list('spec.policy_types');
      const selector = p.get('spec.pod_selector');
      if (ns.state === 'unknown' || types.state === 'unknown' || selector.state === 'unknown') {
        unresolved++;
        continue;
      }
      const namespace = ns.state === 'known' ? ns.value : 'default';
      const sel = selector.state === 'known' ? selector.value : {};
      const emptySelector =
        sel === null ||
        (Array.isArray(sel)
          ? sel.length === 0 || Object.keys(sel[0] ?? {}).length === 0
          : Object.keys(sel as object).length === 0);
      // Kubernetes defaults policy_types to Ingress; an ingress rule would make it allow-some.
      const ingress = types.state === 'known' ? types.value.includes('Ingress') : true;
      const rules = p.blocks('spec.ingress');
      const allowsNothing = rules.state === 'known' && rules.value.length === 0;
      if (rules.state === 'unknown') {
        unresolved++;
        continue;
      }
      if (emptySelector && ingress && allowsNothing) {
        denyAll.set(namespace, [...(denyAll.get(namespace) ?? []), p.address]);
      }
    }
    return { denyAll, unresolved };
  });
}

/** Every namespace has a NetworkPolicy selecting all pods for Ingress (deny unless allowed). */
export const kubernetesNamespaceDefaultDenyNetworkPolicy: Rule = {
  id: 'kubernetes-namespace-default-deny-network-policy',
  appliesTo: ['kubernetes_namespace_v1', 'kubernetes_namespace'],
  evaluate: (r: Resource, ctx) => {
    const name = r.str('metadata.name');
    if (name.state !== 'known') return unknown('namespace name is not known', 'metadata.name');
    const index = policyIndex(ctx);
    const found = index.denyAll.get(name.value);
    if (found) return pass(`default-deny policy ${found.sort().join(', ')}`);
    if (index.unresolved > 0) {
      return unknown(
        `no default-deny policy found; ${index.unresolved} policy(ies) have unresolved namespaces`,
      );
    }
    return fail(
      `no NetworkPolicy with an empty pod selector and Ingress in namespace ${name.value}`,
    );
  },
};
