/** Availability in production: replicas, disruption budgets, spread, autoscaler bounds. */
import { stackPolicy } from "../lib/define";
import { describe, isKind, labelsOf, labelsText, namespaceOf, podSpecOf, selectorOf, selectorTerms, selects } from "../lib/kubernetes";
import { Obj, arr, at, num, obj, str } from "../lib/props";
import { SelectorIndex, WorkloadView, objectName, workloadViews } from "./workloads";

function isQuorum(w: WorkloadView, components: readonly string[]): boolean {
  const labels = [w.podLabels["app.kubernetes.io/component"], w.podLabels["app.kubernetes.io/name"], w.podLabels.app].filter((x): x is string => !!x);
  return labels.some((l) => components.includes(l));
}

export const replicasMinimum = stackPolicy({
  name: "replicas-minimum",
  description: "Deployments and StatefulSets run at least 2 replicas (3 for quorum systems).",
  enforcementLevel: "advisory",
  config: {
    minReplicas: { type: "integer", default: 2, description: "Replicas a workload runs at least." },
    quorumReplicas: { type: "integer", default: 3, description: "Replicas a quorum system runs at least." },
    quorumComponents: {
      type: "array",
      items: { type: "string" },
      default: ["kafka", "zookeeper", "etcd", "consul", "seaweedfs-master", "redis-sentinel", "sentinel"],
      description: "Values of app.kubernetes.io/component or /name that mark a quorum system.",
    },
  },
  check(resources, report, config) {
    for (const w of workloadViews(resources)) {
      const quorum = isQuorum(w, arr(config.quorumComponents).map(String));
      const needed = Number(quorum ? config.quorumReplicas : config.minReplicas);
      if (w.minReplicas < needed) {
        const how = w.hpa ? "the HorizontalPodAutoscaler's minReplicas" : "spec.replicas";
        report(w.target.urn, `${describe(w.target)}: runs ${w.minReplicas} replica${w.minReplicas === 1 ? "" : "s"}; run at least ${needed} (${how})${quorum ? " so the quorum survives a lost member" : " so one pod can fail"}.`);
      }
    }
  },
});

/** Whether a PDB lets at least one of `replicas` pods be evicted. */
function allowsDisruption(pdb: { minAvailable: unknown; maxUnavailable: unknown }, replicas: number): boolean {
  const pct = (v: unknown) => (typeof v === "string" && /^\d+%$/.test(v) ? Number(v.slice(0, -1)) : undefined);
  if (pdb.maxUnavailable !== undefined) return typeof pdb.maxUnavailable === "number" ? pdb.maxUnavailable >= 1 : (pct(pdb.maxUnavailable) ?? 0) > 0;
  if (pdb.minAvailable !== undefined) {
    if (typeof pdb.minAvailable === "number") return pdb.minAvailable < replicas;
    const p = pct(pdb.minAvailable);
    return p !== undefined && Math.ceil((p / 100) * replicas) < replicas;
  }
  return true;
}

export const podDisruptionBudget = stackPolicy({
  name: "pod-disruption-budget",
  description: "Replicated workloads have a PodDisruptionBudget that still lets a node drain.",
  enforcementLevel: "advisory",
  check(resources, report) {
    const budgets = new SelectorIndex(resources, "PodDisruptionBudget", "spec.selector");
    for (const w of workloadViews(resources)) {
      if (w.minReplicas < 2) continue;
      const pdbs = budgets.selecting(w);
      if (pdbs.length === 0) {
        report(w.target.urn, `${describe(w.target)}: no PodDisruptionBudget selects its ${w.minReplicas} replicas; add one with maxUnavailable: 1 so voluntary disruptions keep it serving.`);
      }
      for (const pdb of pdbs) {
        const spec = { minAvailable: at(pdb.props, "spec.minAvailable"), maxUnavailable: at(pdb.props, "spec.maxUnavailable") };
        if (!allowsDisruption(spec, w.minReplicas)) {
          const what = spec.maxUnavailable !== undefined ? `maxUnavailable ${String(spec.maxUnavailable)}` : `minAvailable ${String(spec.minAvailable)} of ${w.minReplicas} replicas`;
          report(pdb.urn, `${describe(pdb)}: allows no disruption for ${describe(w.target)} (${what}), so node drains block; use maxUnavailable: 1.`);
        }
      }
    }
  },
});

