/**
 * Addresses and domains reserved for documentation and examples: they never belong to a real
 * network or mailbox, so in a production configuration they are placeholders someone forgot.
 * Pure functions with no cdktf import: the policy rule and the constructs' synth-time checks
 * (`constructs/iot-streaming-platform`) share them, as they share `waiver.ts`.
 *
 * Sources: RFC 5737 (IPv4 documentation ranges), RFC 3849 (IPv6 documentation prefix),
 * RFC 2606 and RFC 6761 (reserved example and test domains).
 */

/** IPv4 documentation ranges, RFC 5737 (TEST-NET-1, -2, -3). */
export const DOCUMENTATION_IPV4_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];

/** The IPv6 documentation prefix, RFC 3849. */
export const DOCUMENTATION_IPV6_PREFIX = '2001:db8::/32';

/** Second-level domains reserved for examples, RFC 2606 section 3. */
export const EXAMPLE_DOMAINS = ['example.com', 'example.net', 'example.org'];

/** Top-level domains reserved for examples and tests, RFC 2606 section 2 and RFC 6761. */
export const RESERVED_TOP_LEVEL_DOMAINS = ['example', 'test', 'invalid', 'localhost'];

function ipv4ToInt(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

function ipv4Range(text: string): { first: number; last: number } | undefined {
  const [addr, bitsText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const address = ipv4ToInt(addr);
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (address === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** The first 32 bits of an IPv6 address, or undefined when the text is not one. */
function ipv6High32(addr: string): number | undefined {
  if (!/^[0-9a-f:]+$/i.test(addr) || !addr.includes(':')) return undefined;
  const [head, tail, ...more] = addr.split('::');
  if (more.length > 0) return undefined;
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  if (tail === undefined && headGroups.length !== 8) return undefined;
  if ([...headGroups, ...tailGroups].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0) return undefined;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return parseInt(groups[0], 16) * 0x10000 + parseInt(groups[1], 16);
}

/**
 * The documentation range that an IPv4/IPv6 address or CIDR (`203.0.113.7`, `192.0.0.0/16`,
 * `2001:db8:1::/48`) overlaps, or undefined when it overlaps none or is not an address at all
 * (service tags such as `Internet`, `*`).
 */
export function documentationRangeOf(value: string): string | undefined {
  const text = value.trim();
  const v4 = ipv4Range(text);
  if (v4) {
    return DOCUMENTATION_IPV4_RANGES.find((doc) => {
      const d = ipv4Range(doc)!;
      return v4.first <= d.last && d.first <= v4.last;
    });
  }
  const [addr, bitsText, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const high = ipv6High32(addr);
  const bits = bitsText === undefined ? 128 : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (high === undefined || !(bits >= 0 && bits <= 128)) return undefined;
  // Overlap with 2001:db8::/32: equal on the first min(bits, 32) bits.
  const shift = 2 ** (32 - Math.min(bits, 32));
  return Math.floor(high / shift) === Math.floor(0x20010db8 / shift)
    ? DOCUMENTATION_IPV6_PREFIX
    : undefined;
}

/**
 * The reserved example domain an e-mail address or host name belongs to (`example.com` for
 * `ops@mail.example.com`, `.test` for `a@b.test`), or undefined when it is a real domain.
 */
export function exampleDomainOf(value: string): string | undefined {
  const at = value.lastIndexOf('@');
  const domain = (at >= 0 ? value.slice(at + 1) : value).trim().toLowerCase().replace(/\.$/, '');
  const sld = EXAMPLE_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`));
  if (sld) return sld;
  const tld = domain.split('.').pop() ?? '';
  return RESERVED_TOP_LEVEL_DOMAINS.includes(tld) ? `.${tld}` : undefined;
}
