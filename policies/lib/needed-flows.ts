/**
 * The flows a stack needs to come up, derived from the stack and the cluster facts: cluster DNS
 * from every pod; the ingress controller to every Ingress backend and to cert-manager's HTTP-01
 * solver pods where an ACME HTTP-01 issuer is asked for a certificate; Prometheus to every
 * scrape target; every client to every host its configuration names (connections, peers of a
 * cluster, config files); the API server for pods that mount a token on purpose; in an Istio
 * mesh, every sidecar to istiod and Prometheus to the sidecars' merged metrics, and no plaintext
 * client outside the mesh into a port STRICT mutual TLS closes to it.
 * What cannot be decided for lack of a fact is returned as such, never dropped.
 */
import type { ClusterFacts, IssuerSolver, MeshFact } from "./cluster-facts";
import { ISTIO_PORTS } from "./istio";
import { labelsOf } from "./kubernetes";
import type { Endpoint, PodGroup, Protocol } from "./network-model";
import { arr, at, num, obj, str } from "./props";
import { StackObject, StackObjects, WorkloadEntry, describeObject } from "./stack-objects";
import { configTexts, hostReferences } from "./text-references";

export interface PortChoice {
  readonly port: number;
  readonly protocol: Protocol;
}

export interface NeededFlow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** The flow works when any one of these is allowed (usually one). */
  readonly ports: readonly PortChoice[];
  /** Why it is needed: `env DATABASE_URL`, `cluster DNS`, `Ingress req1/api`. */
  readonly why: string;
  /** The resource a blocked flow is reported on (the workload that needs it, or the Ingress). */
  readonly urn: string;
}

/** A reference that cannot work whatever the policies say (a port the Service does not expose). */
export interface BrokenReference {
  readonly urn: string;
  readonly message: string;
}

export interface FlowAnalysis {
  readonly flows: readonly NeededFlow[];
  readonly broken: readonly BrokenReference[];
  /** What could not be decided, and which fact is missing. */
  readonly undecided: readonly string[];
}

export const ACME_SOLVER_LABEL = "acme.cert-manager.io/http01-solver";
export const ACME_SOLVER_PORT = 8089;

const TCP = (port: number): PortChoice[] => [{ port, protocol: "TCP" }];

/** Inbound ports the sidecar never captures (agent, health, Envoy's stats): mTLS modes do not apply. */
const UNCAPTURED = new Set<number>([ISTIO_PORTS.agent, ISTIO_PORTS.health, ISTIO_PORTS.envoyStats]);
/** Go's strconv.ParseBool false values: how Istio's injector reads the prometheus.io annotations. */
const GO_FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** The pod gets Istio's sidecar: a meshed namespace, not the host network, no `sidecar.istio.io/inject: "false"` (label over annotation). */
export function hasSidecar(mesh: MeshFact | undefined, w: WorkloadEntry): boolean {
  if (!mesh || w.group.hostNetwork || !mesh.namespaces.includes(w.object.namespace)) return false;
  return (str(obj(w.podMetadata.labels)["sidecar.istio.io/inject"]) ?? str(obj(w.podMetadata.annotations)["sidecar.istio.io/inject"])) !== "false";
}

/** Istio's injector rewrites the prometheus.io annotations to its agent (15020, app and Envoy metrics merged) unless scraping or merging is off. */
function mergedMetrics(w: WorkloadEntry): boolean {
  const a = obj(w.podMetadata.annotations);
  return !GO_FALSE.has(str(a["prometheus.io/scrape"]) ?? "") && !GO_FALSE.has(str(a["prometheus.istio.io/merge-metrics"]) ?? "");
}

function externalGroup(id: string, namespace: string, labels: Record<string, string>, ports: PodGroup["ports"] = []): PodGroup {
  return { id, namespace, labels, ports };
}

/**
 * The pods of a component the facts name (ingress controller, Prometheus, DNS): the stack's when it
 * runs them; none when the facts place them in a namespace the stack creates but the stack does
 * not run them (nothing else runs there); else one group outside the stack.
 */
