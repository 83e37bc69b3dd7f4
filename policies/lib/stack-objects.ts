/**
 * A stack's Kubernetes objects indexed for whole-stack reasoning: workloads as pod groups,
 * Services and their ports, ConfigMap/Secret contents, and host names resolved to Services.
 */
import type { Target } from "./target";
import { LabelSelector, WORKLOAD_KINDS, kindOf, labelsOf, podMetadataOf, podSpecOf, selects } from "./kubernetes";
import type { PodGroup, Protocol } from "./network-model";
import { Obj, arr, at, num, obj, str } from "./props";

export interface StackObject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly props: Obj;
  readonly urn: string;
}

export interface WorkloadEntry {
  readonly object: StackObject;
  readonly group: PodGroup;
  readonly podSpec: Obj;
  readonly podMetadata: Obj;
  /** More than one pod may run (replicas, an HPA, a DaemonSet). */
  readonly replicated: boolean;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

export interface ServiceEntry {
  readonly object: StackObject;
  readonly selector?: Record<string, string>;
  readonly ports: readonly ServicePort[];
  readonly headless: boolean;
}

/** A host name in the stack: a Service, and the one pod when it is a pod's own name under a headless Service. */
export interface ResolvedHost {
  readonly service: ServiceEntry;
  /** `<pod>.<service>...`: addresses one pod directly (ports are container ports). */
  readonly pod?: string;
}

const CLUSTER_NAMESPACED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "StorageClass", "CustomResourceDefinition", "PersistentVolume", "IngressClass", "PriorityClass"]);

export function stackObjectOf(t: Target): StackObject | undefined {
  const kind = kindOf(t.type) ?? (t.type.startsWith("kubernetes:") ? t.type.split(":").pop() : undefined);
  if (!kind) return undefined;
  const namespace = CLUSTER_NAMESPACED.has(kind) ? "" : str(at(t.props, "metadata.namespace")) ?? "default";
  return { kind, namespace, name: str(at(t.props, "metadata.name")) ?? t.name, props: t.props, urn: t.urn };
}

function protocolOf(v: unknown): Protocol {
  return v === "UDP" || v === "SCTP" ? v : "TCP";
}

function decode(value: string): string {
  return Buffer.from(value, "base64").toString("utf8");
}

export function describeObject(o: StackObject): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

/** Labels the StatefulSet controller puts on each pod, beside its template's: its name and ordinal. */
const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
const POD_IDENTITY_LABELS = [POD_NAME_LABEL, POD_INDEX_LABEL];

/**
 * The labels of the workload's pod a selector asks for: the template's, and for a StatefulSet the
 * pod-name and pod-index labels of the ordinal the selector names, when that pod exists.
 */
function podLabelsFor(w: WorkloadEntry, selector: LabelSelector): Record<string, string> {
  if (w.object.kind !== "StatefulSet") return w.group.labels;
  const named = selector.matchLabels[POD_NAME_LABEL];
  const indexed = selector.matchLabels[POD_INDEX_LABEL];
  const ordinal = named !== undefined ? (named.startsWith(`${w.object.name}-`) ? named.slice(w.object.name.length + 1) : undefined) : indexed;
  if (ordinal === undefined || !/^(0|[1-9]\d*)$/.test(ordinal)) return w.group.labels;
  const replicas = num(at(w.object.props, "spec.replicas")) ?? 1;
  const start = num(at(w.object.props, "spec.ordinals.start")) ?? 0;
  const index = Number(ordinal);
  if (index < start || index >= start + replicas) return w.group.labels;
  return { ...w.group.labels, [POD_NAME_LABEL]: `${w.object.name}-${index}`, [POD_INDEX_LABEL]: String(index) };
}

export class StackObjects {
  readonly objects: readonly StackObject[];
  readonly workloads: readonly WorkloadEntry[];
  readonly services = new Map<string, ServiceEntry>();
  private readonly byKey = new Map<string, StackObject>();
  readonly namespaces = new Set<string>();

