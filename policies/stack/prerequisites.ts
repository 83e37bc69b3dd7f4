/**
 * What the target must already have before `pulumi up`, and what the checks could not decide:
 * ingress class, issuers and their solvers, storage classes, operators' CRDs, external objects,
 * user images, DNS names. Reported as advisory diagnostics `prerequisite: ...` and
 * `cannot decide: ...`; `keel check` prints them as their own section.
 */
import { CLUSTER_FACTS_SETTING, ClusterFacts } from "../lib/cluster-facts";
import { stackPolicy } from "../lib/define";
import { IMAGE_MANIFEST_SETTING, readImageManifest } from "../lib/image-manifest";
import { neededFlows } from "../lib/needed-flows";
import { arr, at, obj, str } from "../lib/props";
import { StackObjects } from "../lib/stack-objects";
import { unknownSummary, wholeStack } from "./whole-stack";

/** API groups whose kinds every cluster serves. */
const BUILT_IN_GROUPS = new Set(["core", "v1", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "certificates.k8s.io", "node.k8s.io"]);
const OPERATORS: Record<string, string> = { "cert-manager.io": "cert-manager", "monitoring.coreos.com": "the Prometheus operator", "kafka.strimzi.io": "Strimzi" };

function storageClasses(stack: StackObjects, facts: ClusterFacts, out: string[]): void {
  const made = new Set(stack.ofKind("StorageClass").map((s) => s.name));
  for (const sc of stack.ofKind("StorageClass")) {
    const provisioner = str(sc.props.provisioner);
    if (provisioner && !provisioner.startsWith("kubernetes.io/")) out.push(`prerequisite: the storage provisioner ${provisioner} (StorageClass ${sc.name})`);
  }
  const claims = [...stack.ofKind("PersistentVolumeClaim").map((c) => c.props), ...stack.workloads.flatMap((w) => arr(at(w.object.props, "spec.volumeClaimTemplates")).map(obj))];
  const named = new Set<string>();
  let usesDefault = false;
  for (const c of claims) {
    const sc = str(at(c, "spec.storageClassName"));
    if (sc === undefined) usesDefault = true;
    else if (sc !== "" && !made.has(sc)) named.add(sc);
  }
  const known = facts.storageClasses;
  for (const sc of [...named].sort()) {
    const state = known === undefined ? "not in the cluster facts: cannot tell whether the target has it" : known.names.includes(sc) ? `${facts.platform ?? "the platform"} provides it` : `the cluster facts do not list it (${known.names.join(", ") || "none"}): create it before pulumi up`;
    out.push(`prerequisite: StorageClass ${sc} (${state})`);
  }
  if (usesDefault) out.push(`prerequisite: a default StorageClass for claims that name none (${known?.default ? `the platform's default is ${known.default}` : "none is known"})`);
}

function operatorsAndIssuers(stack: StackObjects, facts: ClusterFacts, out: string[]): void {
  const kinds = new Map<string, Set<string>>();
  for (const o of stack.objects) {
    const group = (str(o.props.apiVersion) ?? "").split("/")[0];
    if (!group || !(str(o.props.apiVersion) ?? "").includes("/") || BUILT_IN_GROUPS.has(group)) continue;
    kinds.set(group, (kinds.get(group) ?? new Set()).add(o.kind));
  }
  for (const [group, set] of [...kinds].sort()) out.push(`prerequisite: the CRDs of ${OPERATORS[group] ?? group} (${[...set].sort().join(", ")})`);
  const issuers = new Map<string, string>();
  for (const ing of stack.ofKind("Ingress")) {
    const a = obj(at(ing.props, "metadata.annotations"));
    const ci = str(a["cert-manager.io/cluster-issuer"]);
    const i = str(a["cert-manager.io/issuer"]);
    if (ci && !stack.get("ClusterIssuer", "", ci)) issuers.set(`ClusterIssuer ${ci}`, facts.issuers?.find((x) => x.kind === "ClusterIssuer" && x.name === ci)?.solver ?? "solver unknown");
    if (i && !stack.get("Issuer", ing.namespace, i)) issuers.set(`Issuer ${ing.namespace}/${i}`, facts.issuers?.find((x) => x.kind === "Issuer" && x.name === i)?.solver ?? "solver unknown");
  }
  for (const [issuer, solver] of [...issuers].sort()) out.push(`prerequisite: cert-manager ${issuer} (${solver})`);
  const classes = new Set(stack.ofKind("Ingress").map((i) => str(at(i.props, "spec.ingressClassName")) ?? "(the cluster's default class)"));
  for (const c of [...classes].sort()) {
    const ic = facts.ingressController;
    out.push(`prerequisite: IngressClass ${c} served by an ingress controller${ic ? ` (namespace ${ic.namespace}, pods ${Object.entries(ic.podLabels).map(([k, v]) => `${k}=${v}`).join(",")})` : ""}`);
  }
  const hosts = new Set(stack.ofKind("Ingress").flatMap((i) => arr(at(i.props, "spec.rules")).map((r) => str(obj(r).host)).filter((h): h is string => !!h)));
  for (const h of [...hosts].sort()) out.push(`prerequisite: DNS name ${h} pointing at the ingress controller's load balancer`);
}

export const stackPrerequisites = stackPolicy({
  name: "stack-prerequisites",
  description: "Lists what the target must already have (classes, issuers, CRDs, external objects, user images, DNS names) and what could not be decided.",
  enforcementLevel: "advisory",
  config: { ...CLUSTER_FACTS_SETTING, ...IMAGE_MANIFEST_SETTING },
  check(resources, report, config) {
    const w = wholeStack(resources, config);
    const { stack, facts } = w;
    const out: string[] = [];
    operatorsAndIssuers(stack, facts, out);
    storageClasses(stack, facts, out);
    for (const e of facts.external ?? []) out.push(`prerequisite: ${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name}${e.keys?.length ? ` with keys ${e.keys.join(", ")}` : ""} (external: ${e.reason})`);
    const manifest = readImageManifest(config.images);
    const images = new Set(stack.workloads.flatMap((x) => [...arr(x.podSpec.initContainers), ...arr(x.podSpec.containers)].map((c) => str(obj(c).image)).filter((i): i is string => !!i)));
    for (const image of [...images].sort()) {
      if (manifest.has(image)) continue;
      const declared = facts.userImages?.find((u) => u.reference === image);
      out.push(`prerequisite: image ${image} (${declared ? `user-provided: ${declared.reason}` : "not one of keel's images"}; keel cannot verify offline that it exists or what it contains)`);
    }
    if (!facts.networkPolicy) out.push("cannot decide: whether the CNI enforces NetworkPolicies (cluster fact networkPolicy); without enforcement the stack's isolation does not hold");
    else if (!facts.networkPolicy.enforced) out.push(`prerequisite: a CNI that enforces NetworkPolicies: ${facts.platform ?? "the target"} does not, so every pod can reach every other`);
    for (const u of neededFlows(stack, facts).undecided) out.push(`cannot decide: ${u}`);
    const unknown = unknownSummary(w);
    if (unknown) out.push(`cannot decide: ${unknown}`);
    for (const line of out) report("", line);
  },
});
