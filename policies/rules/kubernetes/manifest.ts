/**
 * Custom resources and other objects written through `kubernetes_manifest` (Istio, Cilium,
 * KEDA, admission policies), plus label and selector helpers the cross-resource Kubernetes
 * rules share. The manifest is the object as the API server gets it: camelCase keys.
 */
import type { Node, Resource, RuleContext } from '../../engine/resource';

/** One `kubernetes_manifest` whose kind is known. */
export interface ManifestView {
  readonly resource: Resource;
  /** The `manifest` object as a node (references to literal attributes resolve). */
  readonly node: Node;
  readonly kind: string;
  /** `metadata.namespace`, resolved; undefined for cluster-scoped objects. */
  readonly namespace?: string;
  /** False when the namespace is an expression that cannot be resolved. */
  readonly namespaceKnown: boolean;
}

/** Every manifest of the stack, by kind; built once per stack. */
export function manifestsOfKind(ctx: RuleContext, kind: string): readonly ManifestView[] {
  const all = ctx.memo('k8s:manifests', () => {
    const out: ManifestView[] = [];
    for (const r of ctx.resources('kubernetes_manifest')) {
      const blocks = r.blocks('manifest');
      if (blocks.state !== 'known' || blocks.value.length !== 1) continue;
      const node = blocks.value[0];
      const k = node.str('kind');
      if (k.state !== 'known') continue;
      const ns = node.str('metadata.namespace');
      out.push({
        resource: r,
        node,
        kind: k.value,
        namespace: ns.state === 'known' ? ns.value : undefined,
        namespaceKnown: ns.state !== 'unknown',
      });
    }
    return out;
  });
  return all.filter((m) => m.kind === kind);
}

/** A string map (labels, match_labels) at `path`, or undefined when absent or not literal. */
export function stringMap(node: Node, path: string): Record<string, string> | undefined {
  const v = node.get(path);
  if (v.state !== 'known' || typeof v.value !== 'object' || v.value === null) return undefined;
  const src = (Array.isArray(v.value) ? v.value[0] : v.value) as Record<string, unknown>;
  if (typeof src !== 'object' || src === null) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, val] of Object.entries(src)) out[k] = String(val);
  return out;
}

/** True when every pair of `selector` is in `labels` (an empty selector selects everything). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Where the pod template's metadata sits per workload type. */
const POD_METADATA_PATH: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: 'spec.template.metadata',
  kubernetes_deployment: 'spec.template.metadata',
  kubernetes_stateful_set_v1: 'spec.template.metadata',
  kubernetes_daemon_set_v1: 'spec.template.metadata',
  kubernetes_daemonset: 'spec.template.metadata',
  kubernetes_job_v1: 'spec.template.metadata',
  kubernetes_cron_job_v1: 'spec.job_template.spec.template.metadata',
  kubernetes_pod_v1: 'metadata',
};

/** Labels of the pods a workload resource creates. */
export function podLabels(r: Resource): Record<string, string> {
  const path = POD_METADATA_PATH[r.type];
  return (path ? stringMap(r, `${path}.labels`) : undefined) ?? {};
}

/** The namespace of a Kubernetes resource (`default` when unset), or undefined if unknown. */
export function namespaceOf(r: Node, path = 'metadata.namespace'): string | undefined {
  const ns = r.str(path);
  if (ns.state === 'unknown') return undefined;
  return ns.state === 'known' ? ns.value : 'default';
}