  constructor(targets: readonly Target[]) {
    this.objects = targets.map(stackObjectOf).filter((o): o is StackObject => o !== undefined);
    for (const o of this.objects) {
      this.byKey.set(`${o.kind}/${o.namespace}/${o.name}`, o);
      if (o.kind === "Namespace") this.namespaces.add(o.name);
      else if (o.namespace) this.namespaces.add(o.namespace);
    }
    const hpas = new Set(this.ofKind("HorizontalPodAutoscaler").filter((h) => (num(at(h.props, "spec.maxReplicas")) ?? 1) > 1).map((h) => `${h.namespace}/${str(at(h.props, "spec.scaleTargetRef.kind"))}/${str(at(h.props, "spec.scaleTargetRef.name"))}`));
    this.workloads = this.objects
      .filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind))
      .map((o) => {
        const target: Target = { type: `kubernetes:x:${o.kind}`, urn: o.urn, name: o.name, props: o.props };
        const podSpec = podSpecOf(target);
        const podMetadata = podMetadataOf(target);
        const containers = [...arr(podSpec.initContainers).filter((c) => obj(c).restartPolicy === "Always"), ...arr(podSpec.containers)];
        const ports = containers.flatMap((c) => arr(obj(c).ports).map((p) => ({ name: str(obj(p).name), port: num(obj(p).containerPort) ?? 0, protocol: protocolOf(obj(p).protocol) })));
        const replicas = num(at(o.props, "spec.replicas")) ?? 1;
        const replicated = o.kind === "DaemonSet" || replicas > 1 || hpas.has(`${o.namespace}/${o.kind}/${o.name}`);
        const group: PodGroup = { id: describeObject(o), namespace: o.namespace, labels: labelsOf(podMetadata.labels), ports, hostNetwork: podSpec.hostNetwork === true };
        return { object: o, group, podSpec, podMetadata, replicated };
      });
    for (const s of this.ofKind("Service")) {
      const spec = obj(s.props.spec);
      const ports = arr(spec.ports).map((p) => {
        const port = obj(p);
        const number = num(port.port) ?? 0;
        const target = port.targetPort;
        return { name: str(port.name), port: number, targetPort: typeof target === "number" || typeof target === "string" ? target : number, protocol: protocolOf(port.protocol) };
      });
      const selector = spec.selector === undefined ? undefined : labelsOf(spec.selector);
      this.services.set(`${s.namespace}/${s.name}`, { object: s, selector, ports, headless: spec.clusterIP === "None" });
    }
  }

  ofKind(...kinds: readonly string[]): StackObject[] {
    return this.objects.filter((o) => kinds.includes(o.kind));
  }

  get(kind: string, namespace: string, name: string): StackObject | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** The workloads whose pods a selector (plain labels) selects in a namespace. */
  workloadsSelectedBy(namespace: string, selector: Record<string, string>): WorkloadEntry[] {
    if (Object.keys(selector).length === 0) return [];
    return this.workloadsMatching(namespace, { matchLabels: selector, matchExpressions: [] });
  }

  /** The workloads of a namespace a label selector selects (an empty selector: all of them), narrowed through a label index. */
  workloadsMatching(namespace: string, selector: LabelSelector): WorkloadEntry[] {
    if (!this.byLabel) {
      this.byLabel = new Map();
      for (const w of this.workloads) {
        for (const key of [`${w.object.namespace}\n`, ...Object.entries(w.group.labels).map(([k, v]) => `${w.object.namespace}\n${k}=${v}`)]) {
          const list = this.byLabel.get(key) ?? [];
          list.push(w);
          this.byLabel.set(key, list);
        }
      }
    }
    const first = Object.entries(selector.matchLabels).find(([k]) => !POD_IDENTITY_LABELS.includes(k));
    const candidates = this.byLabel.get(first ? `${namespace}\n${first[0]}=${first[1]}` : `${namespace}\n`) ?? [];
    return candidates.filter((w) => selects(selector, podLabelsFor(w, selector)));
  }

  private byLabel?: Map<string, WorkloadEntry[]>;

  /** The keys and values of a ConfigMap or Secret (a Secret's data decoded), or undefined when it is not in the stack. */
  dataOf(kind: "ConfigMap" | "Secret", namespace: string, name: string): Map<string, string> | undefined {
    const o = this.get(kind, namespace, name);
    if (!o) return undefined;
    const data = new Map<string, string>();
    for (const [k, v] of Object.entries(obj(o.props.data))) data.set(k, typeof v === "string" ? (kind === "Secret" ? decode(v) : v) : "");
    for (const [k, v] of Object.entries(obj(o.props.binaryData))) data.set(k, typeof v === "string" ? decode(v) : "");
    for (const [k, v] of Object.entries(obj(o.props.stringData))) data.set(k, typeof v === "string" ? v : "");
    return data;
  }

  /**
   * Resolves a host name as cluster DNS would, for a client in `fromNamespace`:
   * `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<domain>`, and `pod.svc.ns...` under a headless Service.
   */
  resolveHost(host: string, fromNamespace: string): ResolvedHost | undefined {
    const labels = host.toLowerCase().replace(/\.$/, "").split(".");
    const svcAt = labels.indexOf("svc");
    const find = (ns: string, name: string) => this.services.get(`${ns}/${name}`);
    if (svcAt >= 0) {
      const before = labels.slice(0, svcAt);
      if (before.length === 2) return (s => (s ? { service: s } : undefined))(find(before[1], before[0]));
      if (before.length === 3) {
        const s = find(before[2], before[1]);
        return s?.headless ? { service: s, pod: before[0] } : undefined;
      }
      return undefined;
    }
    if (labels.length === 1) {
      const s = find(fromNamespace, labels[0]);
      return s ? { service: s } : undefined;
    }
    if (labels.length === 2 && this.namespaces.has(labels[1])) {
      const s = find(labels[1], labels[0]);
      return s ? { service: s } : undefined;
    }
    if (labels.length === 3 && this.namespaces.has(labels[2])) {
      const s = find(labels[2], labels[1]);
      return s?.headless ? { service: s, pod: labels[0] } : undefined;
    }
    return undefined;
  }
}
