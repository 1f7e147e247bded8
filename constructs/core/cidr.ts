/**
 * IPv4 CIDR arithmetic for address-plan checks (subnets inside the VNet, no overlaps, pod and
 * service ranges clear of the VNet). Pure functions: callers validate the text first with
 * `validateCidr`, and skip tokens.
 */

/** An IPv4 range as inclusive integer bounds. */
export interface Ipv4Range {
  readonly first: number;
  readonly last: number;
  /** The CIDR text the range came from. */
  readonly cidr: string;
}

/**
 * Parses `a.b.c.d/n` into its range, or returns undefined when the text is not an IPv4 CIDR.
 * Host bits are ignored (`10.0.0.5/24` is `10.0.0.0`–`10.0.0.255`), as Azure normalises them.
 */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1, cidr };
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

/** Whether two ranges share at least one address. */
export function cidrsOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}
