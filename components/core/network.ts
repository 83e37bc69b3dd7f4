/**
 * Network access as intent: who may reach whom, on which port. keel turns these rules into
 * NetworkPolicies on Kubernetes (and security-group rules on AWS), with deny-by-default
 * around them: a workload's own policy lists every allowed ingress and egress peer.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "./defaults";
import { findDuplicates } from "./duplicates";
import { Validator } from "./errors";
import { LABEL_NAMESPACE_NAME, Labels } from "./labels";
import { dnsLabelProblem, labelProblems } from "./kubernetes-syntax";
import { isIPv4, isIPv6 } from "node:net";

export type NetworkProtocol = "TCP" | "UDP" | "SCTP";

export interface NetworkPort {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: NetworkProtocol;
}

/** Pods of a workload (keel component or not) in a namespace, selected by labels. */
export interface WorkloadPeer {
  readonly kind: "workload";
  /** A name for diagrams and messages. */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly podLabels: Labels;
}

/** Every pod of a namespace, or the pods matching `podLabels` in it. */
export interface NamespacePeer {
  readonly kind: "namespace";
  readonly namespace: pulumi.Input<string>;
  readonly podLabels?: Labels;
}

/** Addresses outside the cluster, e.g. an identity provider or a managed database. */
export interface CidrPeer {
  readonly kind: "cidr";
  readonly cidr: string;
  readonly except?: readonly string[];
}

/**
 * A managed service outside the cluster (RDS, ElastiCache, MSK): reached at an address inside
 * `cidrs`, the subnets it may run in. Its address moves on a failover, so rules name the subnets,
 * not an address. A data store on the aws platform is this peer (its `networkPeer`).
 */
export interface ManagedServicePeer {
  readonly kind: "managed";
  /** The store's name, for diagrams, messages and rule names. */
  readonly name: string;
  readonly cidrs: readonly string[];
  /** Ranges inside `cidrs` it is never at (e.g. the private ranges, for a public AWS endpoint such as S3). */
  readonly except?: readonly string[];
}

export type NetworkPeer = WorkloadPeer | NamespacePeer | CidrPeer | ManagedServicePeer;

/**
 * Something that can be reached or can reach: every keel workload component implements it,
 * so `allowTo: [db]` or `db.allowFrom(api)` work without any selector in user code.
 */
export interface NetworkEndpoint {
  /** The pods behind this endpoint; for a managed service (RDS, ElastiCache, MSK), the subnets it runs in. */
  readonly networkPeer: WorkloadPeer | ManagedServicePeer;
  /** The ports clients use when a rule names no ports. */
  readonly networkPorts: readonly NetworkPort[];
}

/** One allow rule: a peer, and the ports (on the receiving side) it may use. */
export interface NetworkRule {
  readonly peer: NetworkPeer | NetworkEndpoint;
  /** @default the endpoint's `networkPorts` for egress to an endpoint; the workload's ports for ingress */
  readonly ports?: readonly NetworkPort[];
}

export function isNetworkEndpoint(x: unknown): x is NetworkEndpoint {
  return typeof x === "object" && x !== null && "networkPeer" in x && "networkPorts" in x;
}

/** Helpers to name peers without writing selectors. */
export const peers = {
  /** Pods in `namespace` matching `podLabels`. */
  workload(name: string, namespace: pulumi.Input<string>, podLabels: Labels): WorkloadPeer {
    return { kind: "workload", name, namespace, podLabels };
  },
  /** All pods of a namespace (optionally narrowed by labels). */
  namespace(namespace: pulumi.Input<string>, podLabels?: Labels): NamespacePeer {
    return { kind: "namespace", namespace, podLabels };
  },
  /** An address range outside the cluster. */
  cidr(cidr: string, except?: readonly string[]): CidrPeer {
    return { kind: "cidr", cidr, except };
  },
  /** Any IPv4 address outside the cluster's private ranges, e.g. a public HTTPS API. */
  internet(): CidrPeer {
    return { kind: "cidr", cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] };
  },
};

/** A parsed CIDR: the address as a number (32 or 128 bits) and the prefix length. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((n, octet) => n * 256n + BigInt(Number(octet)), 0n);
}

function ipv6Bits(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4Bits(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/** Parses an IPv4 (`10.0.0.0/8`) or IPv6 (`fd00::/8`) CIDR; undefined when it is not one (see {@link ipCidrProblem}). */
export function parseCidr(value: unknown): ParsedCidr | undefined {
  if (ipCidrProblem(value) !== undefined) return undefined;
  const [address, prefix] = (value as string).split("/");
  return isIPv4(address) ? { family: 4, address: ipv4Bits(address), prefix: Number(prefix) } : { family: 6, address: ipv6Bits(address), prefix: Number(prefix) };
}

/**
 * A CIDR's problem, or undefined: an IPv4 (`a.b.c.d/0-32`, octets 0-255) or IPv6 (`x::y/0-128`)
 * address and prefix length, as the API server and NetworkPolicy ipBlocks parse them. The one
 * CIDR rule of keel (peers, client ranges, pod networks).
 */