function groupsFor(stack: StackObjects, namespace: string, labels: Record<string, string>, outsideId: string, ports: PodGroup["ports"] = []): PodGroup[] {
  const inStack = stack.workloadsSelectedBy(namespace, labels).map((w) => w.group);
  if (inStack.length) return inStack;
  return stack.get("Namespace", "", namespace) ? [] : [externalGroup(outsideId, namespace, labels, ports)];
}

/** A Service port (by number or name) to each selected workload's container port. */
function serviceTargets(stack: StackObjects, ns: string, name: string, port: number | string | undefined): { targets: { w: WorkloadEntry; ports: PortChoice[] }[]; problem?: string } {
  const svc = stack.services.get(`${ns}/${name}`);
  if (!svc) return { targets: [], problem: `Service ${ns}/${name} does not exist in the stack` };
  if (!svc.selector) return { targets: [] };
  const chosen = port === undefined ? svc.ports : svc.ports.filter((p) => (typeof port === "number" ? p.port === port : p.name === port));
  if (chosen.length === 0) return { targets: [], problem: `Service ${ns}/${name} has no port ${port} (ports: ${svc.ports.map((p) => (p.name ? `${p.name}=${p.port}` : p.port)).join(", ") || "none"})` };
  const targets = stack.workloadsSelectedBy(ns, svc.selector).map((w) => ({
    w,
    ports: chosen.flatMap((p) => {
      if (typeof p.targetPort === "number") return [{ port: p.targetPort, protocol: p.protocol }];
      if (/^\d+$/.test(p.targetPort)) return [{ port: Number(p.targetPort), protocol: p.protocol }];
      const named = w.group.ports.find((c) => c.name === p.targetPort && c.protocol === p.protocol);
      return named ? [{ port: named.port, protocol: p.protocol }] : [];
    }),
  }));
  return { targets };
}

