import { hpaMinimum, hpaOwnsReplicas, podDisruptionBudget, replicasMinimum, statefulSetHeadlessService, topologySpread } from "../../policies/stack/availability";
import { networkPolicyCoverage } from "../../policies/stack/network";
import type { Target } from "../../policies/lib/define";
import { DEPLOYMENT, SERVICE, STATEFULSET, deployment, pod, stackViolations, target } from "./harness";

type Props = Record<string, unknown>;
const labels = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" };

/** A compliant stack: Deployment (3 replicas), PDB, NetworkPolicy. */
function stack(): { deployment: Target; pdb: Target; netpol: Target; all: Target[] } {
  const d = target(DEPLOYMENT, deployment(), "api-deployment");
  const pdb = target("kubernetes:policy/v1:PodDisruptionBudget", { metadata: { name: "api", namespace: "shop" }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, "api-pdb");
  const netpol = target("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "api", namespace: "shop" }, spec: { podSelector: { matchLabels: labels }, policyTypes: ["Ingress", "Egress"] } }, "api-netpol");
  return { deployment: d, pdb, netpol, all: [d, pdb, netpol] };
}

const hpa = (min: number | undefined) =>
  target("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", { metadata: { name: "api", namespace: "shop" }, spec: { minReplicas: min, maxReplicas: 6, scaleTargetRef: { kind: "Deployment", name: "api" } } }, "api-hpa");

describe("stack policies", () => {
  it("pass a compliant stack", () => {
    for (const policy of [networkPolicyCoverage, replicasMinimum, podDisruptionBudget, topologySpread, hpaMinimum, hpaOwnsReplicas, statefulSetHeadlessService]) {
      expect(stackViolations(policy, stack().all)).toEqual([]);
    }
  });

  it("report a workload no NetworkPolicy selects", () => {
    const s = stack();
    expect(stackViolations(networkPolicyCoverage, [s.deployment])).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: no NetworkPolicy selects its pods, so all traffic to and from them is allowed; add a policy that denies by default and allows named peers." },
    ]);
  });

  it("count an empty podSelector (default deny) as selecting, in both directions", () => {
    const s = stack();
    const deny = target("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "default-deny", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    expect(stackViolations(networkPolicyCoverage, [s.deployment, deny])).toEqual([]);
  });

  it("report a workload isolated for ingress only (egress left open)", () => {
    const s = stack();
    (s.netpol.props.spec as Props).policyTypes = ["Ingress"];
    expect(stackViolations(networkPolicyCoverage, s.all)).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: the NetworkPolicies selecting its pods (api) cover Ingress only, so they may reach every destination; add policyTypes: [Egress] to one of them (or a policy of its own) with the destinations it needs." },
    ]);
  });

  it("take Kubernetes' default policyTypes: egress rules count, an empty egress list does not", () => {
    const s = stack();
    const spec = s.netpol.props.spec as Props;
    delete spec.policyTypes;
    spec.egress = [];
    expect(stackViolations(networkPolicyCoverage, s.all).map((v) => v.message)).toEqual([
      "Deployment shop/api: the NetworkPolicies selecting its pods (api) cover Ingress only, so they may reach every destination; add policyTypes: [Egress] to one of them (or a policy of its own) with the destinations it needs.",
    ]);
    spec.egress = [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "db" } } }] }];
    expect(stackViolations(networkPolicyCoverage, s.all)).toEqual([]);
  });

  it("report a workload isolated for egress only, and one covered by two policies in one direction each as isolated", () => {
    const s = stack();
    (s.netpol.props.spec as Props).policyTypes = ["Egress"];
    expect(stackViolations(networkPolicyCoverage, s.all)).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: the NetworkPolicies selecting its pods (api) cover Egress only, so every source may reach them; add policyTypes: [Ingress] to one of them (or a policy of its own) with the sources it needs." },
    ]);
    const ingressOnly = target("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "api-in", namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }, "api-in");
    expect(stackViolations(networkPolicyCoverage, [...s.all, ingressOnly])).toEqual([]);
  });

  it("report too few replicas, from the HPA when there is one", () => {
    const s = stack();
    ((s.deployment.props.spec as Props).replicas as unknown) = 1;
    expect(stackViolations(replicasMinimum, s.all)).toEqual([{ urn: s.deployment.urn, message: "Deployment shop/api: runs 1 replica; run at least 2 (spec.replicas) so one pod can fail." }]);
    delete (s.deployment.props.spec as Props).replicas;
    expect(stackViolations(replicasMinimum, [...s.all, hpa(1)])).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: runs 1 replica; run at least 2 (the HorizontalPodAutoscaler's minReplicas) so one pod can fail." },
    ]);
    expect(stackViolations(replicasMinimum, [...s.all, hpa(3)])).toEqual([]);
  });

  it("ask quorum systems for 3 replicas", () => {
    const kafka = target(STATEFULSET, { metadata: { name: "kafka", namespace: "data" }, spec: { replicas: 2, template: { metadata: { labels: { "app.kubernetes.io/name": "kafka" } } } } });
    expect(stackViolations(replicasMinimum, [kafka])).toEqual([{ urn: kafka.urn, message: "StatefulSet data/kafka: runs 2 replicas; run at least 3 (spec.replicas) so the quorum survives a lost member." }]);
    expect(stackViolations(replicasMinimum, [kafka], { quorumReplicas: 2 })).toEqual([]);
  });

  it("report a missing PDB and one that blocks drains", () => {
    const s = stack();
    expect(stackViolations(podDisruptionBudget, [s.deployment])).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: no PodDisruptionBudget selects its 3 replicas; add one with maxUnavailable: 1 so voluntary disruptions keep it serving." },
    ]);
    (s.pdb.props.spec as Props).maxUnavailable = undefined;
    (s.pdb.props.spec as Props).minAvailable = 3;
    expect(stackViolations(podDisruptionBudget, s.all)).toEqual([
      { urn: s.pdb.urn, message: "PodDisruptionBudget shop/api: allows no disruption for Deployment shop/api (minAvailable 3 of 3 replicas), so node drains block; use maxUnavailable: 1." },
    ]);
    (s.pdb.props.spec as Props).minAvailable = "50%";
    expect(stackViolations(podDisruptionBudget, s.all)).toEqual([]);
  });

  it("report replicas that may share a node", () => {
    const s = stack();
    delete pod(s.deployment.props).topologySpreadConstraints;
    expect(stackViolations(topologySpread, s.all)).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: its replicas may all land on one node; add topologySpreadConstraints (kubernetes.io/hostname) or podAntiAffinity." },
    ]);
  });

  it("report a spread constraint that selects other pods, or none", () => {
    const s = stack();
    const constraints = pod(s.deployment.props).topologySpreadConstraints as Props[];
    constraints[0].labelSelector = { matchLabels: { "app.kubernetes.io/name": "web" } };
    delete constraints[1].labelSelector;
    expect(stackViolations(topologySpread, s.all, { topologyKeys: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"] }).map((v) => v.message)).toEqual([
      "Deployment shop/api: its topologySpreadConstraints[0] (kubernetes.io/hostname) selects app.kubernetes.io/name=web, not its own pods (app.kubernetes.io/name=api, app.kubernetes.io/instance=api), so it does not spread them; select the pod template's labels.",
      "Deployment shop/api: its topologySpreadConstraints[1] (topology.kubernetes.io/zone) has no labelSelector (it counts no pods), so it does not spread them; select the pod template's labels.",
      "Deployment shop/api: spreads its pods over neither kubernetes.io/hostname nor topology.kubernetes.io/zone; add a topologySpreadConstraint (or podAntiAffinity term) for kubernetes.io/hostname and topology.kubernetes.io/zone that selects its pods, or a lost zone takes every replica.",
    ]);
  });

  it("ask for both zone and node spread when configured so, and accept anti-affinity for either", () => {
    const s = stack();
    const spec = pod(s.deployment.props);
    spec.topologySpreadConstraints = (spec.topologySpreadConstraints as Props[]).slice(0, 1);
    const both = { topologyKeys: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"] };
    expect(stackViolations(topologySpread, s.all, both).map((v) => v.message)).toEqual([
      "Deployment shop/api: spreads its pods over kubernetes.io/hostname but not topology.kubernetes.io/zone; add a topologySpreadConstraint (or podAntiAffinity term) for topology.kubernetes.io/zone that selects its pods, or a lost zone takes every replica.",
    ]);
    expect(stackViolations(topologySpread, s.all)).toEqual([]);
    spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api"] }] } } }] } };
    expect(stackViolations(topologySpread, s.all, both)).toEqual([]);
  });

  it("report a single missing key plainly", () => {
    const s = stack();
    pod(s.deployment.props).topologySpreadConstraints = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } }];
    expect(stackViolations(topologySpread, s.all).map((v) => v.message)).toEqual([
      "Deployment shop/api: spreads its pods over topology.kubernetes.io/zone but not kubernetes.io/hostname; add a topologySpreadConstraint (or podAntiAffinity term) for kubernetes.io/hostname that selects its pods, or a lost node takes every replica.",
    ]);
    pod(s.deployment.props).topologySpreadConstraints = [];
    pod(s.deployment.props).affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "other" } } }] } };
    expect(stackViolations(topologySpread, s.all).map((v) => v.message)).toEqual([
      "Deployment shop/api: its podAntiAffinity required term 1 (kubernetes.io/hostname) selects app=other, not its own pods (app.kubernetes.io/name=api, app.kubernetes.io/instance=api), so it does not spread them; select the pod template's labels.",
      "Deployment shop/api: does not spread its pods over kubernetes.io/hostname; add a topologySpreadConstraint (or podAntiAffinity term) for kubernetes.io/hostname that selects its pods, or a lost node takes every replica.",
    ]);
  });

  it("report an anti-affinity term that looks in another namespace", () => {
    const s = stack();
    const spec = pod(s.deployment.props);
    delete spec.topologySpreadConstraints;
    const term = (extra: Props) => ({ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: labels }, ...extra });
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ namespaces: ["other"] }), term({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } })] } };
    expect(stackViolations(topologySpread, s.all, { topologyKeys: ["kubernetes.io/hostname"] }).map((v) => v.message)).toEqual([
      "Deployment shop/api: its podAntiAffinity required term 1 (kubernetes.io/hostname) looks in namespaces other, not its own namespace shop, so it does not spread them; leave namespaces and namespaceSelector unset (its own namespace) or include it.",
    ]);
  });

  it("report an HPA's low minimum and a Deployment that fights its HPA", () => {
    const s = stack();
    const h = hpa(undefined);
    expect(stackViolations(hpaMinimum, [h])).toEqual([{ urn: h.urn, message: "HorizontalPodAutoscaler shop/api: minReplicas is unset, so it defaults to 1; set at least 2 so scaling down never leaves a single pod." }]);
    expect(stackViolations(hpaMinimum, [hpa(1)]).map((v) => v.message)).toEqual(["HorizontalPodAutoscaler shop/api: minReplicas is 1; set at least 2 so scaling down never leaves a single pod."]);
    expect(stackViolations(hpaOwnsReplicas, [...s.all, hpa(2)])).toEqual([
      { urn: s.deployment.urn, message: "Deployment shop/api: sets replicas: 3 while HorizontalPodAutoscaler shop/api scales it; remove spec.replicas, or every deploy resets the autoscaler's count." },
    ]);
  });

  it("require a headless Service for StatefulSets", () => {
    const sts = target(STATEFULSET, { metadata: { name: "pg", namespace: "db" }, spec: { serviceName: "pg-headless" } });
    const svc = (clusterIP?: string) => target(SERVICE, { metadata: { name: "pg-headless", namespace: "db" }, spec: { clusterIP } });
    expect(stackViolations(statefulSetHeadlessService, [sts, svc("None")])).toEqual([]);
    expect(stackViolations(statefulSetHeadlessService, [sts, svc()])).toEqual([{ urn: sts.urn, message: "StatefulSet db/pg: Service pg-headless is not headless; set its spec.clusterIP: None." }]);
    expect(stackViolations(statefulSetHeadlessService, [sts])).toEqual([
      { urn: sts.urn, message: "StatefulSet db/pg: its serviceName pg-headless names no Service in namespace db; create a headless Service (clusterIP: None) with that name." },
    ]);
  });
});
