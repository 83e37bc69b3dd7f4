/**
 * The one NetworkPolicy evaluator: Kubernetes' semantics (networking.k8s.io/v1), decided flow by
 * flow for both ends. `keel check` (policy stack-flows) and `topology.mmd` both ask it.
 *
 * - A pod is isolated for a direction when a policy in its namespace selects it and that
 *   direction is in the policy's effective policyTypes (absent: Ingress, plus Egress when the
 *   policy has at least one egress rule). A flow is allowed when the source's egress (if
 *   isolated) and the destination's ingress (if isolated) each have a rule that admits it;
 *   policies are additive.
 * - A rule without peers admits every peer, without ports every port. A peer with podSelector
 *   alone means pods of the policy's namespace; namespaceSelector alone, every pod of the
 *   selected namespaces; both, the selected pods of the selected namespaces. Every namespace has
 *   the label `kubernetes.io/metadata.name`.
 * - ipBlock (cidr minus except) matches addresses: keel treats pod addresses as inside the pod
 *   network and never matched by ipBlock (Kubernetes leaves that to the CNI), so only endpoints
 *   given as an address (the API server, the internet) are matched by CIDR.
 * - A port entry: protocol (default TCP); no port = every port of the protocol; a number with
 *   an optional endPort = a range; a name = the destination pod's container port of that name.
 */
import { LabelSelector, labelsOf, selectorOf, selects } from "./kubernetes";
import { Obj, arr, at, num, obj, str } from "./props";

export type Labels = Record<string, string>;
export type Protocol = "TCP" | "UDP" | "SCTP";

/** A kind of pod: the pods of one workload (or of something outside the stack known by its labels). */
export interface PodGroup {
  /** What to call it in messages: `Deployment shop/api`. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: Protocol }[];
  /** Pods on the host network are not subject to NetworkPolicies. */
  readonly hostNetwork?: boolean;
}

/** One end of a flow: pods, or an address outside the pod network. */
export type Endpoint = { readonly pods: PodGroup } | { readonly address: string; readonly id: string };

export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface SideVerdict {
  /** Whether this side lets the flow through. */
  readonly allowed: boolean;
  /** No policy isolates this side: everything is allowed. */
  readonly isolated: boolean;
  /** The policies isolating this side (names), for messages. */
  readonly policies: readonly string[];
}

export interface FlowVerdict {
  readonly allowed: boolean;
  readonly egress: SideVerdict;
  readonly ingress: SideVerdict;
}

interface PortRule {
  readonly protocol: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface PolicyPeer {
  readonly pods?: LabelSelector;
  readonly namespaces?: LabelSelector;
  readonly cidr?: string;
  readonly except: readonly string[];
}

export interface PolicyRule {
  /** undefined: every peer. */
  readonly peers?: readonly PolicyPeer[];
  /** undefined: every port. */
  readonly ports?: readonly PortRule[];
}

export interface ParsedPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly selector: LabelSelector;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

const NS_NAME_LABEL = "kubernetes.io/metadata.name";

function protocolOf(v: unknown): Protocol {
  return v === "UDP" || v === "SCTP" ? v : "TCP";
}

function rulesOf(v: unknown, key: "from" | "to"): PolicyRule[] {
  return arr(v).map((r) => {
    const rule = obj(r);
    const peers = rule[key] === undefined || arr(rule[key]).length === 0 ? undefined : arr(rule[key]).map((p) => {
      const peer = obj(p);
      const block = obj(peer.ipBlock);
      return {
        pods: peer.podSelector !== undefined ? selectorOf(peer.podSelector) : undefined,
        namespaces: peer.namespaceSelector !== undefined ? selectorOf(peer.namespaceSelector) : undefined,
        cidr: str(block.cidr),
        except: arr(block.except).map(String),
      };
    });
    const ports = rule.ports === undefined || arr(rule.ports).length === 0 ? undefined : arr(rule.ports).map((p) => {
      const port = obj(p);
      return { protocol: protocolOf(port.protocol), port: typeof port.port === "number" || typeof port.port === "string" ? port.port : undefined, endPort: num(port.endPort) };
    });
    return { peers, ports };
  });
}

/** A NetworkPolicy object (its plain JSON) as the evaluator reads it. */
export function parsePolicy(o: Obj): ParsedPolicy {
  const spec = obj(o.spec);
  const types = arr(spec.policyTypes).map(String);
  const hasIngress = types.length === 0 || types.includes("Ingress");
  // Kubernetes defaults on len(spec.egress) != 0: `egress: []` without policyTypes isolates ingress only.
  const hasEgress = types.length === 0 ? arr(spec.egress).length > 0 : types.includes("Egress");
  return {
    name: `${str(at(o, "metadata.namespace")) ?? "default"}/${str(at(o, "metadata.name")) ?? "?"}`,
    namespace: str(at(o, "metadata.namespace")) ?? "default",
    selector: selectorOf(spec.podSelector),
    ingress: hasIngress ? rulesOf(spec.ingress, "from") : undefined,
    egress: hasEgress ? rulesOf(spec.egress, "to") : undefined,
  };
}

/* ---- IPv4/IPv6 CIDR arithmetic on BigInt ---- */

function parseAddress(text: string): { value: bigint; bits: number } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (text.includes(":")) {
    const [head, tail] = text.split("::");
    const groups = (s: string | undefined) => (s ? s.split(":") : []);
    const h = groups(head);
    const t = groups(tail);
    const fill = text.includes("::") ? 8 - h.length - t.length : 0;
    const all = [...h, ...Array(fill).fill("0"), ...t];
    if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
  }
  return undefined;
}

