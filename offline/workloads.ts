/** The workloads in a set of manifests, with what capacity and topology need to know. */
import { parseCpu, parseMemory } from "../components/core/quantities";
import type { KubernetesObject } from "./manifests";

export type Labels = Record<string, string>;

export interface ContainerSize {
  readonly name: string;
  readonly requestMillicores: number;
  readonly limitMillicores: number;
  readonly requestBytes: number;
  readonly limitBytes: number;
}

export interface Workload {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Labels;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Replicas come from an HPA. */
  readonly autoscaled: boolean;
  readonly containers: readonly ContainerSize[];
  /** Persistent storage per replica (volume claim templates), bytes. */
  readonly storagePerReplicaBytes: number;
  /** A StatefulSet: drawn as a data store. */
  readonly stateful: boolean;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"]);

/* The manifests are plain JSON; these accessors read them without casts at every step. */
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const labelsOf = (v: unknown): Labels => Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === "string")) as Labels;

function podTemplate(o: KubernetesObject): Obj {
  const spec = obj(o.spec);
  switch (o.kind) {
    case "Pod":
      return { metadata: o.metadata, spec };
    case "CronJob":
      return obj(obj(obj(spec.jobTemplate).spec).template);
    default:
      return obj(spec.template);
  }
}

function amount(parse: (q: string) => { ok: boolean; value?: number }, q: unknown): number {
  if (typeof q !== "string" && typeof q !== "number") return 0;
  const parsed = parse(String(q));
  return parsed.ok ? (parsed.value as number) : 0;
}

function containerSizes(template: Obj): ContainerSize[] {
  return arr(obj(template.spec).containers).map((c) => {
    const resources = obj(obj(c).resources);
    const requests = obj(resources.requests);
    const limits = obj(resources.limits);
    return {
      name: String(obj(c).name ?? ""),
      requestMillicores: amount(parseCpu, requests.cpu),
      limitMillicores: amount(parseCpu, limits.cpu ?? requests.cpu),
      requestBytes: amount(parseMemory, requests.memory),
      limitBytes: amount(parseMemory, limits.memory ?? requests.memory),
    };
  });
}

export function storageOfClaim(claim: unknown): number {
  return amount(parseMemory, obj(obj(obj(obj(claim).spec).resources).requests).storage);
}

export function workloadsOf(objects: readonly KubernetesObject[]): Workload[] {
  const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => {
      const namespace = o.metadata.namespace ?? "default";
      const spec = obj(o.spec);
      const template = podTemplate(o);
      const hpa = hpas.find((h) => {
        const ref = obj(obj(h.spec).scaleTargetRef);
        return h.metadata.namespace === namespace && ref.kind === o.kind && ref.name === o.metadata.name;
      });
      const fixed = typeof spec.replicas === "number" ? spec.replicas : 1;
      const min = hpa ? Number(obj(hpa.spec).minReplicas ?? 1) : fixed;
      const max = hpa ? Number(obj(hpa.spec).maxReplicas ?? min) : fixed;
      const storagePerReplicaBytes = arr(spec.volumeClaimTemplates).reduce<number>((sum, claim) => sum + storageOfClaim(claim), 0);
      return {
        kind: o.kind,
        name: o.metadata.name,
        namespace,
        podLabels: labelsOf(obj(template.metadata).labels),
        minReplicas: min,
        maxReplicas: max,
        autoscaled: hpa !== undefined,
        containers: containerSizes(template),
        storagePerReplicaBytes,
        stateful: o.kind === "StatefulSet",
      };
    });
}