export function ipCidrProblem(value: unknown): string | undefined {
  const example = 'expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"';
  if (typeof value !== "string") return example;
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(value);
  if (!m) return example;
  const prefix = Number(m[2]);
  if (isIPv4(m[1])) return prefix <= 32 && !/^0\d/.test(m[2]) ? undefined : "expected an IPv4 prefix length from 0 to 32";
  if (isIPv6(m[1]) && !m[1].includes("%")) return prefix <= 128 && !/^0\d/.test(m[2]) ? undefined : "expected an IPv6 prefix length from 0 to 128";
  return example;
}

export function isIpv4Cidr(value: string): boolean {
  return parseCidr(value)?.family === 4;
}

/** True when `inner` is a strict sub-range of `outer` (two CIDRs of one family). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o.family !== i.family || i.prefix <= o.prefix) return false;
  const shift = BigInt((o.family === 4 ? 32 : 128) - o.prefix);
  return o.address >> shift === i.address >> shift;
}

/** A key for a rule given twice: its peer and ports, or undefined when a part is not a plain value yet. */
function ruleKey(rule: NetworkRule): string | undefined {
  const peer = resolvePeer(rule.peer);
  const labels = (l: Labels | undefined) => (l ? Object.entries(l).sort(([a], [b]) => a.localeCompare(b)) : []);
  let who: unknown[];
  if (peer.kind === "cidr") who = ["cidr", peer.cidr, [...(Array.isArray(peer.except) ? peer.except : [])].sort()];
  else if (peer.kind === "managed") who = ["managed", peer.name];
  else if (typeof peer.namespace !== "string") return undefined;
  else who = [peer.kind, peer.namespace, labels(peer.podLabels)];
  if (who.flat(2).some((x) => typeof x !== "string")) return undefined;
  const ports = rule.ports === undefined ? "default" : [...rule.ports].map((p) => `${p?.port}/${p?.protocol ?? "TCP"}`).sort();
  return JSON.stringify([who, ports]);
}

/** Checks the peers, ports and CIDRs of a list of rules, and that no rule is given twice; problems go to `v` under `field[i]`. */
export function validateRules(v: Validator, field: string, rules: readonly NetworkRule[] = []): void {
  if (!Array.isArray(rules)) {
    v.require(false, field, rules, "expected a list of rules such as [{ peer, ports }]");
    return;
  }
  const valid: boolean[] = [];
  rules.forEach((rule, i) => {
    valid[i] = false;
    if (typeof rule !== "object" || rule === null || typeof rule.peer !== "object" || rule.peer === null) {
      v.require(false, `${field}[${i}].peer`, rule === null || typeof rule !== "object" ? rule : rule.peer, "expected a peer: a keel component, or peers.workload(...), peers.namespace(...), peers.cidr(...)");
      return;
    }
    valid[i] = true;
    const peer = resolvePeer(rule.peer);
    const at = `${field}[${i}].peer`;
    if (peer.kind === "cidr") {
      const problem = ipCidrProblem(peer.cidr);
      if (problem) v.require(false, `${at}.cidr`, peer.cidr, problem);
      (Array.isArray(peer.except) ? peer.except : []).forEach((ex, j) => {
        const exProblem = ipCidrProblem(ex);
        if (exProblem) return void v.require(false, `${at}.except[${j}]`, ex, exProblem);
        if (!problem) v.require(cidrContains(peer.cidr, ex), `${at}.except[${j}]`, ex, `expected a range inside ${peer.cidr} and smaller than it (Kubernetes refuses other exceptions)`);
      });
    } else if (peer.kind === "managed") {
      if (!isNetworkEndpoint(rule.peer)) v.require(false, at, "managed", "expected a managed data store itself (e.g. db), not a peer object of kind \"managed\"");
    } else if (!isNetworkEndpoint(rule.peer)) {
      if (peer.kind === "workload") {
        const problem = dnsLabelProblem(peer.name);
        if (problem) v.require(false, `${at}.name`, peer.name, `${problem} (it names the NetworkPolicy)`);
      }
      if (typeof peer.namespace === "string") {
        const problem = dnsLabelProblem(peer.namespace);
        if (problem) v.require(false, `${at}.namespace`, peer.namespace, `expected a namespace name: ${problem.replace(/^expected /, "")}`);
      }
      for (const [f, value, allowed] of labelProblems(`${at}.podLabels`, peer.podLabels)) v.require(false, f, value, allowed);
    }
    if (Array.isArray(rule.ports) && rule.ports.length === 0) {
      v.require(false, `${field}[${i}].ports`, rule.ports, "expected at least one port; leave ports out to allow the peer's own ports (an empty list opens every port)");
    }
    validatePorts(v, `${field}[${i}].ports`, rule.ports ?? []);
  });
  for (const d of findDuplicates(rules, (rule, i) => (valid[i] ? ruleKey(rule) : undefined))) {
    v.fail(`${field}[${d.index}] is the same rule as ${field}[${d.first}] (the same peer and ports); expected each rule once`);
  }
}

export const PROTOCOLS: readonly NetworkProtocol[] = ["TCP", "UDP", "SCTP"];

