import { fail, notApplicable, pass, unknown } from '../../engine/check';
import type { Node, Resource, RuleContext } from '../../engine/resource';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES } from './workload';
import { manifestsOfKind, namespaceOf, podLabels, selects, stringMap } from './manifest';

/** Entra ID's token endpoint host, where workload identity exchanges its token. */
const ENTRA_HOST = 'login.microsoftonline.com';
const POLICY_TYPES = ['kubernetes_network_policy_v1', 'kubernetes_network_policy'];

/** Ports of a rule allow 443 (no ports means every port). */
function allows443(ports: readonly Node[]): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    const port = p.str('port');
    return port.state !== 'known' || port.value === '443' || port.value === 'https';
  });
}

/** A Cilium toFQDNs selector that matches the Entra host (matchPattern `*` is one label). */
function fqdnMatches(sel: Node): boolean {
  const name = sel.str('matchName');
  if (name.state === 'known') return name.value.toLowerCase() === ENTRA_HOST;
  const pattern = sel.str('matchPattern');
  if (pattern.state !== 'known') return false;
  const re = new RegExp(
    `^${pattern.value
      .toLowerCase()
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[a-z0-9-]*')}$`,
  );
  return re.test(ENTRA_HOST);
}

interface EgressView {
  /** Egress is restricted for the pod (some policy selects it for Egress). */
  readonly restricted: boolean;
  /** What allows Entra, if anything. */
  readonly allowedBy?: string;
  readonly unresolved: number;
}

function egressFor(ctx: RuleContext, ns: string, labels: Record<string, string>): EgressView {
  let restricted = false;
  let unresolved = 0;
  let allowedBy: string | undefined;
  for (const p of POLICY_TYPES.flatMap((t) => ctx.resources(t))) {
    const pns = namespaceOf(p);
    if (pns === undefined) {
      unresolved++;
      continue;
    }
    if (pns !== ns || !selects(stringMap(p, 'spec.pod_selector.match_labels'), labels)) continue;
    const types = p.list('spec.policy_types');
    if (types.state !== 'known' || !types.value.includes('Egress')) continue;
    restricted = true;
    const rules = p.blocks('spec.egress');
    if (rules.state !== 'known') {
      unresolved++;
      continue;
    }
    for (const rule of rules.value) {
      const to = rule.blocks('to');
      const ports = rule.blocks('ports');
      if (to.state !== 'known' || ports.state !== 'known') continue;
      const anywhere =
        to.value.length === 0 ||
        to.value.some((t) => {
          const cidr = t.str('ip_block.cidr');
          return cidr.state === 'known' && cidr.value === '0.0.0.0/0';
        });
      if (anywhere && allows443(ports.value)) allowedBy = p.address;
    }
  }
  for (const m of manifestsOfKind(ctx, 'CiliumNetworkPolicy')) {
    if (!m.namespaceKnown) {
      unresolved++;
      continue;
    }
    if ((m.namespace ?? 'default') !== ns) continue;
    if (!selects(stringMap(m.node, 'spec.endpointSelector.matchLabels'), labels)) continue;
    const rules = m.node.blocks('spec.egress');
    if (rules.state !== 'known') continue;
    if (rules.value.length > 0) restricted = true;
    for (const rule of rules.value) {
      const fqdns = rule.blocks('toFQDNs');
      const toPorts = rule.blocks('toPorts');
      if (fqdns.state !== 'known' || toPorts.state !== 'known') continue;
      const ports = toPorts.value.flatMap((tp) => {
        const b = tp.blocks('ports');
        return b.state === 'known' ? b.value : [];
      });
      if (fqdns.value.some(fqdnMatches) && allows443(ports)) allowedBy = m.resource.address;
    }
  }
  return { restricted, allowedBy, unresolved };
}

/**
 * A pod that uses Azure workload identity (`azure.workload.identity/use: "true"`) can reach
 * Entra ID's token endpoint: when a NetworkPolicy restricts its egress, some policy allows
 * `login.microsoftonline.com` on 443 (a CiliumNetworkPolicy toFQDNs rule, or 0.0.0.0/0),
 * or every Azure call of the pod fails at the token exchange.
 */
export const kubernetesWorkloadIdentityEgressAllowed: Rule = {
  id: 'kubernetes-workload-identity-egress-allowed',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r: Resource, ctx) => {
    const labels = podLabels(r);
    if (labels['azure.workload.identity/use'] !== 'true') {
      return notApplicable('the pods do not use workload identity');
    }
    const ns = namespaceOf(r);
    if (ns === undefined) return unknown('the namespace is an expression', 'metadata.namespace');
    const view = egressFor(ctx, ns, labels);
    if (view.allowedBy) return pass(`Entra ID (${ENTRA_HOST}:443) allowed by ${view.allowedBy}`);
    if (view.unresolved > 0) {
      return unknown(`${view.unresolved} network policy(ies) could not be read`);
    }
    if (!view.restricted) return pass('egress of the pods is not restricted');
    return fail(
      `egress is restricted and nothing allows ${ENTRA_HOST}:443: the workload identity token exchange fails`,
    );
  },
};
