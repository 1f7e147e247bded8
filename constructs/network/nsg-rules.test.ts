import { apiManagementNsgRules } from './nsg-rules';

describe('apiManagementNsgRules', () => {
  it('opens the management endpoint 3443 from the ApiManagement service tag in both modes', () => {
    for (const mode of ['External', 'Internal'] as const) {
      expect(apiManagementNsgRules(mode)).toContainEqual(
        expect.objectContaining({
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          sourceAddressPrefixes: ['ApiManagement'],
          destinationPortRanges: ['3443'],
        }),
      );
    }
  });

  it('opens 443 from the internet only in external mode', () => {
    const internetInbound = (mode: 'External' | 'Internal') =>
      apiManagementNsgRules(mode).filter(
        (r) => r.direction === 'Inbound' && r.sourceAddressPrefixes?.includes('Internet'),
      );
    expect(internetInbound('External')).toEqual([
      expect.objectContaining({ destinationPortRanges: ['443'], access: 'Allow' }),
    ]);
    expect(internetInbound('Internal')).toEqual([]);
  });

  it('allows the outbound dependencies with unique priorities per direction', () => {
    const rules = apiManagementNsgRules('External');
    const outbound = rules.filter((r) => r.direction === 'Outbound');
    expect(outbound.map((r) => r.destinationAddressPrefixes?.[0])).toEqual([
      'Storage',
      'Sql',
      'AzureKeyVault',
      'AzureMonitor',
    ]);
    for (const dir of ['Inbound', 'Outbound']) {
      const p = rules.filter((r) => r.direction === dir).map((r) => r.priority);
      expect(new Set(p).size).toBe(p.length);
    }
  });
});