/** Whether `address` (an IP, or a CIDR taken as a whole) lies inside `cidr`. */
export function inCidr(address: string, cidr: string): boolean {
  const [net, lenText] = cidr.split("/");
  const [addr, addrLenText] = address.split("/");
  const n = parseAddress(net);
  const a = parseAddress(addr);
  if (!n || !a || n.bits !== a.bits) return false;
  const len = lenText === undefined ? n.bits : Number(lenText);
  const addrLen = addrLenText === undefined ? a.bits : Number(addrLenText);
  if (addrLen < len) return false;
  const shift = BigInt(n.bits - len);
  return n.value >> shift === a.value >> shift;
}

/** The first and last address of `cidr` (an IPv4 or IPv6 network), or undefined when it does not parse. */
export function cidrRange(cidr: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  const [net, lenText, ...rest] = cidr.trim().split("/");
  const n = parseAddress(net);
  const len = lenText === undefined ? n?.bits : /^\d{1,3}$/.test(lenText) ? Number(lenText) : undefined;
  if (!n || len === undefined || len > n.bits || rest.length > 0) return undefined;
  const host = (1n << BigInt(n.bits - len)) - 1n;
  const first = n.value & ~host & ((1n << BigInt(n.bits)) - 1n);
  return { family: n.bits === 32 ? 4 : 6, first, last: first | host };
}

/**
 * The address families (4, 6) whose every address the CIDRs cover together, `except` ranges
 * left out: `0.0.0.0/0`, `::/0`, or halves such as `0.0.0.0/1` and `128.0.0.0/1`.
 */
