import { judge, notApplicable, unknown } from '../../engine/check';
import type { Node, Resource } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';

/** Access modes with Unity Catalog user isolation (the legacy names are aliases of the new). */
const ISOLATED = new Set([
  'SINGLE_USER',
  'USER_ISOLATION',
  'DATA_SECURITY_MODE_DEDICATED',
  'DATA_SECURITY_MODE_STANDARD',
]);

/**
 * Every cluster a job or a cluster resource defines — `databricks_cluster` itself, a job's
 * `job_cluster[].new_cluster`, a task's `task[].new_cluster`, the job-level `new_cluster` — or an
 * UNKNOWN verdict when one of those lists is an expression.
 */
export function clustersOf(r: Resource): Node[] | Verdict {
  if (r.type === 'databricks_cluster') return [r];
  const out: Node[] = [];
  for (const path of ['new_cluster', 'job_cluster.new_cluster', 'task.new_cluster']) {
    const b = r.blocks(path);
    if (b.state !== 'known') return unknown(b.reason, path);
    out.push(...b.value);
  }
  return out;
}

/**
 * Clusters run in an access mode with Unity Catalog isolation (dedicated or standard): without
 * it (`NONE`, the legacy modes, or the mode left unset) code on the cluster bypasses Unity
 * Catalog's grants and can read other users' credentials. `DATA_SECURITY_MODE_AUTO` is not
 * accepted: the mode it picks depends on the rest of the configuration, so it is not reviewable.
 */
export const databricksClusterIsolatedAccessMode: Rule = {
  id: 'databricks-cluster-isolated-access-mode',
  appliesTo: ['databricks_job', 'databricks_cluster'],
  evaluate: (r) => {
    const clusters = clustersOf(r);
    if (!Array.isArray(clusters)) return clusters;
    if (clusters.length === 0) {
      return notApplicable('defines no cluster (serverless or an existing cluster)');
    }
    return clusters.map((c) =>
      judge(c, 'data_security_mode', c.str('data_security_mode'), {
        test: (v) => ISOLATED.has(v),
        expected:
          'DATA_SECURITY_MODE_DEDICATED/SINGLE_USER or DATA_SECURITY_MODE_STANDARD/USER_ISOLATION',
      }),
    );
  },
};
