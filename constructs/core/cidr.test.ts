import { cidrContains, cidrsOverlap, parseCidr } from './cidr';

describe('cidr arithmetic', () => {
  it('parses a cidr into inclusive bounds, ignoring host bits', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({
      first: 167772160,
      last: 167772415,
      cidr: '10.0.0.0/24',
    });
    expect(parseCidr('10.0.0.77/24')).toMatchObject({ first: 167772160, last: 167772415 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ first: 0, last: 2 ** 32 - 1 });
  });

  it('rejects text that is not an ipv4 cidr', () => {
    expect(parseCidr('10.0.0.0')).toBeUndefined();
    expect(parseCidr('10.0.0.256/24')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('fd00::/8')).toBeUndefined();
  });

  it('tells containment and overlap apart', () => {
    const vnet = parseCidr('10.10.0.0/16')!;
    const a = parseCidr('10.10.1.0/24')!;
    const b = parseCidr('10.10.1.128/25')!;
    const c = parseCidr('10.10.2.0/24')!;
    const outside = parseCidr('10.11.0.0/24')!;
    expect(cidrContains(vnet, a)).toBe(true);
    expect(cidrContains(vnet, outside)).toBe(false);
    expect(cidrContains(a, vnet)).toBe(false);
    expect(cidrsOverlap(a, b)).toBe(true);
    expect(cidrsOverlap(a, c)).toBe(false);
  });
});