function clientFlows(stack: StackObjects, w: WorkloadEntry, out: { flows: NeededFlow[]; broken: BrokenReference[] }): void {
  const ns = w.object.namespace;
  const seen = new Set<string>();
  for (const source of configTexts(stack, w)) {
    for (const ref of hostReferences(source)) {
      const resolved = stack.resolveHost(ref.host, ns);
      if (!resolved || !resolved.service.selector) continue;
      const svc = resolved.service;
      const key = `${svc.object.namespace}/${svc.object.name}/${resolved.pod ?? ""}/${ref.port ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let targets: { w: WorkloadEntry; ports: PortChoice[] }[];
      if (resolved.pod) {
        // A pod's own name: the port is the container's.
        targets = stack.workloadsSelectedBy(svc.object.namespace, svc.selector ?? {}).map((t) => ({
          w: t,
          ports: ref.port !== undefined ? [{ port: ref.port, protocol: t.group.ports.find((p) => p.port === ref.port)?.protocol ?? "TCP" }] : t.group.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
        }));
      } else {
        const r = serviceTargets(stack, svc.object.namespace, svc.object.name, ref.port);
        if (r.problem && ref.port !== undefined) {
          out.broken.push({ urn: w.object.urn, message: `${w.group.id}: ${ref.where} names ${ref.host}:${ref.port}, but ${r.problem}; connections there fail whatever the NetworkPolicies allow.` });
          continue;
        }
        targets = r.targets;
      }
      for (const t of targets) {
        if (t.w === w && !w.replicated) continue; // a single pod reaching itself is never filtered
        if (t.ports.length === 0) continue;
        out.flows.push({ from: { pods: w.group }, to: { pods: t.w.group }, ports: t.ports, why: `${ref.where} -> ${ref.host}${ref.port !== undefined ? `:${ref.port}` : ""}`, urn: w.object.urn });
      }
    }
  }
}

function issuerSolver(stack: StackObjects, facts: ClusterFacts, kind: "ClusterIssuer" | "Issuer", name: string, namespace: string): IssuerSolver | undefined {
  const o = stack.get(kind, kind === "Issuer" ? namespace : "", name);
  if (o) {
    const spec = obj(o.props.spec);
    if (spec.acme !== undefined) return arr(obj(spec.acme).solvers).some((s) => obj(s).http01 !== undefined) ? "http01" : "dns01";
    if (spec.ca !== undefined) return "ca";
    if (spec.selfSigned !== undefined) return "selfSigned";
    if (spec.vault !== undefined) return "vault";
    return "other";
  }
  return facts.issuers?.find((i) => i.kind === kind && i.name === name && (kind === "ClusterIssuer" || i.namespace === namespace))?.solver;
}

/** Ingress controller to backends, and to the ACME HTTP-01 solver pods where needed. */
function ingressFlows(stack: StackObjects, facts: ClusterFacts, out: { flows: NeededFlow[]; broken: BrokenReference[]; undecided: string[] }): void {
  const ingresses = stack.ofKind("Ingress");
  const certificates = stack.ofKind("Certificate");
  if (ingresses.length === 0 && certificates.length === 0) return;
  const ic = facts.ingressController;
  if (!ic) {
    out.undecided.push(`flows from the ingress controller to ${ingresses.length} Ingress backend(s): the cluster fact ingressController (namespace and pod labels) is missing`);
    return;
  }
  const controllers = groupsFor(stack, ic.namespace, ic.podLabels, `the ingress controller (namespace ${ic.namespace})`);
  const solverNamespaces = new Map<string, string>();
  for (const ing of ingresses) {
    const spec = obj(ing.props.spec);
    const className = str(spec.ingressClassName);
    if (className && ic.className && className !== ic.className) {
      out.undecided.push(`flows to the backends of ${describeObject(ing)}: its class ${className} is not the class of the controller the facts describe (${ic.className})`);
      continue;
    }
    const backends = [obj(spec.defaultBackend), ...arr(spec.rules).flatMap((r) => arr(obj(obj(r).http).paths).map((p) => obj(obj(p).backend)))];
    for (const b of backends) {
      const svc = obj(b.service);
      const name = str(svc.name);
      if (!name) continue;
      const port = num(obj(svc.port).number) ?? str(obj(svc.port).name);
      const r = serviceTargets(stack, ing.namespace, name, port);
      for (const t of r.targets) {
        for (const from of controllers) out.flows.push({ from: { pods: from }, to: { pods: t.w.group }, ports: t.ports, why: `${describeObject(ing)} backend ${name}:${port}`, urn: ing.urn });
      }
    }
    const annotations = obj(at(ing.props, "metadata.annotations"));
    const clusterIssuer = str(annotations["cert-manager.io/cluster-issuer"]);
    const issuer = str(annotations["cert-manager.io/issuer"]);
    if ((clusterIssuer || issuer) && arr(spec.tls).length > 0) {
      const kind = clusterIssuer ? "ClusterIssuer" : "Issuer";
      const solver = issuerSolver(stack, facts, kind, (clusterIssuer ?? issuer) as string, ing.namespace);
      if (solver === undefined) out.undecided.push(`whether ${describeObject(ing)} needs the ingress controller to reach an HTTP-01 solver: ${kind} ${clusterIssuer ?? issuer} is neither in the stack nor in the cluster facts (issuers)`);
      else if (solver === "http01") solverNamespaces.set(ing.namespace, ing.urn);
    }
  }
  for (const cert of certificates) {
    const ref = obj(at(cert.props, "spec.issuerRef"));
    const kind = ref.kind === "ClusterIssuer" ? "ClusterIssuer" : "Issuer";
    const name = str(ref.name);
    if (name && issuerSolver(stack, facts, kind, name, cert.namespace) === "http01") solverNamespaces.set(cert.namespace, cert.urn);
  }
  for (const [ns, urn] of solverNamespaces) {
    const solver = externalGroup(`cert-manager's HTTP-01 solver pods (namespace ${ns})`, ns, { [ACME_SOLVER_LABEL]: "true" }, [{ name: "http", port: ACME_SOLVER_PORT, protocol: "TCP" }]);
    for (const from of controllers) out.flows.push({ from: { pods: from }, to: { pods: solver }, ports: TCP(ACME_SOLVER_PORT), why: "ACME HTTP-01 challenge", urn });
  }
}

/** Prometheus to annotated pods and Services, ServiceMonitors and PodMonitors. */
function scrapeFlows(stack: StackObjects, facts: ClusterFacts, out: { flows: NeededFlow[]; undecided: string[] }): void {
  // A meshed pod's annotations are rewritten to its sidecar's agent: meshFlows scrapes 15020 instead.
  const annotated = stack.workloads.filter((w) => obj(w.podMetadata.annotations)["prometheus.io/scrape"] === "true" && !(hasSidecar(facts.mesh, w) && mergedMetrics(w)));
  const services = [...stack.services.values()].filter((s) => obj(at(s.object.props, "metadata.annotations"))["prometheus.io/scrape"] === "true");
  const monitors = stack.ofKind("ServiceMonitor", "PodMonitor");
  if (annotated.length + services.length + monitors.length === 0) return;
  const p = facts.prometheus;
  if (!p) {
    out.undecided.push(`flows from Prometheus to ${annotated.length + services.length + monitors.length} scrape target(s): the cluster fact prometheus (namespace and pod labels) is missing`);
    return;
  }
  const scrapers = groupsFor(stack, p.namespace, p.podLabels, `Prometheus (namespace ${p.namespace})`);
  if (scrapers.length === 0) {
    out.undecided.push(`scraping of ${annotated.length + services.length + monitors.length} target(s): no Prometheus runs in namespace ${p.namespace}, which the stack creates (add an ObservabilityStack, or point the platform's monitoring facts at the Prometheus that scrapes them)`);
    return;
  }
  const add = (w: WorkloadEntry, ports: PortChoice[], why: string) => {
    if (ports.length === 0) return;
    for (const from of scrapers) if (from !== w.group || w.replicated) out.flows.push({ from: { pods: from }, to: { pods: w.group }, ports, why, urn: w.object.urn });
  };
  for (const w of annotated) {
    const port = Number(obj(w.podMetadata.annotations)["prometheus.io/port"]);
    add(w, Number.isInteger(port) && port > 0 ? TCP(port) : w.group.ports.filter((x) => x.protocol === "TCP").map((x) => ({ port: x.port, protocol: x.protocol })), "scrape (prometheus.io/scrape annotation)");
  }
  for (const s of services) {
    const port = Number(obj(at(s.object.props, "metadata.annotations"))["prometheus.io/port"]);
    for (const t of serviceTargets(stack, s.object.namespace, s.object.name, undefined).targets) add(t.w, Number.isInteger(port) && port > 0 ? TCP(port) : t.ports, `scrape (${describeObject(s.object)} annotation)`);
  }
  for (const m of monitors) {
    const spec = obj(m.props.spec);
    const nsSel = obj(spec.namespaceSelector);
    const namespaces = nsSel.any === true ? [...stack.namespaces] : arr(nsSel.matchNames).length ? arr(nsSel.matchNames).map(String) : [m.namespace];
    const selector = Object.fromEntries(Object.entries(obj(obj(spec.selector).matchLabels)).map(([k, v]) => [k, String(v)]));
    if (m.kind === "ServiceMonitor") {
      for (const s of [...stack.services.values()].filter((x) => namespaces.includes(x.object.namespace) && Object.entries(selector).every(([k, v]) => obj(at(x.object.props, "metadata.labels"))[k] === v))) {
        for (const e of arr(spec.endpoints).map(obj)) {
          const port = str(e.port) ?? num(e.targetPort) ?? str(e.targetPort);
          for (const t of serviceTargets(stack, s.object.namespace, s.object.name, typeof port === "string" && e.port === undefined ? undefined : port).targets) add(t.w, t.ports, `scrape (${describeObject(m)})`);
        }
      }
    } else {
      for (const ns of namespaces) {
        for (const w of stack.workloadsSelectedBy(ns, selector)) {
          for (const e of arr(spec.podMetricsEndpoints).map(obj)) {
            const name = str(e.port);
            const ports = name ? w.group.ports.filter((x) => x.name === name) : num(e.portNumber) ? [{ port: num(e.portNumber) as number, protocol: "TCP" as const }] : w.group.ports;
            add(w, ports.map((x) => ({ port: x.port, protocol: x.protocol })), `scrape (${describeObject(m)})`);
          }
        }
      }
    }
  }
}

/** Every sidecar reaches istiod (xDS and certificates: without them the pod never becomes ready); Prometheus scrapes the merged metrics. */
function meshFlows(stack: StackObjects, facts: ClusterFacts, out: { flows: NeededFlow[]; undecided: string[] }): void {
  const mesh = facts.mesh;
  const meshed = stack.workloads.filter((w) => hasSidecar(mesh, w));
  if (!mesh || meshed.length === 0) return;
  const istiod = groupsFor(stack, mesh.namespace, mesh.istiodLabels, `istiod (namespace ${mesh.namespace})`, [{ name: "tls-xds", port: ISTIO_PORTS.xds, protocol: "TCP" }]);
  for (const w of meshed) for (const to of istiod) out.flows.push({ from: { pods: w.group }, to: { pods: to }, ports: TCP(ISTIO_PORTS.xds), why: `Istio sidecar xDS (${ISTIO_PORTS.xds})`, urn: w.object.urn });
  const merged = meshed.filter(mergedMetrics);
  if (merged.length === 0) return;
  const p = facts.prometheus;
  if (!p) {
    out.undecided.push(`flows from Prometheus to the Istio sidecars' merged metrics (${ISTIO_PORTS.agent}) of ${merged.length} workload(s): the cluster fact prometheus (namespace and pod labels) is missing`);
    return;
  }
  const scrapers = groupsFor(stack, p.namespace, p.podLabels, `Prometheus (namespace ${p.namespace})`);
  for (const w of merged) for (const from of scrapers) out.flows.push({ from: { pods: from }, to: { pods: w.group }, ports: TCP(ISTIO_PORTS.agent), why: `Istio merged metrics (${ISTIO_PORTS.agent})`, urn: w.object.urn });
}

/**
 * The PeerAuthentication that makes a meshed pod's port STRICT (only mTLS), if the stack's do:
 * the workload's (selector) port-level mode, then its own mode, then the namespace's (no
 * selector); UNSET inherits. The mesh-wide one (Istio's root namespace) is outside the stack.
 */
function strictBy(peerAuthentications: readonly StackObject[], g: PodGroup, port: number): StackObject | undefined {
  const here = peerAuthentications.filter((o) => o.namespace === g.namespace);
  const selector = (o: StackObject) => labelsOf(at(o.props, "spec.selector.matchLabels"));
  const mode = (m: unknown) => (str(obj(m).mode) === "UNSET" ? undefined : str(obj(m).mode));
  const workload = here.find((o) => Object.keys(selector(o)).length > 0 && Object.entries(selector(o)).every(([k, v]) => g.labels[k] === v));
  const namespaceWide = here.find((o) => Object.keys(selector(o)).length === 0);
  const steps: [StackObject | undefined, string | undefined][] = [
    [workload, mode(obj(at(workload?.props, "spec.portLevelMtls"))[String(port)])],
    [workload, mode(at(workload?.props, "spec.mtls"))],
    [namespaceWide, mode(at(namespaceWide?.props, "spec.mtls"))],
  ];
  const decided = steps.find(([o, m]) => o !== undefined && m !== undefined);
  return decided && decided[1] === "STRICT" ? decided[0] : undefined;
}

/** A client outside the mesh speaks plaintext; a meshed pod's sidecar refuses it on a STRICT port, whatever the NetworkPolicies allow. */
function plaintextIntoStrict(stack: StackObjects, facts: ClusterFacts, out: { flows: NeededFlow[]; broken: BrokenReference[] }): void {
  const mesh = facts.mesh;
  if (!mesh) return;
  const entries = new Map(stack.workloads.map((w) => [w.group, w]));
  const ic = facts.ingressController;
  const inMesh = (g: PodGroup): boolean => {
    const w = entries.get(g);
    if (w) return hasSidecar(mesh, w);
    if (ic && g.namespace === ic.namespace && JSON.stringify(g.labels) === JSON.stringify(ic.podLabels)) return mesh.ingressControllerInMesh;
    return !g.hostNetwork && mesh.namespaces.includes(g.namespace);
  };
  const peerAuthentications = stack.ofKind("PeerAuthentication").filter((o) => (str(o.props.apiVersion) ?? "").startsWith("security.istio.io/"));
  const seen = new Set<string>();
  for (const f of out.flows) {
    if (!("pods" in f.to) || !("pods" in f.from) || !inMesh(f.to.pods) || inMesh(f.from.pods)) continue;
    const by = f.ports.map((p) => (UNCAPTURED.has(p.port) ? undefined : strictBy(peerAuthentications, (f.to as { pods: PodGroup }).pods, p.port)));
    const first = by[0];
    if (!first || by.some((b) => b === undefined)) continue;
    const ports = f.ports.map((p) => `${p.port}/${p.protocol}`).join(" or ");
    const message = `${f.to.pods.id}: ${f.from.pods.id} connects in plaintext on ${ports} (${f.why}) from outside the mesh, and PeerAuthentication ${first.namespace}/${first.name} makes its sidecar accept only mTLS there (STRICT); admit plaintext on that port with a PeerAuthentication selecting its pods (portLevelMtls: {"${f.ports[0].port}": {mode: PERMISSIVE}}), or put ${f.from.pods.id} in the mesh.`;
    if (seen.has(message)) continue;
    seen.add(message);
    out.broken.push({ urn: f.urn, message });
  }
}

function tokenMounted(stack: StackObjects, w: WorkloadEntry): boolean {
  if (w.podSpec.automountServiceAccountToken === true) return true;
  if (w.podSpec.automountServiceAccountToken === false) return false;
  const sa = stack.get("ServiceAccount", w.object.namespace, str(w.podSpec.serviceAccountName) ?? "default");
  return sa?.props.automountServiceAccountToken === true;
}

export function neededFlows(stack: StackObjects, facts: ClusterFacts): FlowAnalysis {
  const out = { flows: [] as NeededFlow[], broken: [] as BrokenReference[], undecided: [] as string[] };
  const running = stack.workloads.filter((w) => !w.group.hostNetwork);
  if (facts.dns) {
    const dns = facts.dns;
    // CoreDNS' (and kube-dns') port names, for policies that name them.
    const dnsPorts = [{ name: "dns", port: dns.port, protocol: "UDP" as const }, { name: "dns-tcp", port: dns.port, protocol: "TCP" as const }];
    const groups = groupsFor(stack, dns.namespace, dns.podLabels, `cluster DNS (namespace ${dns.namespace})`, dnsPorts);
    for (const w of running.filter((x) => x.podSpec.dnsPolicy !== "None")) {
      for (const to of groups) {
        for (const protocol of ["UDP", "TCP"] as const) out.flows.push({ from: { pods: w.group }, to: { pods: to }, ports: [{ port: dns.port, protocol }], why: `cluster DNS (${protocol})`, urn: w.object.urn });
      }
    }
  } else if (running.length) {
    out.undecided.push(`DNS from ${running.length} workload(s): the cluster fact dns (namespace and pod labels of cluster DNS) is missing`);
  }
  ingressFlows(stack, facts, out);
  scrapeFlows(stack, facts, out);
  meshFlows(stack, facts, out);
  for (const w of running) clientFlows(stack, w, out);
  const callers = running.filter((w) => tokenMounted(stack, w));
  if (callers.length && !facts.apiServer) {
    out.undecided.push(`flows to the Kubernetes API server from ${callers.map((w) => w.group.id).join(", ")}: the cluster fact apiServer (address range and port) is missing`);
  } else if (facts.apiServer) {
    for (const w of callers) {
      for (const cidr of facts.apiServer.cidrs) out.flows.push({ from: { pods: w.group }, to: { address: cidr, id: `the Kubernetes API server (${cidr})` }, ports: TCP(facts.apiServer.port), why: "calls the Kubernetes API (mounts a service account token)", urn: w.object.urn });
    }
  }
  plaintextIntoStrict(stack, facts, out);
  return out;
}
