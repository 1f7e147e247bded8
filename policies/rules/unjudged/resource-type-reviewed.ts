import { fail, pass, unknown } from '../../engine/check';
import type { Resource } from '../../engine/resource';
import { UNJUDGED_TYPES } from '../../engine/types';
import type { Rule, Verdict } from '../../engine/types';
import { REVIEWED_ARM_TYPES, REVIEWED_MANIFEST_KINDS, REVIEWED_TYPES } from './reviewed-types';

/** `group/kind` of a manifest (`kind` alone for the core `v1` group). */
function manifestKind(r: Resource): { key: string } | { unknown: string } {
  const apiVersion = r.str('manifest.apiVersion');
  const kind = r.str('manifest.kind');
  if (apiVersion.state !== 'known' || kind.state !== 'known') {
    return { unknown: 'manifest.apiVersion or manifest.kind is not known before apply' };
  }
  const group = apiVersion.value.includes('/') ? apiVersion.value.split('/')[0] : '';
  return { key: group ? `${group}/${kind.value}` : kind.value };
}

function judgeManifest(r: Resource): Verdict {
  const k = manifestKind(r);
  if ('unknown' in k) return unknown(k.unknown, 'manifest');
  const reason = REVIEWED_MANIFEST_KINDS[k.key];
  return reason
    ? pass(`${k.key} reviewed: ${reason}`, 'manifest')
    : fail(
        `kubernetes_manifest of kind ${k.key} is judged by no rule and is not a reviewed kind: ` +
          'write workloads as kubernetes_deployment_v1 (and kin), which the workload rules judge, ' +
          'or review the kind and add it to the pack’s reviewed kinds with a reason',
        'manifest',
      );
}

function judgeTemplate(r: Resource): Verdict {
  const content = r.str('template_content');
  if (content.state !== 'known') {
    return unknown(
      'template_content is not known before apply: what it creates cannot be reviewed',
      'template_content',
    );
  }
  let types: string[];
  try {
    const template = JSON.parse(content.value) as { resources?: unknown };
    const resources = Array.isArray(template.resources) ? template.resources : [];
    types = resources.map((x) => String((x as { type?: unknown })?.type ?? '(no type)'));
  } catch {
    return unknown(
      'template_content is not JSON: what it creates cannot be reviewed',
      'template_content',
    );
  }
  const unreviewed = [...new Set(types.filter((t) => !REVIEWED_ARM_TYPES[t]))].sort();
  if (unreviewed.length > 0) {
    return fail(
      `the ARM template creates ${unreviewed.join(', ')}, which no rule judges and the pack has not reviewed`,
      'template_content',
    );
  }
  return pass(
    `creates only reviewed ARM types: ${[...new Set(types)].sort().join(', ') || 'nothing'}`,
    'template_content',
  );
}

/**
 * Coverage: a resource whose type no type-specific rule judges passes only when the pack has
 * reviewed the type (with a reason, in reviewed-types.ts); `kubernetes_manifest` and ARM
 * template deployments are reviewed by what they create, since they can create anything.
 */
export const resourceTypeReviewed: Rule = {
  id: 'resource-type-reviewed',
  appliesTo: [UNJUDGED_TYPES],
  evaluate: (r) => {
    if (r.type === 'kubernetes_manifest') return judgeManifest(r);
    if (r.type === 'azurerm_resource_group_template_deployment') return judgeTemplate(r);
    const reason = REVIEWED_TYPES[r.type];
    return reason
      ? pass(`${r.type} reviewed: ${reason}`)
      : fail(
          `${r.type} is judged by no rule of the loaded packs and is not on the reviewed list: ` +
            'review it, then add rules for it or list it in the pack’s reviewed types with a reason',
        );
  },
};
