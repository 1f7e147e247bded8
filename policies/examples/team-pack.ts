/**
 * An app team's own pack, evaluated beside the platform pack without editing it:
 *
 *   npm run policy -- cdktf.out --pack policies/examples/team-pack.ts
 *
 * Rule ids are namespaced (`team-telemetry/...`) so they never collide with ours.
 */
import { definePack, expectString, fail, pass } from '..';
import type { Rule } from '..';

/** Every resource group carries a cost-center tag the finance export reads. */
export const resourceGroupCostCenterTagged: Rule = {
  id: 'team-telemetry/resource-group-cost-center-tagged',
  appliesTo: ['azurerm_resource_group'],
  evaluate: (r) => {
    const tags = r.get('tags');
    if (tags.state === 'unknown')
      return expectString(r, 'tags', { test: () => false, expected: 'tags' });
    const value =
      tags.state === 'known' ? (tags.value as Record<string, unknown>)['cost-center'] : undefined;
    return typeof value === 'string' && value !== ''
      ? pass(`cost-center = ${value}`, 'tags')
      : fail('tag cost-center is missing', 'tags');
  },
};

/** The team's pack: data plus the rule module above. */
export default definePack({
  id: 'team-telemetry',
  title: 'Telemetry team conventions',
  version: '0.1.0',
  rules: [
    {
      rule: resourceGroupCostCenterTagged,
      service: 'Resource groups',
      title: 'Resource group has a cost-center tag',
      severity: 'low',
      rationale: 'Finance allocates platform cost by the cost-center tag.',
      remediation: 'Add tags = { "cost-center" = "<code>" } to the resource group.',
    },
  ],
});