export function validatePorts(v: Validator, field: string, ports: readonly NetworkPort[]): void {
  if (!Array.isArray(ports)) {
    v.require(false, field, ports, "expected a list of ports such as [{ port: 443 }]");
    return;
  }
  ports.forEach((p, j) => {
    v.require(Number.isInteger(p?.port) && p.port >= 1 && p.port <= 65535, `${field}[${j}].port`, p?.port, "expected a port from 1 to 65535");
    if (p?.protocol !== undefined) v.require(PROTOCOLS.includes(p.protocol), `${field}[${j}].protocol`, p.protocol, `expected one of ${PROTOCOLS.join(", ")} (upper case)`);
  });
  for (const d of findDuplicates(ports, (p) => (p && Number.isInteger(p.port) ? `${p.port}/${p.protocol ?? "TCP"}` : undefined))) {
    v.require(false, `${field}[${d.index}].port`, ports[d.index].port, `expected a port not already listed by ${field}[${d.first}]`);
  }
}

export function resolvePeer(peer: NetworkPeer | NetworkEndpoint): NetworkPeer {
  return isNetworkEndpoint(peer) ? peer.networkPeer : peer;
}

/** A peer as NetworkPolicy `from`/`to` entries: one per CIDR of a managed service, else one. */
export function toPolicyPeers(peer: NetworkPeer): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
  if (peer.kind !== "managed") return [toPolicyPeer(peer)];
  return peer.cidrs.map((cidr) => {
    const except = (peer.except ?? []).filter((e) => cidrContains(cidr, e));
    return { ipBlock: except.length > 0 ? { cidr, except } : { cidr } };
  });
}

/** A peer as a NetworkPolicy `from`/`to` entry. Namespaces match on `kubernetes.io/metadata.name`. */
export function toPolicyPeer(peer: WorkloadPeer | NamespacePeer | CidrPeer): k8s.types.input.networking.v1.NetworkPolicyPeer {
  switch (peer.kind) {
    case "cidr":
      return { ipBlock: { cidr: peer.cidr, except: peer.except ? [...peer.except] : undefined } };
    case "namespace":
      return {
        namespaceSelector: { matchLabels: { [LABEL_NAMESPACE_NAME]: peer.namespace } },
        podSelector: peer.podLabels ? { matchLabels: peer.podLabels } : undefined,
      };
    case "workload":
      return {
        namespaceSelector: { matchLabels: { [LABEL_NAMESPACE_NAME]: peer.namespace } },
        podSelector: { matchLabels: peer.podLabels },
      };
  }
}

export function toPolicyPorts(ports: readonly NetworkPort[]): k8s.types.input.networking.v1.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
}

/** The egress rule every workload needs: cluster DNS on port 53, UDP and TCP. */
export function dnsEgressRule(dns: DnsTarget = defaults.dns): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return {
    to: [toPolicyPeer({ kind: "namespace", namespace: dns.namespace, podLabels: dns.podLabels })],
    ports: [
      { port: dns.port, protocol: "UDP" },
      { port: dns.port, protocol: "TCP" },
    ],
  };
}

export interface DnsTarget {
  readonly namespace: string;
  readonly podLabels: Labels;
  readonly port: number;
}

/**
 * Every platform resolves its own DnsTarget object, and every workload's NetworkAccess keeps
 * its platform's: so the object tells which platform a workload or store is on.
 */
const PLATFORM_OF_DNS = new WeakMap<DnsTarget, string>();

/** Records that `dns` is the DnsTarget of the platform named `platform`. */
export function notePlatformDns(dns: DnsTarget, platform: string): DnsTarget {
  PLATFORM_OF_DNS.set(dns, platform);
  return dns;
}

/** The name of the platform whose DnsTarget `dns` is, when known. */
export function platformOfDns(dns: DnsTarget): string | undefined {
  return PLATFORM_OF_DNS.get(dns);
}

/** Builds an ingress rule admitting `rule.peer` on `rule.ports` (or `defaultPorts`). */
export function ingressRule(rule: NetworkRule, defaultPorts: readonly NetworkPort[]): k8s.types.input.networking.v1.NetworkPolicyIngressRule {
  return { from: toPolicyPeers(resolvePeer(rule.peer)), ports: toPolicyPorts(rule.ports ?? defaultPorts) };
}

/** Builds an egress rule reaching `rule.peer` on `rule.ports` (or the endpoint's own ports). */
export function egressRule(rule: NetworkRule): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  const ports = rule.ports ?? (isNetworkEndpoint(rule.peer) ? rule.peer.networkPorts : []);
  return { to: toPolicyPeers(resolvePeer(rule.peer)), ports: ports.length > 0 ? toPolicyPorts(ports) : undefined };
}

/** A short, stable name for a peer, for child resource names: `api`, `ns-data`, `cidr-10-0-0-0-8`. */
export function peerSlug(peer: NetworkPeer): string {
  switch (peer.kind) {
    case "workload":
      return peer.name;
    case "namespace":
      return typeof peer.namespace === "string" ? `ns-${peer.namespace}` : "ns";
    case "cidr":
      return `cidr-${peer.cidr.replace(/[./]/g, "-")}`;
    case "managed":
      return peer.name;
  }
}
