import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** IPv4 address to number, or undefined when it is not a dotted quad. */
function ip(v: string): number | undefined {
  const parts = v.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => isNaN(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

/**
 * No firewall rule opens the server to all Azure services (`0.0.0.0`–`0.0.0.0`) or to a range
 * wider than a /24.
 */
export const postgresqlFlexibleServerFirewallNotOpen: Rule = {
  id: 'postgresql-flexible-server-firewall-not-open',
  appliesTo: ['azurerm_postgresql_flexible_server_firewall_rule'],
  evaluate: (r) => {
    const start = r.str('start_ip_address');
    const end = r.str('end_ip_address');
    if (start.state !== 'known' || end.state !== 'known') return unknown('addresses are not known');
    const a = ip(start.value);
    const b = ip(end.value);
    if (a === undefined || b === undefined) return unknown(`not IPv4: ${start.value}-${end.value}`);
    if (a === 0 && b === 0)
      return fail('0.0.0.0 rule allows every Azure service, of any tenant', 'start_ip_address');
    if (b - a + 1 > 256)
      return fail(
        `range ${start.value}-${end.value} spans ${b - a + 1} addresses`,
        'start_ip_address',
      );
    return pass(`range ${start.value}-${end.value}`, 'start_ip_address');
  },
};
