/** Cross-resource views of Kubernetes workloads: their pods' labels, HPAs, PDBs, NetworkPolicies. */
import type { Target } from "../lib/define";
import { LabelSelector, isKind, kindOf, labelsOf, namespaceOf, podMetadataOf, selectorOf, selects } from "../lib/kubernetes";
import { at, num, str } from "../lib/props";

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

const SCALABLE = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];

export function objectName(t: Target): string {
  return str(at(t.props, "metadata.name")) ?? t.name;
}

export function workloadViews(resources: readonly Target[], kinds: readonly string[] = SCALABLE): WorkloadView[] {
  const hpas = new Map<string, Target>();
  for (const h of resources.filter((r) => isKind(r.type, "HorizontalPodAutoscaler"))) {
    hpas.set(`${namespaceOf(h)}/${String(at(h.props, "spec.scaleTargetRef.kind"))}/${String(at(h.props, "spec.scaleTargetRef.name"))}`, h);
  }
  return resources
    .filter((r) => isKind(r.type, ...kinds))
    .map((target) => {
      const kind = kindOf(target.type) as string;
      const namespace = namespaceOf(target);
      const name = objectName(target);
      const hpa = hpas.get(`${namespace}/${kind}/${name}`);
      const replicas = num(at(target.props, "spec.replicas"));
      const minReplicas = hpa ? num(at(hpa.props, "spec.minReplicas")) ?? 1 : replicas ?? 1;
      return { target, kind, namespace, name, podLabels: labelsOf(podMetadataOf(target).labels), hpa, minReplicas };
    });
}

/** Objects of one kind by namespace, with their parsed selectors: built once per stack check. */
export class SelectorIndex {
  private readonly byNamespace = new Map<string, { target: Target; selector: LabelSelector }[]>();

  constructor(resources: readonly Target[], kind: string, selectorPath: string) {
    for (const r of resources) {
      if (!isKind(r.type, kind)) continue;
      const ns = namespaceOf(r);
      if (!this.byNamespace.has(ns)) this.byNamespace.set(ns, []);
      this.byNamespace.get(ns)?.push({ target: r, selector: selectorOf(at(r.props, selectorPath)) });
    }
  }

  /** The objects in the workload's namespace whose selector selects its pods. */
  selecting(w: WorkloadView): Target[] {
    return (this.byNamespace.get(w.namespace) ?? []).filter((e) => selects(e.selector, w.podLabels)).map((e) => e.target);
  }
}

