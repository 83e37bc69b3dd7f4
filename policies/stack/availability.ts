/** Availability in production: replicas, disruption budgets, spread, autoscaler bounds. */
import { stackPolicy } from "../lib/define";
import { describe, isKind, namespaceOf } from "../lib/kubernetes";
import { arr, at, num, str } from "../lib/props";
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

export const topologySpread = stackPolicy({
  name: "topology-spread",
  description: "Replicated workloads spread across nodes and zones (topology spread or pod anti-affinity).",
  enforcementLevel: "advisory",
  check(resources, report) {
    for (const w of workloadViews(resources)) {
      if (w.minReplicas < 2) continue;
      const pod = at(w.target.props, "spec.template.spec");
      const spread = arr(at(pod, "topologySpreadConstraints")).length > 0;
      const antiAffinity = at(pod, "affinity.podAntiAffinity") !== undefined;
      if (!spread && !antiAffinity) {
        report(w.target.urn, `${describe(w.target)}: its replicas may all land on one node; add topologySpreadConstraints (zone and hostname) or podAntiAffinity.`);
      }
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
      const min = num(at(hpa.props, "spec.minReplicas")) ?? 1;
      if (min < Number(config.minReplicas)) report(hpa.urn, `${describe(hpa)}: minReplicas is ${min}; set at least ${String(config.minReplicas)} so scaling down never leaves a single pod.`);
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