const NODE_KEY = "kubernetes.io/hostname";
const ZONE_KEY = "topology.kubernetes.io/zone";

/** A spreading term of a pod template: a topology spread constraint or a pod anti-affinity term. */
interface SpreadTerm {
  /** `topologySpreadConstraints[0]`, `podAntiAffinity preferred term 2`. */
  readonly where: string;
  readonly topologyKey: string;
  /** Why the term does not spread the workload's own pods, or undefined when it does. */
  readonly problem?: string;
  /** How to mend it. */
  readonly fix?: string;
}


/** Why a label selector does not select the workload's pods (a missing selector selects nothing). */
function selectorProblem(selector: unknown, w: WorkloadView): string | undefined {
  if (selector === undefined || selector === null) return "has no labelSelector (it counts no pods)";
  if (selects(selectorOf(selector), w.podLabels)) return undefined;
  return `selects ${selectorTerms(selector)}, not its own pods (${labelsText(w.podLabels) || "no labels"})`;
}

/** Why an anti-affinity term's namespaces leave out the workload's own (no namespaces and no selector: its own). */
function namespaceProblem(term: Obj, w: WorkloadView, namespaceLabels: Map<string, Record<string, string>>): string | undefined {
  const names = arr(term.namespaces).map(String);
  const selector = term.namespaceSelector;
  if (names.length === 0 && (selector === undefined || selector === null)) return undefined;
  if (names.includes(w.namespace)) return undefined;
  const labels = { ...(namespaceLabels.get(w.namespace) ?? {}), "kubernetes.io/metadata.name": w.namespace };
  if (selector !== undefined && selector !== null && selects(selectorOf(selector), labels)) return undefined;
  return `looks in namespaces ${names.length ? names.join(", ") : `selected by ${selectorTerms(selector) || "{}"}`}, not its own namespace ${w.namespace}`;
}

const SELECTOR_FIX = "select the pod template's labels";

function spreadTerms(w: WorkloadView, namespaceLabels: Map<string, Record<string, string>>): SpreadTerm[] {
  const pod = podSpecOf(w.target);
  const terms: SpreadTerm[] = arr(pod.topologySpreadConstraints).map((c, i) => ({
    where: `topologySpreadConstraints[${i}]`,
    topologyKey: str(obj(c).topologyKey) ?? "",
    problem: selectorProblem(obj(c).labelSelector, w),
    fix: SELECTOR_FIX,
  }));
  const anti = obj(at(pod, "affinity.podAntiAffinity"));
  const antiTerms: [string, unknown][] = [
    ...arr(anti.requiredDuringSchedulingIgnoredDuringExecution).map((t, i): [string, unknown] => [`podAntiAffinity required term ${i + 1}`, t]),
    ...arr(anti.preferredDuringSchedulingIgnoredDuringExecution).map((t, i): [string, unknown] => [`podAntiAffinity preferred term ${i + 1}`, obj(t).podAffinityTerm]),
  ];
  for (const [where, t] of antiTerms) {
    const term = obj(t);
    const labelProblem = selectorProblem(term.labelSelector, w);
    const nsProblem = labelProblem ? undefined : namespaceProblem(term, w, namespaceLabels);
    terms.push({ where, topologyKey: str(term.topologyKey) ?? "", problem: labelProblem ?? nsProblem, fix: nsProblem ? "leave namespaces and namespaceSelector unset (its own namespace) or include it" : SELECTOR_FIX });
  }
  return terms;
}

