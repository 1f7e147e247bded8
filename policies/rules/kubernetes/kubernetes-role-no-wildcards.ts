import { fail, pass, unknown } from '../../engine/check';
import type { Rule, Verdict } from '../../engine/types';
import { ROLE_TYPES, roleRules } from './rbac';

/** Roles list verbs, resources and API groups explicitly; `*` grants what does not exist yet. */
export const kubernetesRoleNoWildcards: Rule = {
  id: 'kubernetes-role-no-wildcards',
  appliesTo: ROLE_TYPES,
  evaluate: (r) => {
    const read = roleRules(r);
    if ('reason' in read) return unknown(read.reason, 'rule');
    const verdicts: Verdict[] = [];
    for (const rule of read.rules) {
      for (const field of ['verbs', 'resources', 'api_groups']) {
        const v = rule.list(field);
        if (v.state === 'unknown') verdicts.push(unknown(v.reason, rule.pathOf(field)));
        else if (v.state === 'known' && v.value.includes('*')) {
          verdicts.push(fail(`${field} contains "*"`, rule.pathOf(field)));
        }
      }
    }
    return verdicts.length > 0 ? verdicts : pass('no wildcard in any rule');
  },
};
