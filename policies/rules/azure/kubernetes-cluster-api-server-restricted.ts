import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { documentationRangeOf } from '../../reserved-values';

const OPEN = new Set(['0.0.0.0/0', '0.0.0.0', '*', '::/0']);

/**
 * The API server is private, or its public endpoint accepts only listed address ranges that
 * are real networks: a documentation range (RFC 5737, RFC 3849) is a placeholder nobody
 * replaced, and leaves the endpoint public with nobody's address on the list.
 */
export const kubernetesClusterApiServerRestricted: Rule = {
  id: 'kubernetes-cluster-api-server-restricted',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => {
    const priv = r.bool('private_cluster_enabled');
    if (priv.state === 'known' && priv.value)
      return pass('private_cluster_enabled = true', 'private_cluster_enabled');
    const ranges = r.list('api_server_access_profile.authorized_ip_ranges');
    const at = 'api_server_access_profile.authorized_ip_ranges';
    if (ranges.state === 'unknown' || priv.state === 'unknown') {
      return unknown('cluster privacy or authorized ranges are expressions', at);
    }
    if (ranges.state === 'absent' || ranges.value.length === 0) {
      return fail('public API server with no authorized_ip_ranges', at);
    }
    const open = ranges.value.filter((v) => OPEN.has(v));
    if (open.length > 0) return fail(`authorized_ip_ranges include ${open.join(', ')}`, at);
    const documentation = ranges.value.filter((v) => documentationRangeOf(v) !== undefined);
    if (documentation.length > 0) {
      return fail(
        `authorized_ip_ranges include documentation range(s) ${documentation.join(', ')}, which are no real network`,
        at,
      );
    }
    return pass(`public API server limited to ${ranges.value.length} range(s)`, at);
  },
};