export const topologySpread = stackPolicy({
  name: "topology-spread",
  description: "Replicated workloads spread their own pods over every configured topology (nodes and zones) with topology spread constraints or pod anti-affinity.",
  enforcementLevel: "advisory",
  config: {
    topologyKeys: {
      type: "array",
      items: { type: "string" },
      default: [NODE_KEY],
      description: `Node labels the replicas must be spread over, each by a constraint or anti-affinity term that selects the workload's own pods (prod.json asks for ${NODE_KEY} and ${ZONE_KEY}).`,
    },
  },
  check(resources, report, config) {
    const required = arr(config.topologyKeys).map(String);
    const namespaceLabels = new Map(resources.filter((r) => isKind(r.type, "Namespace")).map((r) => [objectName(r), labelsOf(at(r.props, "metadata.labels"))]));
    for (const w of workloadViews(resources)) {
      if (w.minReplicas < 2) continue;
      const terms = spreadTerms(w, namespaceLabels);
      if (terms.length === 0) {
        report(w.target.urn, `${describe(w.target)}: its replicas may all land on one node; add topologySpreadConstraints (${required.join(" and ") || "zone and hostname"}) or podAntiAffinity.`);
        continue;
      }
      for (const term of terms.filter((t) => t.problem)) {
        report(w.target.urn, `${describe(w.target)}: its ${term.where} (${term.topologyKey || "no topologyKey"}) ${term.problem}, so it does not spread them; ${term.fix}.`);
      }
      const covered = [...new Set(terms.filter((t) => !t.problem && t.topologyKey).map((t) => t.topologyKey))];
      const missing = required.filter((k) => !covered.includes(k));
      if (missing.length === 0) continue;
      const spreads = covered.length ? `spreads its pods over ${covered.join(", ")} but not ${missing.join(" or ")}` : missing.length === 1 ? `does not spread its pods over ${missing[0]}` : `spreads its pods over neither ${missing.join(" nor ")}`;
      report(w.target.urn, `${describe(w.target)}: ${spreads}; add a topologySpreadConstraint (or podAntiAffinity term) for ${missing.join(" and ")} that selects its pods, or a lost ${missing.includes(ZONE_KEY) ? "zone" : "node"} takes every replica.`);
    }
  },
});

export const hpaMinimum = stackPolicy({
  name: "hpa-minimum",
  description: "HorizontalPodAutoscalers keep at least 2 replicas.",
  enforcementLevel: "advisory",
  config: { minReplicas: { type: "integer", default: 2, description: "The lowest minReplicas allowed." } },
  check(resources, report, config) {
    for (const hpa of resources.filter((r) => isKind(r.type, "HorizontalPodAutoscaler"))) {
      const given = num(at(hpa.props, "spec.minReplicas"));
      const min = given ?? 1;
      const what = given === undefined ? "minReplicas is unset, so it defaults to 1" : `minReplicas is ${min}`;
      if (min < Number(config.minReplicas)) report(hpa.urn, `${describe(hpa)}: ${what}; set at least ${String(config.minReplicas)} so scaling down never leaves a single pod.`);
    }
  },
});

export const hpaOwnsReplicas = stackPolicy({
  name: "hpa-owns-replicas",
  description: "A workload scaled by a HorizontalPodAutoscaler sets no fixed replicas.",
  enforcementLevel: "mandatory",
  check(resources, report) {
    for (const w of workloadViews(resources)) {
      const replicas = at(w.target.props, "spec.replicas");
      if (w.hpa && replicas !== undefined) {
        report(w.target.urn, `${describe(w.target)}: sets replicas: ${String(replicas)} while ${describe(w.hpa)} scales it; remove spec.replicas, or every deploy resets the autoscaler's count.`);
      }
    }
  },
});

export const statefulSetHeadlessService = stackPolicy({
  name: "statefulset-headless-service",
  description: "StatefulSets name a headless Service (clusterIP None) that exists.",
  enforcementLevel: "mandatory",
  check(resources, report) {
    const services = new Map(resources.filter((r) => isKind(r.type, "Service")).map((r) => [`${namespaceOf(r)}/${objectName(r)}`, r]));
    for (const sts of resources.filter((r) => isKind(r.type, "StatefulSet"))) {
      const serviceName = str(at(sts.props, "spec.serviceName"));
      if (!serviceName) {
        report(sts.urn, `${describe(sts)}: no spec.serviceName; name a headless Service so its pods get stable DNS names.`);
        continue;
      }
      const service = services.get(`${namespaceOf(sts)}/${serviceName}`);
      if (!service) report(sts.urn, `${describe(sts)}: its serviceName ${serviceName} names no Service in namespace ${namespaceOf(sts)}; create a headless Service (clusterIP: None) with that name.`);
      else if (at(service.props, "spec.clusterIP") !== "None") report(sts.urn, `${describe(sts)}: Service ${serviceName} is not headless; set its spec.clusterIP: None.`);
    }
  },
});
