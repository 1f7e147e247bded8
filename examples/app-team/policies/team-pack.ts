/**
 * The telemetry team's own rule pack, evaluated beside the platform pack the gate always runs:
 *
 *   npx iot-policy cdktf.out --pack policies/team-pack.ts --report-dir reports
 *
 * Rule ids are namespaced (`team-telemetry/...`) so they never collide with the platform's.
 */
import {
  ALL_TYPES,
  definePack,
  fail,
  notApplicable,
  pass,
  unknown,
} from 'iot-streaming-platform/policies';
import type { Rule } from 'iot-streaming-platform/policies';

/** Regions the team's data may live in (the EU data-residency commitment to its customers). */
const EU_REGIONS = new Set(['westeurope', 'northeurope', 'swedencentral', 'germanywestcentral']);

/** Every resource that has a location is in an EU region. */
export const euDataResidency: Rule = {
  id: 'team-telemetry/eu-data-residency',
  appliesTo: [ALL_TYPES],
  evaluate: (r) => {
    const location = r.get('location');
    if (location.state === 'absent') return notApplicable('no location of its own', 'location');
    if (location.state === 'unknown') return unknown(location.reason, 'location');
    const region = String(location.value).toLowerCase().replace(/\s+/g, '');
    return EU_REGIONS.has(region)
      ? pass(`location = ${region}`, 'location')
      : fail(
          `location ${region} is outside the EU regions ${[...EU_REGIONS].join(', ')}`,
          'location',
        );
  },
};

/** The resource types the team deploys that take tags (azurerm `tags` argument). */
const TAGGED_TYPES = [
  'azurerm_resource_group',
  'azurerm_user_assigned_identity',
  'azurerm_key_vault',
  'azurerm_cosmosdb_account',
  'azurerm_eventhub_namespace',
  'azurerm_container_registry',
  'azurerm_log_analytics_workspace',
  'azurerm_virtual_network',
];

/** Every resource the team pays for carries the cost-center tag finance allocates by. */
export const costCenterTagged: Rule = {
  id: 'team-telemetry/cost-center-tagged',
  appliesTo: TAGGED_TYPES,
  evaluate: (r) => {
    const tags = r.get('tags');
    if (tags.state === 'unknown') return unknown(tags.reason, 'tags');
    const value =
      tags.state === 'known' ? (tags.value as Record<string, unknown>)['cost-center'] : undefined;
    return typeof value === 'string' && /^cc-\d{4}$/.test(value)
      ? pass(`cost-center = ${value}`, 'tags')
      : fail(`tag cost-center is ${JSON.stringify(value)}: expected cc-<4 digits>`, 'tags');
  },
};

/** The team's pack: the rule modules above plus their metadata. */
export default definePack({
  id: 'team-telemetry',
  title: 'Telemetry team conventions',
  version: '0.1.0',
  rules: [
    {
      rule: euDataResidency,
      service: 'All resources',
      title: 'Resource is in an EU region',
      severity: 'high',
      rationale: 'The team commits to its customers that telemetry stays in the EU.',
      remediation: 'Deploy to westeurope, northeurope, swedencentral or germanywestcentral.',
    },
    {
      rule: costCenterTagged,
      service: 'All resources',
      title: 'Resource has a cost-center tag',
      severity: 'high',
      rationale: 'Finance allocates the platform bill by the cost-center tag.',
      remediation: 'Tags.add(stack, { "cost-center": "cc-<4 digits>" }) in the stack.',
    },
  ],
});
