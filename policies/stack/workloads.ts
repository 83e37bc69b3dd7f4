/** Cross-resource views of Kubernetes workloads: their pods' labels, HPAs, PDBs, NetworkPolicies. */
import type { Target } from "../lib/define";
import { LabelSelector, describe, isKind, kindOf, labelsOf, namespaceOf, podMetadataOf, selectorOf, selects } from "../lib/kubernetes";
import { at, num, obj, str } from "../lib/props";

export interface WorkloadView {
  readonly target: Target;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly podLabels: Record<string, string>;
  /** The HPA scaling it, if any. */
  readonly hpa?: Target;
  /** Replicas the workload runs at least: the HPA's minReplicas, else spec.replicas (default 1). */
  readonly minReplicas: number;
}

const SCALABLE = ["Deployment", "StatefulSet", "ReplicaSet"];

export function objectName(t: Target): string {
  return str(at(t.props, "metadata.name")) ?? t.name;
}

export function workloadViews(resources: readonly Target[], kinds: readonly string[] = SCALABLE): WorkloadView[] {
  const hpas = resources.filter((r) => isKind(r.type, "HorizontalPodAutoscaler"));
  return resources
    .filter((r) => isKind(r.type, ...kinds))
    .map((target) => {
      const kind = kindOf(target.type) as string;
      const namespace = namespaceOf(target);
      const name = objectName(target);
      const hpa = hpas.find((h) => namespaceOf(h) === namespace && at(h.props, "spec.scaleTargetRef.kind") === kind && at(h.props, "spec.scaleTargetRef.name") === name);
      const replicas = num(at(target.props, "spec.replicas"));
      const minReplicas = hpa ? num(at(hpa.props, "spec.minReplicas")) ?? 1 : replicas ?? 1;
      return { target, kind, namespace, name, podLabels: labelsOf(podMetadataOf(target).labels), hpa, minReplicas };
    });
}

/** Objects of `kind` in the workload's namespace whose selector (at `selectorPath`) selects its pods. */
export function selecting(resources: readonly Target[], w: WorkloadView, kind: string, selectorPath: string, matchLabelsOnly = false): Target[] {
  return resources.filter((r) => {
    if (!isKind(r.type, kind) || namespaceOf(r) !== w.namespace) return false;
    const raw = at(r.props, selectorPath);
    const selector: LabelSelector = matchLabelsOnly ? { matchLabels: labelsOf(raw), matchExpressions: [] } : selectorOf(raw);
    return selects(selector, w.podLabels);
  });
}

export { describe, obj };
