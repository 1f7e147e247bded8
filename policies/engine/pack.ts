/**
 * Building and checking packs. A pack is data (metadata per rule) plus rule modules; app teams
 * write their own with {@link definePack} and pass it to the CLI with `--pack path`.
 */
import { FRAMEWORKS } from '../frameworks';
import type { Pack, PackRule } from './types';
import { ALL_TYPES, SEVERITIES, UNJUDGED_TYPES } from './types';

/** Raised for a pack that is not usable; the message names the pack and the rule. */
export class PackDefinitionError extends Error {}

/** `azurerm_key_vault`, `kubernetes_deployment_v1`, `terraform_data`. */
const RESOURCE_TYPE = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

const ID = /^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)?$/;

/**
 * Validates and returns a pack: unique kebab-case rule ids (optionally `team/rule-id`), a known
 * severity, a title, rationale and remediation, and control ids that exist in the framework
 * catalogues this repository knows (other framework ids are allowed and shown as-is).
 */
export function definePack(pack: Pack): Pack {
  const seen = new Set<string>();
  const where = (r: PackRule) => `pack ${pack.id}, rule ${r.rule.id}`;
  for (const r of pack.rules) {
    if (!ID.test(r.rule.id)) throw new PackDefinitionError(`${where(r)}: id must be kebab-case`);
    if (seen.has(r.rule.id)) throw new PackDefinitionError(`${where(r)}: defined twice`);
    seen.add(r.rule.id);
    if (!SEVERITIES.includes(r.severity)) {
      throw new PackDefinitionError(
        `${where(r)}: severity ${String(r.severity)} is not one of ${SEVERITIES.join(', ')}`,
      );
    }
    for (const field of ['title', 'rationale', 'remediation', 'service'] as const) {
      if (!r[field] || r[field].trim() === '')
        throw new PackDefinitionError(`${where(r)}: ${field} is empty`);
    }
    if (r.rule.appliesTo.length === 0)
      throw new PackDefinitionError(`${where(r)}: appliesTo is empty`);
    if (r.rule.appliesTo.includes(ALL_TYPES) && r.rule.appliesTo.length > 1) {
      throw new PackDefinitionError(
        `${where(r)}: appliesTo ${JSON.stringify(r.rule.appliesTo)}: "*" already selects every type, list it alone`,
      );
    }
    if (r.rule.appliesTo.includes(UNJUDGED_TYPES) && r.rule.appliesTo.length > 1) {
      throw new PackDefinitionError(
        `${where(r)}: appliesTo ${JSON.stringify(r.rule.appliesTo)}: "${UNJUDGED_TYPES}" (a coverage rule) must be listed alone`,
      );
    }
    for (const type of r.rule.appliesTo) {
      if (type !== ALL_TYPES && type !== UNJUDGED_TYPES && !RESOURCE_TYPE.test(type)) {
        throw new PackDefinitionError(
          `${where(r)}: appliesTo ${JSON.stringify(type)} is not a Terraform resource type (provider_name, "*" for every type, or "(unjudged)" for a coverage rule)`,
        );
      }
    }
    for (const [fw, ids] of Object.entries(r.controls ?? {})) {
      const framework = FRAMEWORKS.find((f) => f.id === fw);
      if (!framework) continue;
      for (const id of ids) {
        if (!framework.controls.some((c) => c.id === id)) {
          throw new PackDefinitionError(`${where(r)}: control ${id} is not in ${fw}`);
        }
      }
    }
  }
  return pack;
}
