import { fail, notApplicable, pass, unknown } from '../../engine/check';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule } from '../../engine/types';
import { manifestsOfKind, namespaceOf } from './manifest';

const HPA_TYPES = [
  'kubernetes_horizontal_pod_autoscaler_v2',
  'kubernetes_horizontal_pod_autoscaler_v2beta2',
  'kubernetes_horizontal_pod_autoscaler_v1',
  'kubernetes_horizontal_pod_autoscaler',
];

const KIND: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_deployment: 'Deployment',
  kubernetes_stateful_set_v1: 'StatefulSet',
};

interface Scaler {
  readonly address: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** Every autoscaler of the stack (HPAs and KEDA ScaledObjects) with its target; built once. */
function scalers(ctx: RuleContext): { known: Scaler[]; unresolved: number } {
  return ctx.memo('k8s:autoscalers', () => {
    const known: Scaler[] = [];
    let unresolved = 0;
    for (const h of HPA_TYPES.flatMap((t) => ctx.resources(t))) {
      const kind = h.str('spec.scale_target_ref.kind');
      const name = h.str('spec.scale_target_ref.name');
      const ns = namespaceOf(h);
      if (kind.state !== 'known' || name.state !== 'known' || ns === undefined) unresolved++;
      else known.push({ address: h.address, kind: kind.value, name: name.value, namespace: ns });
    }
    for (const kind of ['ScaledObject', 'HorizontalPodAutoscaler']) {
      for (const m of manifestsOfKind(ctx, kind)) {
        const target = m.node.str('spec.scaleTargetRef.name');
        const targetKind = m.node.str('spec.scaleTargetRef.kind');
        if (target.state !== 'known' || !m.namespaceKnown) {
          unresolved++;
          continue;
        }
        known.push({
          address: m.resource.address,
          // KEDA's scaleTargetRef.kind defaults to Deployment.
          kind: targetKind.state === 'known' ? targetKind.value : 'Deployment',
          name: target.value,
          namespace: m.namespace ?? 'default',
        });
      }
    }
    return { known, unresolved };
  });
}

/** `lifecycle.ignore_changes` lists the replica count, so applies leave it alone. */
function ignoresReplicas(r: Resource): boolean {
  const ignored = r.list('lifecycle.ignore_changes');
  if (ignored.state !== 'known') return false;
  return ignored.value.some((p) => /^spec(\[0\]|\.0)?\.replicas$/.test(p.replace(/\s/g, '')));
}

/**
 * A deployment or stateful set that an autoscaler (HPA, or a KEDA ScaledObject, which drives an
 * HPA) targets leaves `spec.replicas` unset (the kubernetes provider then leaves the live count
 * alone), or ignores its changes; otherwise every apply resets the count the autoscaler chose.
 */
export const kubernetesWorkloadReplicasLeftToAutoscaler: Rule = {
  id: 'kubernetes-workload-replicas-left-to-autoscaler',
  appliesTo: Object.keys(KIND),
  evaluate: (r: Resource, ctx) => {
    const name = r.str('metadata.name');
    const ns = namespaceOf(r);
    if (name.state !== 'known' || ns === undefined) {
      return unknown('the workload name or namespace is an expression', 'metadata');
    }
    const all = scalers(ctx);
    const owners = all.known.filter(
      (s) => s.kind === KIND[r.type] && s.name === name.value && s.namespace === ns,
    );
    if (owners.length === 0) {
      if (all.unresolved > 0) {
        return unknown(`${all.unresolved} autoscaler(s) have targets that are expressions`);
      }
      return notApplicable('no autoscaler targets this workload');
    }
    const by = owners.map((o) => o.address).join(', ');
    if (!r.has('spec.replicas') || r.get('spec.replicas').state === 'absent') {
      return pass(`replicas left to ${by}`);
    }
    if (ignoresReplicas(r)) return pass(`replicas set but ignored after creation; owned by ${by}`);
    return fail(
      `spec.replicas is set while ${by} scales this workload: every apply resets the replica count`,
      'spec.replicas',
    );
  },
};