export function everyAddress(blocks: readonly { cidr: string; except?: readonly string[] }[]): (4 | 6)[] {
  const found: (4 | 6)[] = [];
  for (const family of [4, 6] as const) {
    const end = (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
    const ranges = blocks
      .filter((b) => (b.except ?? []).length === 0)
      .map((b) => cidrRange(b.cidr))
      .filter((r): r is NonNullable<typeof r> => r !== undefined && r.family === family)
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let next = 0n;
    for (const r of ranges) {
      if (r.first > next) break;
      if (r.last + 1n > next) next = r.last + 1n;
    }
    if (next > end) found.push(family);
  }
  return found;
}

/* ---- the evaluator ---- */

export interface NetworkModelOptions {
  /** Labels of namespaces beyond `kubernetes.io/metadata.name`, by namespace. */
  readonly namespaceLabels?: ReadonlyMap<string, Labels>;
}

export class NetworkModel {
  private readonly byNamespace = new Map<string, ParsedPolicy[]>();
  private readonly namespaceLabels: ReadonlyMap<string, Labels>;
  private readonly selectingCache = new Map<string, { ingress: ParsedPolicy[]; egress: ParsedPolicy[] }>();

  constructor(policies: readonly ParsedPolicy[], options: NetworkModelOptions = {}) {
    for (const p of policies) {
      const list = this.byNamespace.get(p.namespace) ?? [];
      list.push(p);
      this.byNamespace.set(p.namespace, list);
    }
    this.namespaceLabels = options.namespaceLabels ?? new Map();
  }

  static fromObjects(objects: readonly Obj[]): NetworkModel {
    const namespaceLabels = new Map<string, Labels>();
    for (const o of objects) if (o.kind === "Namespace") namespaceLabels.set(str(at(o, "metadata.name")) ?? "", labelsOf(at(o, "metadata.labels")));
    return new NetworkModel(objects.filter((o) => o.kind === "NetworkPolicy").map(parsePolicy), { namespaceLabels });
  }

  labelsOfNamespace(ns: string): Labels {
    return { ...(this.namespaceLabels.get(ns) ?? {}), [NS_NAME_LABEL]: ns };
  }

  /** The policies that isolate `group` for each direction. */
  selecting(group: PodGroup): { ingress: ParsedPolicy[]; egress: ParsedPolicy[] } {
    const key = `${group.namespace}\n${JSON.stringify(group.labels)}`;
    let found = this.selectingCache.get(key);
    if (!found) {
      const all = (this.byNamespace.get(group.namespace) ?? []).filter((p) => selects(p.selector, group.labels));
      found = { ingress: all.filter((p) => p.ingress !== undefined), egress: all.filter((p) => p.egress !== undefined) };
      this.selectingCache.set(key, found);
    }
    return found;
  }

  /** Whether a rule's peer matches the endpoint at the other end, seen from a policy in `policyNs`. */
  private peerMatches(peer: PolicyPeer, policyNs: string, other: Endpoint): boolean {
    if (peer.cidr !== undefined) {
      if (!("address" in other)) return false;
      // An address given as a CIDR is matched only if no `except` block overlaps any part of it.
      return inCidr(other.address, peer.cidr) && !peer.except.some((e) => inCidr(other.address, e) || inCidr(e, other.address));
    }
    if (!("pods" in other)) return false;
    const pods = other.pods;
    if (peer.namespaces !== undefined) {
      if (!selects(peer.namespaces, this.labelsOfNamespace(pods.namespace))) return false;
    } else if (pods.namespace !== policyNs) {
      return false;
    }
    return peer.pods === undefined || selects(peer.pods, pods.labels);
  }

  /** Whether a rule's port entry admits `port`/`protocol` towards `destination`. */
  private static portMatches(rule: PortRule, port: number, protocol: Protocol, destination: Endpoint): boolean {
    if (rule.protocol !== protocol) return false;
    if (rule.port === undefined) return true;
    if (typeof rule.port === "number") return rule.endPort !== undefined ? port >= rule.port && port <= rule.endPort : port === rule.port;
    if (/^\d+$/.test(rule.port)) return Number(rule.port) === port;
    if (!("pods" in destination)) return false;
    return destination.pods.ports.some((p) => p.name === rule.port && p.port === port && p.protocol === protocol);
  }

  private side(group: PodGroup, direction: "ingress" | "egress", flow: Flow): SideVerdict {
    if (group.hostNetwork) return { allowed: true, isolated: false, policies: [] };
    const policies = this.selecting(group)[direction];
    if (policies.length === 0) return { allowed: true, isolated: false, policies: [] };
    const other = direction === "ingress" ? flow.from : flow.to;
    const allowed = policies.some((p) =>
      (p[direction] ?? []).some(
        (r) =>
          (r.peers === undefined || r.peers.some((peer) => this.peerMatches(peer, p.namespace, other))) &&
          (r.ports === undefined || r.ports.some((port) => NetworkModel.portMatches(port, flow.port, flow.protocol, flow.to))),
      ),
    );
    return { allowed, isolated: true, policies: policies.map((p) => p.name) };
  }

  /** Decides a flow at both ends. */
  evaluate(flow: Flow): FlowVerdict {
    const open: SideVerdict = { allowed: true, isolated: false, policies: [] };
    const egress = "pods" in flow.from ? this.side(flow.from.pods, "egress", flow) : open;
    const ingress = "pods" in flow.to ? this.side(flow.to.pods, "ingress", flow) : open;
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }
}

export function endpointName(e: Endpoint): string {
  return "pods" in e ? e.pods.id : e.id;
}

/** `the egress of Deployment a/b (policies a/x, a/y)`: the side(s) denying a flow, for messages. */
export function denyingSides(flow: Flow, verdict: FlowVerdict): string {
  const sides: string[] = [];
  if (!verdict.egress.allowed) sides.push(`the egress of ${endpointName(flow.from)} (policies ${verdict.egress.policies.join(", ")})`);
  if (!verdict.ingress.allowed) sides.push(`the ingress of ${endpointName(flow.to)} (policies ${verdict.ingress.policies.join(", ")})`);
  return sides.join(" and ");
}
