/**
 * topology.mmd: a Mermaid flowchart of namespaces, workloads, data stores and the flows the
 * NetworkPolicies allow. A flow between two workloads is drawn only when the source's egress
 * and the target's ingress both allow it (as Kubernetes decides); peers outside the manifests
 * (the ingress controller, Prometheus, CIDRs) are drawn from the one side that names them.
 * Cluster DNS (port 53) is left out: every workload may reach it.
 */
import { LabelSelector, selects } from "../policies/lib/kubernetes";
import { NetworkModel, PodGroup, PolicyPeer as Peer, Protocol, parsePolicy } from "../policies/lib/network-model";
import { StackObjects } from "../policies/lib/stack-objects";
import type { KubernetesObject } from "./manifests";
import { Labels, Workload, labelsOf, workloadsOf } from "./workloads";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

type Selector = LabelSelector;
const matches = selects;
const portText = (p: { protocol: string; port?: number | string; endPort?: number }) => `${p.protocol} ${p.port === undefined ? "all" : p.endPort ? `${p.port}-${p.endPort}` : p.port}`;

interface Endpoint {
  readonly id: string;
  readonly namespace?: string;
  readonly labels: Labels;
  readonly group?: PodGroup;
}

export function topologyMermaid(stack: string, objects: readonly KubernetesObject[]): string {
  // One-off Jobs (bucket or topic creation) are left out; scheduled ones (backups) are real flows.
  const workloads = workloadsOf(objects).filter((w) => w.kind !== "Job");
  const policies = objects.filter((o) => o.kind === "NetworkPolicy").map((o) => parsePolicy(o as unknown as Obj));
  // The one evaluator (policies/lib/network-model) decides every flow drawn between two workloads.
  const model = NetworkModel.fromObjects(objects as unknown as Record<string, unknown>[]);
  const groups = new Map(new StackObjects(objects.map((o) => ({ type: `kubernetes:x:${o.kind}`, urn: `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, name: o.metadata.name, props: o as unknown as Record<string, unknown> }))).workloads.map((w) => [w.object.urn, w.group]));
  const nsLabels = new Map<string, Labels>();
  for (const ns of objects.filter((o) => o.kind === "Namespace")) nsLabels.set(ns.metadata.name, labelsOf(ns.metadata.labels));
  const id = (...parts: string[]) => parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");
  const endpoints: Endpoint[] = workloads.map((w) => ({ id: id("w", w.namespace, w.name), namespace: w.namespace, labels: w.podLabels, group: groups.get(`${w.kind}/${w.namespace}/${w.name}`) }));
  const byNamespace = new Map<string, Endpoint[]>();
  const byLabel = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    const ns = e.namespace as string;
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
    byNamespace.get(ns)?.push(e);
    for (const [k, v] of Object.entries(e.labels)) {
      const key = `${ns}\n${k}=${v}`;
      if (!byLabel.has(key)) byLabel.set(key, []);
      byLabel.get(key)?.push(e);
    }
  }
  /** The endpoints of a namespace a selector selects, narrowed first through the label index. */
  const selectIn = (ns: string, selector: Selector | undefined): Endpoint[] => {
    const first = selector ? Object.entries(selector.matchLabels)[0] : undefined;
    const candidates = first ? byLabel.get(`${ns}\n${first[0]}=${first[1]}`) ?? [] : byNamespace.get(ns) ?? [];
    return selector ? candidates.filter((e) => matches(selector, e.labels)) : candidates;
  };
  for (const ns of byNamespace.keys()) nsLabels.set(ns, { ...(nsLabels.get(ns) ?? {}), "kubernetes.io/metadata.name": ns });

  const external = new Map<string, { label: string; namespace?: string }>();
  const edges = new Map<string, Set<string>>();
  const addEdge = (from: string, to: string, ports: readonly string[]) => {
    const key = `${from} ${to}`;
    const set = edges.get(key) ?? new Set<string>();
    for (const p of ports.length ? ports : ["all ports"]) set.add(p);
    edges.set(key, set);
  };
  /** The endpoints a peer selects, from the point of view of a policy in `policyNs`. */
  const peerEndpoints = (peer: Peer, policyNs: string): Endpoint[] => {
    if (peer.cidr !== undefined) return [];
    const namespaces = peer.namespaces ? [...byNamespace.keys()].filter((ns) => matches(peer.namespaces as Selector, nsLabels.get(ns) ?? {})) : [policyNs];
    return namespaces.flatMap((ns) => selectIn(ns, peer.pods));
  };
  /** The ports of `to` the evaluator lets `from` reach (its container ports, else the rule's). */
  const decided = new Map<string, string[]>();
  const allowedPorts = (from: Endpoint, to: Endpoint, rulePorts: readonly string[]): string[] => {
    const key = `${from.id} ${to.id}`;
    const cached = decided.get(key);
    if (cached) return cached;
    const candidates = (to.group?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol }));
    for (const text of rulePorts) {
      const [protocol, port] = text.split(" ");
      if (/^\d+$/.test(port)) candidates.push({ port: Number(port), protocol: protocol as Protocol });
    }
    const allowed = new Set<string>();
    if (from.group && to.group) {
      for (const c of candidates) if (model.evaluate({ from: { pods: from.group }, to: { pods: to.group }, ...c }).allowed) allowed.add(`${c.protocol} ${c.port}`);
    }
    const list = [...allowed];
    decided.set(key, list);
    return list;
  };
  const externalId = (peer: Peer): string | undefined => {
    if (peer.cidr) {
      const key = id("cidr", peer.cidr);
      external.set(key, { label: peer.except.length ? `${peer.cidr} except private ranges` : peer.cidr });
      return key;
    }
    const ns = peer.namespaces?.matchLabels["kubernetes.io/metadata.name"];
    if (ns === "kube-system" && Object.values(peer.pods?.matchLabels ?? {}).includes("kube-dns")) return undefined;
    const podText = Object.entries(peer.pods?.matchLabels ?? {}).map(([k, v]) => `${k.replace(/^app\.kubernetes\.io\//, "")}=${v}`).join(",");
    const key = id("x", ns ?? "any", podText || "all");
    external.set(key, { label: podText ? `pods ${podText}` : "all pods", namespace: ns });
    return key;
  };

  for (const policy of policies) {
    const owners = selectIn(policy.namespace, policy.selector);
    for (const direction of ["ingress", "egress"] as const) {
      for (const parsed of policy[direction] ?? []) {
        const rule = { ports: (parsed.ports ?? []).map(portText) };
        for (const peer of parsed.peers ?? []) {
          const matched = peerEndpoints(peer, policy.namespace);
          for (const owner of owners) {
            const others = matched.filter((e) => e !== owner);
            if (others.length === 0) {
              if (matched.length > 0) continue; // the workload itself: its pods reaching each other
              const ext = externalId(peer);
              if (ext && !rule.ports.every((p) => p.endsWith(" 53"))) {
                if (direction === "ingress") addEdge(ext, owner.id, rule.ports);
                else addEdge(owner.id, ext, rule.ports);
              }
              continue;
            }
            for (const other of others) {
              const [from, to] = direction === "ingress" ? [other, owner] : [owner, other];
              const ports = allowedPorts(from, to, rule.ports);
              if (ports.length > 0) addEdge(from.id, to.id, ports);
            }
          }
        }
      }
    }
  }
  const routes = ingressRoutes(objects, (ns, selector) => selectIn(ns, { matchLabels: selector, matchExpressions: [] }).map((e) => e.id), id);
  return render(stack, objects, workloads, external, edges, routes, id);
}

/** The Ingress edges: internet to each Ingress (per host), each Ingress to the workloads behind its Services. */
function ingressRoutes(objects: readonly KubernetesObject[], workloadIds: (ns: string, selector: Labels) => string[], id: (...parts: string[]) => string): string[] {
  const services = new Map<string, KubernetesObject>();
  for (const o of objects) if (o.kind === "Service") services.set(`${o.metadata.namespace ?? "default"}/${o.metadata.name}`, o);
  const lines: string[] = [];
  for (const ing of objects.filter((o) => o.kind === "Ingress")) {
    const ns = ing.metadata.namespace ?? "default";
    const spec = obj(ing.spec);
    const tls = arr(spec.tls).length > 0;
    const backends = new Set<string>();
    for (const rule of arr(spec.rules)) {
      lines.push(`  internet -->|"${tls ? "HTTPS" : "HTTP"} ${String(obj(rule).host ?? "*")}"| ${id("ing", ns, ing.metadata.name)}`);
      for (const path of arr(obj(obj(rule).http).paths)) backends.add(String(obj(obj(obj(path).backend).service).name));
    }
    for (const svcName of [...backends].sort()) {
      const selector = labelsOf(obj(services.get(`${ns}/${svcName}`)?.spec).selector);
      if (Object.keys(selector).length === 0) continue;
      for (const target of workloadIds(ns, selector).sort()) lines.push(`  ${id("ing", ns, ing.metadata.name)} -.->|"${svcName}"| ${target}`);
    }
  }
  return lines;
}

function render(
  stack: string,
  objects: readonly KubernetesObject[],
  workloads: readonly Workload[],
  external: Map<string, { label: string; namespace?: string }>,
  edges: Map<string, Set<string>>,
  routes: readonly string[],
  id: (...parts: string[]) => string,
): string {
  const lines = [`%% keel topology: stack ${stack}. Solid arrows: flows NetworkPolicies allow. Dotted: Ingress routes.`, "flowchart LR"];
  const ingresses = objects.filter((o) => o.kind === "Ingress");
  if (ingresses.length) lines.push('  internet(("internet"))');
  const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...ingresses.map((i) => i.metadata.namespace ?? "default"), ...[...external.values()].flatMap((e) => (e.namespace ? [e.namespace] : []))])].sort();
  for (const ns of namespaces) {
    lines.push(`  subgraph ${id("ns", ns)}["namespace ${ns}"]`);
    for (const w of workloads.filter((x) => x.namespace === ns).sort((a, b) => a.name.localeCompare(b.name))) {
      const replicas = w.kind === "DaemonSet" ? "per node" : w.kind === "CronJob" ? "scheduled" : w.autoscaled ? `x${w.minReplicas}-${w.maxReplicas}` : `x${w.minReplicas}`;
      const text = `${w.name}<br/>${w.kind} ${replicas}`;
      lines.push(w.stateful ? `    ${id("w", ns, w.name)}[("${text}")]` : `    ${id("w", ns, w.name)}["${text}"]`);
    }
    for (const ing of ingresses.filter((i) => (i.metadata.namespace ?? "default") === ns)) {
      lines.push(`    ${id("ing", ns, ing.metadata.name)}{{"Ingress ${ing.metadata.name}"}}`);
    }
    for (const [key, e] of [...external.entries()].filter(([, e]) => e.namespace === ns).sort()) lines.push(`    ${key}["${e.label}"]`);
    lines.push("  end");
  }
  for (const [key, e] of [...external.entries()].filter(([, e]) => e.namespace === undefined).sort()) lines.push(`  ${key}["${e.label}"]`);
  lines.push(...routes);
  for (const [key, ports] of [...edges.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [from, to] = key.split(" ");
    lines.push(`  ${from} -->|"${[...ports].sort().join(", ")}"| ${to}`);
  }
  return lines.join("\n") + "\n";
}
