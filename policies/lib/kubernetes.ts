/** Kubernetes objects as policies see them: type tokens, workloads, pod specs, containers. */
import type { Target } from "./target";
import { Obj, arr, at, obj, str } from "./props";

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; undefined for non-Kubernetes types. */
export function kindOf(type: string): string | undefined {
  const m = /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type);
  return m ? m[1] : undefined;
}

/** Kinds that run pods (from a pod template, or a Pod itself): what stack checks see as workloads. */
export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"] as const;
/**
 * Kinds whose pod spec the per-resource checks judge: the workloads and PodTemplate, which runs
 * no pods itself (so it needs no probes and no NetworkPolicy) but is what its users start.
 */
export const POD_SPEC_KINDS = [...WORKLOAD_KINDS, "PodTemplate"] as const;
/** Kinds whose containers run until stopped: they need probes. */
export const LONG_RUNNING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod"]);

export function isKind(type: string, ...kinds: readonly string[]): boolean {
  const kind = kindOf(type);
  return kind !== undefined && kinds.includes(kind);
}

/** An object with a pod spec the per-resource checks judge (a workload, or a PodTemplate). */
export function isWorkload(type: string): boolean {
  return isKind(type, ...POD_SPEC_KINDS);
}

/** Where a kind keeps its pod template (`spec.template`), or the Pod's own fields (""). */
function templatePath(type: string): string {
  switch (kindOf(type)) {
    case "Pod":
      return "";
    case "PodTemplate":
      return "template";
    case "CronJob":
      return "spec.jobTemplate.spec.template";
    default:
      return "spec.template";
  }
}

/** The path of a workload's pod spec in its props: `spec.template.spec`, `spec` for a Pod. */
export function podSpecPath(type: string): string {
  const template = templatePath(type);
  return template ? `${template}.spec` : "spec";
}

/** The pod spec of a workload. */
export function podSpecOf(target: Target): Obj {
  return obj(at(target.props, podSpecPath(target.type)));
}

/** The pod template's metadata (the object's own for a bare Pod). */
export function podMetadataOf(target: Target): Obj {
  const template = templatePath(target.type);
  return obj(at(target.props, template ? `${template}.metadata` : "metadata"));
}

export interface ContainerRef {
  readonly container: Obj;
  readonly name: string;
  /** An init container (sidecars with restartPolicy Always count as long-running containers). */
  readonly init: boolean;
  readonly sidecar: boolean;
  /**
   * An ephemeral (debug) container of a Pod: only with `containersOf(target, { ephemeral: true })`.
   * The API forbids them probes, resources and ports, so only security checks ask for them.
   */
  readonly ephemeral?: boolean;
}

export interface ContainersOptions {
  /** Also `spec.ephemeralContainers` (Pod Security admission judges them like the others). */
  readonly ephemeral?: boolean;
}

/**
 * Init containers, then containers; ephemeral containers last when asked for. Items that are not
 * objects (`null`, a string) are skipped: they are no container, and well-formed-objects reports them.
 */
export function containersOf(target: Target, options: ContainersOptions = {}): ContainerRef[] {
  const spec = podSpecOf(target);
  const refs: ContainerRef[] = [];
  for (const container of objectsIn(spec.initContainers)) {
    refs.push({ container, name: str(container.name) ?? "?", init: true, sidecar: container.restartPolicy === "Always" });
  }
  for (const container of objectsIn(spec.containers)) {
    refs.push({ container, name: str(container.name) ?? "?", init: false, sidecar: false });
  }
  if (options.ephemeral) {
    for (const container of objectsIn(spec.ephemeralContainers)) {
      refs.push({ container, name: str(container.name) ?? "?", init: false, sidecar: false, ephemeral: true });
    }
  }
  return refs;
}

/** The items of a list that are objects: `null` and scalar items are skipped (well-formed-objects reports them). */
export function objectsIn(v: unknown): Obj[] {
  return arr(v).filter((item): item is Obj => typeof item === "object" && item !== null && !Array.isArray(item));
}

/** The items of a list that are strings. */
export function stringsIn(v: unknown): string[] {
  return arr(v).filter((item): item is string => typeof item === "string");
}

/** `null` means "unset", as the API server decodes it: true for undefined and null. */
export function isUnset(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** Every container Pod Security admission judges: init, regular and ephemeral. */
export function allContainersOf(target: Target): ContainerRef[] {
  return containersOf(target, { ephemeral: true });
}

/** The pod template's annotations (string values only). */
export function podAnnotationsOf(target: Target): Record<string, string> {
  return labelsOf(podMetadataOf(target).annotations);
}

/**
 * A pod that declares `spec.os.name: windows`. The API rejects Linux-only security fields on
 * such pods, and Pod Security admission (1.25+) exempts them from the capabilities, seccomp and
 * allowPrivilegeEscalation checks.
 */
export function isWindowsPod(target: Target): boolean {
  return at(podSpecOf(target), "os.name") === "windows";
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
  return `${describe(target)}, ${ref.ephemeral ? "ephemeral container" : ref.init ? "init container" : "container"} "${ref.name}"`;
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

/** Labels as `k=v, k2=v2` ("" for none). */
export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ");
}

/** A label selector's terms, `k=v, key Op (values)` ("" for an empty selector). */
export function selectorTerms(v: unknown): string {
  const s = selectorOf(v);
  const expressions = s.matchExpressions.map((e) => `${e.key} ${e.operator}${e.values.length ? ` (${e.values.join(", ")})` : ""}`);
  return [labelsText(s.matchLabels), ...expressions].filter((t) => t !== "").join(", ");
}
