/**
 * Pod specs inside the kubernetes provider's workload resources, and per-container checks.
 * The provider nests the pod spec differently per kind; this is the one place that knows.
 */
import { notApplicable, unknown } from '../../engine/check';
import type { Node, Resource } from '../../engine/resource';
import type { Verdict } from '../../engine/types';

/** Where the pod spec sits in each workload type. */
const POD_SPEC_PATH: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: 'spec.template.spec',
  kubernetes_deployment: 'spec.template.spec',
  kubernetes_stateful_set_v1: 'spec.template.spec',
  kubernetes_daemon_set_v1: 'spec.template.spec',
  kubernetes_daemonset: 'spec.template.spec',
  kubernetes_job_v1: 'spec.template.spec',
  kubernetes_cron_job_v1: 'spec.job_template.spec.template.spec',
  kubernetes_pod_v1: 'spec',
};

/** Workload resource types the Kubernetes rules look at. */
export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATH);

/** The pod spec node of a workload, or a verdict saying why it cannot be read. */
export function podSpec(r: Resource): Node | Verdict {
  const blocks = r.blocks(POD_SPEC_PATH[r.type]);
  if (blocks.state !== 'known') return unknown(`pod spec is not readable: ${blocks.reason}`);
  if (blocks.value.length !== 1)
    return unknown(`expected one pod spec, found ${blocks.value.length}`);
  return blocks.value[0];
}

/** True when `podSpec` returned a verdict instead of a node. */
export function isVerdict(v: Node | Verdict): v is Verdict {
  return (v as Verdict).outcome !== undefined;
}

/** Runs a check on every container and init container of a workload's pod spec. */
export function eachContainer(
  r: Resource,
  check: (container: Node, pod: Node, name: string) => Verdict,
  options: { readonly initContainers?: boolean } = {},
): Verdict[] {
  const pod = podSpec(r);
  if (isVerdict(pod)) return [pod];
  const kinds = options.initContainers === false ? ['container'] : ['container', 'init_container'];
  const verdicts: Verdict[] = [];
  for (const kind of kinds) {
    const containers = pod.blocks(kind);
    if (containers.state !== 'known') {
      verdicts.push(unknown(containers.reason));
      continue;
    }
    for (const c of containers.value) {
      const name = String(c.attrs.name ?? c.basePath);
      const v = check(c, pod, name);
      verdicts.push({
        ...v,
        message: `${kind} ${name}: ${v.message}`,
        attribute: v.attribute ?? c.basePath,
      });
    }
  }
  return verdicts.length > 0 ? verdicts : [notApplicable('no containers')];
}

/**
 * A security-context boolean, container value first, then the pod's (Kubernetes semantics for
 * the fields that exist at both levels).
 */
export function effectiveSecurityBool(container: Node, pod: Node, field: string) {
  const own = container.bool(`security_context.${field}`);
  if (own.state !== 'absent')
    return { value: own, path: container.pathOf(`security_context.${field}`) };
  return {
    value: pod.bool(`security_context.${field}`),
    path: pod.pathOf(`security_context.${field}`),
  };
}
