import { fail, notApplicable, pass, unknown } from '../../engine/check';
import { isExpression } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';
import { clustersOf } from './databricks-cluster-isolated-access-mode';

/** Keys whose values are credentials. */
const SECRET_KEY =
  /pass(word)?|secret|token|credential|connection[._-]?string|sasl\.jaas\.config|(^|[._-])(api|access|account|client|sas|shared[._-]?access)[._-]?key([._-]|$)/i;
/** A Databricks secret reference, resolved on the cluster: `{{secrets/<scope>/<key>}}`. */
const SECRET_REFERENCE = /^\{\{secrets\/[^/{}]+\/[^/{}]+\}\}$/;

/**
 * Credentials reach a cluster as secret references (`{{secrets/scope/key}}` in `spark_conf` or
 * `spark_env_vars`), never as values: a value written here is stored in Terraform state, shown in
 * the job's settings to everyone who can view it, and in the cluster's event log.
 */
export const databricksClusterSecretsReferenced: Rule = {
  id: 'databricks-cluster-secrets-referenced',
  appliesTo: ['databricks_job', 'databricks_cluster'],
  evaluate: (r) => {
    const clusters = clustersOf(r);
    if (!Array.isArray(clusters)) return clusters;
    const out: Verdict[] = [];
    for (const c of clusters) {
      for (const map of ['spark_conf', 'spark_env_vars']) {
        const v = c.get(map);
        const attribute = c.pathOf(map);
        if (v.state === 'absent') continue;
        if (v.state === 'unknown') {
          out.push(unknown(`${attribute} is not known before apply: ${v.reason}`, attribute));
          continue;
        }
        if (typeof v.value !== 'object' || v.value === null || Array.isArray(v.value)) {
          out.push(unknown(`${attribute} is not a map`, attribute));
          continue;
        }
        for (const [key, value] of Object.entries(v.value as Record<string, unknown>)) {
          if (!SECRET_KEY.test(key)) continue;
          const at = `${attribute}.${key}`;
          if (typeof value === 'string' && SECRET_REFERENCE.test(value)) {
            out.push(pass(`${at} is a secret reference`, at));
          } else if (isExpression(value)) {
            out.push(
              fail(
                `${at} is a Terraform expression: its value lands in state and the job settings; use {{secrets/<scope>/<key>}}`,
                at,
              ),
            );
          } else {
            out.push(
              fail(`${at} holds a credential in plain text; use {{secrets/<scope>/<key>}}`, at),
            );
          }
        }
      }
    }
    return out.length > 0
      ? out
      : notApplicable('no credential-named key in spark_conf or spark_env_vars');
  },
};
