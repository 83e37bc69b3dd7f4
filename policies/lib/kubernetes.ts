/** Kubernetes objects as policies see them: type tokens, workloads, pod specs, containers. */
import type { Target } from "./target";
import { Obj, arr, at, obj, str } from "./props";

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; undefined for non-Kubernetes types. */
export function kindOf(type: string): string | undefined {
  const m = /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type);
  return m ? m[1] : undefined;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"] as const;
/** Kinds whose containers run until stopped: they need probes. */
export const LONG_RUNNING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"]);

export function isKind(type: string, ...kinds: readonly string[]): boolean {
  const kind = kindOf(type);
  return kind !== undefined && kinds.includes(kind);
}

export function isWorkload(type: string): boolean {
  return isKind(type, ...WORKLOAD_KINDS);
}

/** The pod spec of a workload. */
export function podSpecOf(target: Target): Obj {
  switch (kindOf(target.type)) {
    case "Pod":
      return obj(target.props.spec);
    case "CronJob":
      return obj(at(target.props, "spec.jobTemplate.spec.template.spec"));
    default:
      return obj(at(target.props, "spec.template.spec"));
  }
}

/** The pod template's metadata (the object's own for a bare Pod). */
export function podMetadataOf(target: Target): Obj {
  switch (kindOf(target.type)) {
    case "Pod":
      return obj(target.props.metadata);
    case "CronJob":
      return obj(at(target.props, "spec.jobTemplate.spec.template.metadata"));
    default:
      return obj(at(target.props, "spec.template.metadata"));
  }
}

export interface ContainerRef {
  readonly container: Obj;
  readonly name: string;
  /** An init container (sidecars with restartPolicy Always count as long-running containers). */
  readonly init: boolean;
  readonly sidecar: boolean;
}

export function containersOf(target: Target): ContainerRef[] {
  const spec = podSpecOf(target);
  const refs: ContainerRef[] = [];
  for (const c of arr(spec.initContainers)) {
    const container = obj(c);
    refs.push({ container, name: str(container.name) ?? "?", init: true, sidecar: container.restartPolicy === "Always" });
  }
  for (const c of arr(spec.containers)) {
    const container = obj(c);
    refs.push({ container, name: str(container.name) ?? "?", init: false, sidecar: false });
  }
  return refs;
}

/** `Deployment shop/api` */
export function describe(target: Target): string {
  const kind = kindOf(target.type) ?? target.type;
  const name = str(at(target.props, "metadata.name")) ?? target.name;
  const ns = str(at(target.props, "metadata.namespace"));
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

/** `Deployment shop/api, init container "migrate"` */
export function describeContainer(target: Target, ref: ContainerRef): string {
  return `${describe(target)}, ${ref.init ? "init container" : "container"} "${ref.name}"`;
}

export function namespaceOf(target: Target): string {
  return str(at(target.props, "metadata.namespace")) ?? "default";
}

export function labelsOf(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === "string")) as Record<string, string>;
}

export interface LabelSelector {
  readonly matchLabels: Record<string, string>;
  readonly matchExpressions: readonly { key: string; operator: string; values: string[] }[];
}

export function selectorOf(v: unknown): LabelSelector {
  const s = obj(v);
  return {
    matchLabels: labelsOf(s.matchLabels),
    matchExpressions: arr(s.matchExpressions).map((e) => ({ key: String(obj(e).key), operator: String(obj(e).operator), values: arr(obj(e).values).map(String) })),
  };
}

export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  return (
    Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v) &&
    selector.matchExpressions.every((e) => {
      const has = e.key in labels;
      if (e.operator === "In") return has && e.values.includes(labels[e.key]);
      if (e.operator === "NotIn") return !has || !e.values.includes(labels[e.key]);
      if (e.operator === "Exists") return has;
      if (e.operator === "DoesNotExist") return !has;
      return false;
    })
  );
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}
