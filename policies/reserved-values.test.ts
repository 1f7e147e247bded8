import { documentationRangeOf, exampleDomainOf } from './reserved-values';

describe('documentationRangeOf', () => {
  it.each([
    ['192.0.2.1', '192.0.2.0/24'],
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['203.0.113.128/25', '203.0.113.0/24'],
    ['203.0.0.0/16', '203.0.113.0/24'],
    ['0.0.0.0/0', '192.0.2.0/24'],
    ['2001:db8::1', '2001:db8::/32'],
    ['2001:DB8:ffff::/48', '2001:db8::/32'],
    ['2001::/16', '2001:db8::/32'],
  ])('finds %s in %s', (value, range) => {
    expect(documentationRangeOf(value)).toBe(range);
  });

  it.each([
    '10.40.0.0/16',
    '192.0.3.0/24',
    '203.0.112.255',
    '198.18.0.0/15',
    '2001:db9::/32',
    '2a01:110::/31',
    'Internet',
    'VirtualNetwork',
    '*',
    '300.1.1.1',
  ])('finds nothing in %s', (value) => {
    expect(documentationRangeOf(value)).toBeUndefined();
  });
});

describe('exampleDomainOf', () => {
  it.each([
    ['oncall@example.com', 'example.com'],
    ['a@mail.EXAMPLE.net', 'example.net'],
    ['a@example.org.', 'example.org'],
    ['a@corp.example', '.example'],
    ['a@ops.test', '.test'],
    ['a@x.invalid', '.invalid'],
    ['ingest.localhost', '.localhost'],
  ])('finds %s in %s', (value, domain) => {
    expect(exampleDomainOf(value)).toBe(domain);
  });

  it.each(['oncall@contoso.com', 'a@examples.com', 'a@myexample.org', 'a@example.com.au'])(
    'finds nothing in %s',
    (value) => {
      expect(exampleDomainOf(value)).toBeUndefined();
    },
  );
});
