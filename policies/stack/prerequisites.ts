/**
 * What the target must already have before `pulumi up`, and what the checks could not decide:
 * ingress class, issuers and their solvers, storage classes, operators' CRDs, external objects,
 * user images, DNS names, a service mesh's control plane, the metrics APIs HPAs read. Reported
 * as advisory diagnostics `prerequisite: ...` and `cannot decide: ...`; `keel check` prints them
 * as their own section.
 */
import { CLUSTER_FACTS_SETTING, ClusterFacts, InstalledSoftwareFact } from "../lib/cluster-facts";
import { ISTIO_PORTS } from "../lib/istio";
import { stackPolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { IMAGE_MANIFEST_SETTING, readImageManifest } from "../lib/image-manifest";
import { hasSidecar, neededFlows } from "../lib/needed-flows";
import { arr, at, obj, str } from "../lib/props";
import { StackObjects, describeObject } from "../lib/stack-objects";
import { parseQuantity } from "../kubernetes/resources";
import { unknownSummary, wholeStack } from "./whole-stack";

/** API groups whose kinds every cluster serves. */
const BUILT_IN_GROUPS = new Set(["core", "v1", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "certificates.k8s.io", "node.k8s.io"]);
const OPERATORS: Record<string, string> = { "cert-manager.io": "cert-manager", "monitoring.coreos.com": "the Prometheus operator", "kafka.strimzi.io": "Strimzi", "security.istio.io": "Istio security.istio.io", "external-secrets.io": "the External Secrets Operator" };

const OPAQUE = { helm: "what a Helm release installs is not checked by the pack", "eks-addon": "what an EKS add-on installs is not checked by the pack" };

/** The release the cluster facts say provides `what` ("IngressClass nginx", "metrics.k8s.io", ...). */
function installedFor(facts: ClusterFacts, what: string): InstalledSoftwareFact | undefined {
  return facts.installed?.find((i) => i.provides.includes(what));
}

const releaseText = (i: InstalledSoftwareFact) => (i.kind === "eks-addon" ? `EKS add-on ${i.name} ${i.version}` : `Helm release ${i.name}, chart ${i.chart} ${i.version}`);

/** " (installed by the platform: Helm release ..., chart ...; ...)", or "" when no release provides it. */
function installedNote(facts: ClusterFacts, what: string): string {
  const i = installedFor(facts, what);
  return i ? ` (installed by the platform: ${releaseText(i)}; ${OPAQUE[i.kind ?? "helm"]})` : "";
}

/** The DNS domain an installed external-dns publishes `host` under (the longest filter that covers it). */
function publishedBy(facts: ClusterFacts, host: string): { release: InstalledSoftwareFact; domain: string } | undefined {
  const prefix = "DNS names under ";
  const found = (facts.installed ?? []).flatMap((release) => release.provides.filter((p) => p.startsWith(prefix)).map((p) => ({ release, domain: p.slice(prefix.length).toLowerCase() })));
  const name = host.toLowerCase();
  return found.filter((f) => name === f.domain || name.endsWith(`.${f.domain}`)).sort((a, b) => b.domain.length - a.domain.length)[0];
}

function storageClasses(stack: StackObjects, facts: ClusterFacts, out: string[]): void {
  const made = new Set(stack.ofKind("StorageClass").map((s) => s.name));
  for (const sc of stack.ofKind("StorageClass")) {
    const provisioner = str(sc.props.provisioner);
    if (provisioner && !provisioner.startsWith("kubernetes.io/")) out.push(`prerequisite: the storage provisioner ${provisioner} (StorageClass ${sc.name})${installedNote(facts, `storage provisioner ${provisioner}`)}`);
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
  for (const [group, set] of [...kinds].sort()) out.push(`prerequisite: the CRDs of ${OPERATORS[group] ?? group} (${[...set].sort().join(", ")})${installedNote(facts, `${OPERATORS[group] ?? group} CRDs`)}`);
  const issuers = new Map<string, string>();
  for (const ing of stack.ofKind("Ingress")) {
    const a = obj(at(ing.props, "metadata.annotations"));
    const ci = str(a["cert-manager.io/cluster-issuer"]);
    const i = str(a["cert-manager.io/issuer"]);
    if (ci && !stack.get("ClusterIssuer", "", ci)) issuers.set(`ClusterIssuer ${ci}`, facts.issuers?.find((x) => x.kind === "ClusterIssuer" && x.name === ci)?.solver ?? "solver unknown");
    if (i && !stack.get("Issuer", ing.namespace, i)) issuers.set(`Issuer ${ing.namespace}/${i}`, facts.issuers?.find((x) => x.kind === "Issuer" && x.name === i)?.solver ?? "solver unknown");
  }
  for (const [issuer, solver] of [...issuers].sort()) out.push(`prerequisite: cert-manager ${issuer} (${solver})${installedNote(facts, issuer)}`);
  const classes = new Set(stack.ofKind("Ingress").map((i) => str(at(i.props, "spec.ingressClassName")) ?? "(the cluster's default class)"));
  for (const c of [...classes].sort()) {
    const ic = facts.ingressController;
    out.push(`prerequisite: IngressClass ${c} served by an ingress controller${ic ? ` (namespace ${ic.namespace}, pods ${Object.entries(ic.podLabels).map(([k, v]) => `${k}=${v}`).join(",")})` : ""}${installedNote(facts, `IngressClass ${c}`)}`);
  }
  const hosts = new Set(stack.ofKind("Ingress").flatMap((i) => arr(at(i.props, "spec.rules")).map((r) => str(obj(r).host)).filter((h): h is string => !!h)));
  for (const h of [...hosts].sort()) {
    const dns = publishedBy(facts, h);
    out.push(`prerequisite: DNS name ${h} pointing at the ingress controller's load balancer${dns ? ` (external-dns publishes it: ${releaseText(dns.release)}, domain filter ${dns.domain}; ${OPAQUE.helm})` : ""}`);
  }
}

/** Istio's control plane, CNI agent and injection webhook, for the meshed namespaces the facts name. */
function mesh(stack: StackObjects, facts: ClusterFacts, out: string[]): void {
  const m = facts.mesh;
  if (!m) return;
  const namespaces = m.namespaces.join(", ");
  const pods = Object.entries(m.istiodLabels).map(([k, v]) => `${k}=${v}`).join(",");
  const injection = m.revision !== undefined ? `istio.io/rev=${m.revision}` : "istio-injection=enabled";
  out.push(`prerequisite: Istio's istiod in namespace ${m.namespace} (pods ${pods}${m.revision !== undefined ? `, revision ${m.revision}` : ""}), serving the sidecars of namespaces ${namespaces} on 15012 (xDS and certificates)`);
  out.push(
    m.cni
      ? "prerequisite: the Istio CNI node agent (istio-cni DaemonSet): it redirects the meshed pods' traffic, so they carry the unprivileged istio-validation init container that Pod Security restricted admits"
      : "prerequisite: Pod Security privileged in the meshed namespaces: without the Istio CNI node agent every injected pod carries istio-init (root, NET_ADMIN, NET_RAW), which baseline and restricted refuse",
  );
  out.push(`prerequisite: Istio's sidecar injection webhook (istiod port ${ISTIO_PORTS.webhook}) reachable from the API server, for the namespaces labelled ${injection} (${namespaces})`);
  const ic = facts.ingressController;
  if (ic && m.namespaces.includes(ic.namespace) && !m.ingressControllerInMesh) {
    out.push(`prerequisite: the ingress controller's pods (namespace ${ic.namespace}) opt out of sidecar injection (label sidecar.istio.io/inject: "false"): their namespace is meshed, and the cluster facts place the controller outside the mesh`);
  }
  if (ic && m.ingressControllerInMesh) {
    out.push(`prerequisite: the ingress controller (namespace ${ic.namespace}) runs with an Istio sidecar and proxies to Services, not pod addresses (ingress-nginx: service-upstream and upstream-vhost on the Ingresses of meshed backends), else its sidecar sends plaintext that STRICT mTLS refuses`);
  }
  // Classic sidecars: a Job's pod never finishes (the proxy keeps running), and init containers run
  // before the proxy while the CNI plugin already redirects their traffic to it. Native sidecars
  // start the proxy first, and stop it when the Job's containers are done.
  const meshed = stack.workloads.filter((w) => hasSidecar(m, w));
  const jobs = meshed.filter((w) => w.object.kind === "Job" || w.object.kind === "CronJob").map((w) => w.group.id);
  const inits = meshed.filter((w) => arr(w.podSpec.initContainers).some((c) => obj(c).restartPolicy !== "Always")).map((w) => w.group.id);
  const why = [...(jobs.length ? [`the pods of ${jobs.join(", ")} never finish`] : []), ...(inits.length ? [`the init containers of ${inits.join(", ")} have no network (the CNI plugin sends their traffic to a proxy not started yet)`] : [])];
  if (why.length) {
    out.push(`prerequisite: native sidecars in the meshed namespaces (Kubernetes 1.29+; Istio's ENABLE_NATIVE_SIDECARS, on by default since Istio 1.27): with a classic sidecar ${why.join(", and ")}; or label those pods sidecar.istio.io/inject: "false"`);
  }
}

const METRICS_APIS = {
  custom: { group: "custom.metrics.k8s.io", what: "a custom metrics adapter", example: "prometheus-adapter" },
  external: { group: "external.metrics.k8s.io", what: "an external metrics adapter", example: "KEDA or prometheus-adapter" },
} as const;

/** The aggregated metrics APIs the stack's HPAs read: metrics-server for cpu/memory, adapters for the rest. */
function metricsApis(stack: StackObjects, facts: ClusterFacts, out: string[]): void {
  const resource: string[] = [];
  const named = { custom: new Map<string, string[]>(), external: new Map<string, string[]>() };
  for (const hpa of stack.ofKind("HorizontalPodAutoscaler")) {
    const id = `${hpa.namespace}/${hpa.name}`;
    const spec = obj(hpa.props.spec);
    const metrics = arr(spec.metrics).map(obj);
    // autoscaling/v1 (targetCPUUtilizationPercentage) and a v2 HPA without metrics scale on cpu.
    if (metrics.length === 0 || metrics.some((m) => m.type === "Resource" || m.type === "ContainerResource")) resource.push(id);
    for (const m of metrics) {
      const api = m.type === "External" ? "external" : m.type === "Pods" || m.type === "Object" ? "custom" : undefined;
      const name = api && str(at(m, `${String(m.type).toLowerCase()}.metric.name`));
      if (!api || !name) continue;
      const users = named[api].get(name) ?? [];
      if (!users.includes(id)) users.push(id);
      named[api].set(name, users);
    }
  }
  // An installed release says which one serves the API; else the metricsApis fact, if it says so.
  const provided = (group: string, stated: boolean | undefined) => installedNote(facts, group) || (stated === true ? " (the platform provides it)" : "");
  if (resource.length) out.push(`prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA ${resource.join(", ")}${provided("metrics.k8s.io", facts.metricsApis?.resource)}`);
  for (const api of ["custom", "external"] as const) {
    if (named[api].size === 0) continue;
    const a = METRICS_APIS[api];
    const list = [...named[api]].map(([name, users]) => `${name} (HPA ${users.join(", ")})`).join(", ");
    out.push(`prerequisite: ${a.what} serving ${a.group}${provided(a.group, facts.metricsApis?.[api]) || ` (e.g. ${a.example})`} with the metrics ${list}`);
  }
}

/** DaemonSets that need this much on every node are named: their pods run on each one, and a node short of it leaves one Pending. */
const LARGE_PER_NODE = { cpu: 1, memory: 2 * 2 ** 30, ephemeral: 10 * 2 ** 30 };

function formatAmount(value: number, binary: boolean): string {
  if (!binary) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  const gi = value / 2 ** 30;
  return gi >= 1 ? `${Math.round(gi * 100) / 100}Gi` : `${Math.round(value / 2 ** 20)}Mi`;
}

function perNodeRoom(stack: StackObjects, out: string[]): void {
  for (const w of stack.workloads.filter((x) => x.object.kind === "DaemonSet")) {
    const total = { cpu: 0, memory: 0, ephemeral: 0 };
    for (const c of arr(w.podSpec.containers)) {
      const requests = obj(at(c, "resources.requests"));
      total.cpu += parseQuantity(requests.cpu) ?? 0;
      total.memory += parseQuantity(requests.memory) ?? 0;
      total.ephemeral += parseQuantity(requests["ephemeral-storage"]) ?? 0;
    }
    if (total.cpu < LARGE_PER_NODE.cpu && total.memory < LARGE_PER_NODE.memory && total.ephemeral < LARGE_PER_NODE.ephemeral) continue;
    out.push(`prerequisite: room on every node for ${describeObject(w.object)}: ${formatAmount(total.cpu, false)} CPU, ${formatAmount(total.memory, true)} memory and ${formatAmount(total.ephemeral, true)} ephemeral storage (the node's disk) requested by its pod on each node; a node short of them leaves its pod Pending`);
  }
}

/** Where `pulumi up` must run from to reach each EKS cluster's API endpoint (the stack's Kubernetes objects and Helm releases go through it). */
function eksEndpoints(resources: readonly Target[], out: string[]): void {
  for (const c of resources.filter((r) => r.type === "aws:eks/cluster:Cluster")) {
    const vpc = obj(c.props.vpcConfig);
    const name = str(c.props.name) ?? c.name;
    const cidrs = arr(vpc.publicAccessCidrs).map(String);
    if (vpc.endpointPublicAccess === false) out.push(`prerequisite: pulumi and kubectl run where the private API endpoint of EKS cluster ${name} is reachable (inside its VPC: a runner in its private subnets, a VPN or a peered network); the stack's Kubernetes objects and Helm releases are created through it`);
    else if (cidrs.length > 0) out.push(`prerequisite: pulumi and kubectl run from ${cidrs.join(", ")} (or inside the VPC): the API endpoint of EKS cluster ${name} admits only these networks, and the stack's Kubernetes objects and Helm releases are created through it`);
  }
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
    perNodeRoom(stack, out);
    mesh(stack, facts, out);
    metricsApis(stack, facts, out);
    eksEndpoints(resources, out);
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
