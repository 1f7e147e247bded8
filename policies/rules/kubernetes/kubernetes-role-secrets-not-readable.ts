import { fail, pass, unknown } from '../../engine/check';
import type { Rule, Verdict } from '../../engine/types';
import { ROLE_TYPES, roleRules } from './rbac';

const READ = ['get', 'list', 'watch', '*'];

/** Roles do not grant reading Secrets (list/watch return every secret's value). */
export const kubernetesRoleSecretsNotReadable: Rule = {
  id: 'kubernetes-role-secrets-not-readable',
  appliesTo: ROLE_TYPES,
  evaluate: (r) => {
    const read = roleRules(r);
    if ('reason' in read) return unknown(read.reason, 'rule');
    const verdicts: Verdict[] = [];
    for (const rule of read.rules) {
      const resources = rule.list('resources');
      const verbs = rule.list('verbs');
      const groups = rule.list('api_groups');
      if (
        resources.state === 'unknown' ||
        verbs.state === 'unknown' ||
        groups.state === 'unknown'
      ) {
        verdicts.push(unknown('rule values are expressions', rule.basePath));
        continue;
      }
      const core = groups.state !== 'known' || groups.value.some((g) => g === '' || g === '*');
      const secrets =
        resources.state === 'known' && resources.value.some((x) => x === 'secrets' || x === '*');
      const reads = verbs.state === 'known' && verbs.value.some((v) => READ.includes(v));
      if (core && secrets && reads)
        verdicts.push(fail('grants read access to secrets', rule.basePath));
    }
    return verdicts.length > 0 ? verdicts : pass('no rule reads secrets');
  },
};
